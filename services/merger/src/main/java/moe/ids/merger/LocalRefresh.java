package moe.ids.merger;

import io.helidon.config.Config;
import moe.ids.core.config.Settings;
import moe.ids.db.Database;
import moe.ids.db.Migrations;
import moe.ids.db.RefreshLock;
import moe.ids.db.Fatal;
import moe.ids.core.error.IdsMoeException;
import moe.ids.core.snapshot.RunArgs;
import moe.ids.scraper.Scraper;
import moe.ids.scraper.ScraperConfig;
import moe.ids.scraper.source.Outcome;
import moe.ids.scraper.source.SourceResult;
import com.zaxxer.hikari.HikariDataSource;

import java.time.Duration;
import java.util.List;

/**
 * One refresh in the foreground without Kubernetes ({@code bin/ids-moe refresh}): scrape → merge, the same
 * steps the Refresh controller runs; the launcher then runs the ingestor's one-shot sync. The whole refresh holds
 * the database's {@link RefreshLock} (exclusive): while another refresh runs it waits up to
 * {@code merger.refresh-lock-wait-seconds}, then refuses. Exit code 0 on success, 3 when some sources failed (the
 * others were merged), 75 when another refresh holds the database (nothing was changed), 1 with one line saying
 * why otherwise.
 * The upstream mirror (for {@code --mirror}) arrives as {@code UPSTREAM_MIRROR}, the replay server's base URL.
 */
final class LocalRefresh {
    private static final System.Logger LOG = System.getLogger(LocalRefresh.class.getName());

    private LocalRefresh() {
    }

    /**
     * @param config root config
     * @param cfg    merger settings
     * @param args   {@code [--source NAME]... [--force]}
     * @return process exit code
     */
    static int run(Config config, MergerConfig cfg, List<String> args) {
        RunArgs parsed;
        try {
            parsed = RunArgs.parse(args);
        } catch (moe.ids.core.error.BadRequestException ex) {
            return usage(ex.getMessage());
        }
        List<String> sources = parsed.sources();
        boolean force = parsed.force();
        try {
            Database.ensureExists(cfg.database());
            Migrations.migrate(cfg.database());
            try (RefreshLock lock = RefreshLock.acquire(() -> Database.connect(cfg.database()),
                    RefreshLock.Mode.EXCLUSIVE, "merger refresh", lockWait(config))) {
                return refresh(config, cfg, sources, force);
            }
        } catch (RuntimeException ex) {
            return Fatal.report(LOG, "refresh", ex, cfg.database());
        }
    }

    /** Scrape, merge and publish, under the refresh lock. */
    private static int refresh(Config config, MergerConfig cfg, List<String> sources, boolean force) {
        LOG.log(System.Logger.Level.INFO, "refresh: sources={0} force={1}", sources.isEmpty() ? "all" : sources, force);
        ScraperConfig scraperConfig = ScraperConfig.from(config);
        try (HikariDataSource db = Database.pool(cfg.database(), "refresh", scraperConfig.parallelism() + 5)) {
            List<SourceResult> results;
            try (Scraper scraper = new Scraper(scraperConfig, db)) {
                results = scraper.run(sources, force);
            }
            long failed = results.stream().filter(r -> r.result() == Outcome.Failed).count();
            boolean changed = results.stream().anyMatch(r -> r.result() == Outcome.Changed);
            if (failed == results.size()) {
                throw new IdsMoeException("every source failed; nothing to merge");
            }
            MergeService.Outcome merged = new MergeService(db, cfg.mergeSettings(), cfg.maxDeleteShare()).run(force);
            LOG.log(System.Logger.Level.INFO, "refresh: {0} sources scraped ({1} failed, {2}), version {3} {4}",
                    results.size(), failed, changed ? "some changed" : "none changed", merged.version(),
                    merged.published() ? "published" : "unchanged");
            return failed > 0 ? 3 : 0;
        }
    }

    /**
     * @param config root config
     * @return how long a refresh waits for another one on the same database before refusing
     *         ({@code merger.refresh-lock-wait-seconds}, default 0: refuse at once)
     */
    static Duration lockWait(Config config) {
        return Duration.ofSeconds(Settings.intIn(config, "merger.refresh-lock-wait-seconds", 0, 0, 86_400));
    }

    private static int usage(String why) {
        LOG.log(System.Logger.Level.ERROR, "refresh: {0}; usage: refresh [--source NAME]... [--force]", why);
        return 64;
    }
}
