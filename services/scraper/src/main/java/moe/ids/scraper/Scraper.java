package moe.ids.scraper;

import moe.ids.scraper.http.UpstreamClient;
import moe.ids.scraper.source.Outcome;
import moe.ids.scraper.source.Source;
import moe.ids.scraper.source.SourceResult;
import moe.ids.scraper.source.SourceRunner;
import moe.ids.scraper.source.Sources;
import moe.ids.scraper.store.SnapshotStore;
import moe.ids.scraper.web.ProgressStore;
import moe.ids.scraper.web.WebContext;

import io.helidon.dbclient.DbClient;
import moe.ids.db.Db;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the requested sources with a bounded pool; each source's failure is its own, the others go on.
 * Used by the scraper's command line, the local refresh and (one source per pod) the Kubernetes Job.
 */
public final class Scraper implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Scraper.class.getName());

    private final ScraperConfig config;
    private final UpstreamClient http;
    private final SourceRunner runner;
    private final WebContext web;

    /**
     * A scraper on a pool opened elsewhere (tests, benches); the pool stays theirs to close.
     *
     * @param config settings
     * @param db     PostgreSQL (migrated), a pool from {@link moe.ids.db.Database#pool}
     */
    public Scraper(ScraperConfig config, DataSource db) {
        this(config, Db.clientOver(db));
    }

    /**
     * @param config settings
     * @param db     PostgreSQL (migrated)
     */
    public Scraper(ScraperConfig config, DbClient db) {
        this.config = config;
        this.http = new UpstreamClient(config.http());
        SnapshotStore store = new SnapshotStore(db, config.keepSnapshots());
        this.runner = new SourceRunner(http, store, config.floor(), config.minRecords());
        this.web = new WebContext(config.web(), ProgressStore.postgres(db), Optional.of(store));
    }

    /**
     * @param names source names; empty for all
     * @param force ignore validators and content hashes
     * @return one result per source, in the fixed source order
     */
    public List<SourceResult> run(List<String> names, boolean force) {
        return runSources(select(names), force);
    }

    /**
     * @param names source names; empty means all
     * @return the sources to scrape, in the fixed order (building them loads every source's classes: a step started
     *         ahead of its turn does it before its turn)
     * @throws moe.ids.core.error.BadRequestException naming an unknown source
     */
    public List<Source> select(List<String> names) {
        return Sources.select(names, web);
    }

    /**
     * @param sources the sources to scrape ({@link #select})
     * @param force   ignore validators, content hashes and re-scrape intervals
     * @return one result per source, in their order
     */
    public List<SourceResult> runSources(List<Source> sources, boolean force) {
        long t0 = System.nanoTime();
        LOG.log(System.Logger.Level.INFO, "scraping {0} sources ({1} at a time){2}{3}", sources.size(),
                config.parallelism(), force ? ", forced" : "",
                config.http().mirror().map(m -> ", mirror " + m).orElse(""));
        AtomicInteger done = new AtomicInteger();
        List<Future<SourceResult>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(config.parallelism(), sources.size()),
                Thread.ofPlatform().name("scrape-", 0).daemon(true).factory())) {
            for (Source s : sources) {
                futures.add(pool.submit(() -> {
                    SourceResult r = runner.run(s, force);
                    int n = done.incrementAndGet();
                    double secs = (System.nanoTime() - t0) / 1e9;
                    LOG.log(System.Logger.Level.INFO, "progress: {0}/{1} sources, {2} s elapsed, ETA {3} s", n,
                            sources.size(), fmt(secs), fmt(secs / n * (sources.size() - n)));
                    return r;
                }));
            }
            List<SourceResult> results = new ArrayList<>();
            for (Future<SourceResult> f : futures) {
                results.add(f.get());
            }
            long failed = results.stream().filter(r -> r.result() == Outcome.Failed).count();
            long changed = results.stream().filter(r -> r.result() == Outcome.Changed).count();
            long skipped = results.stream().filter(r -> r.result() == Outcome.Skipped).count();
            LOG.log(System.Logger.Level.INFO, "scrape done in {0} s: {1} changed, {2} unchanged, {3} skipped, {4} failed",
                    fmt((System.nanoTime() - t0) / 1e9), changed, results.size() - changed - skipped - failed, skipped,
                    failed);
            return results;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("scrape interrupted", ex);
        } catch (ExecutionException ex) {
            throw new IllegalStateException("scrape crashed: " + ex.getCause(), ex.getCause());
        }
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.1f", v);
    }

    @Override
    public void close() {
        http.close();
    }
}
