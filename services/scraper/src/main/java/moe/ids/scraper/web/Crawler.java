package moe.ids.scraper.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.CollectionType;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Metrics;
import moe.ids.core.error.IdsMoeException;
import moe.ids.scraper.http.UpstreamException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Fetches the pages ("units": page numbers, offsets or IDs) of one crawl with bounded parallelism and the site's
 * pauses, retrying a failed page, saving every fetched page to the {@link ProgressStore} at once (so a restart
 * skips it), logging progress (pages done / total, records, rate, ETA) and publishing metrics
 * ({@code scraper_web_pages{source,result}}, {@code scraper_web_pages_done{source}},
 * {@code scraper_web_pages_total{source}}).
 *
 * @param <R> record type
 */
public final class Crawler<R> {
    private static final System.Logger LOG = System.getLogger(Crawler.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, AtomicLong> DONE = new ConcurrentHashMap<>();
    private static final Map<String, AtomicLong> TOTAL = new ConcurrentHashMap<>();
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;
    /**
     * Pages fetched at once from a mirror, at the least: a site's own limit spares the site, and a mirror is a local
     * replay (its pauses are off too), so a site limited to one page at a time no longer leaves a core idle.
     */
    private static final int MIRROR_CONCURRENCY = 4;

    private final String source;
    private final SiteSettings site;
    private final Pacer pacer;
    private final ProgressStore progress;
    private final CollectionType listType;

    /** Fetches one page. */
    @FunctionalInterface
    public interface PageFetcher<R> {
        /**
         * @param unit page number, offset or ID
         * @return its records
         * @throws PageException    when the page is unusable (retried)
         * @throws UpstreamException when the request failed after its HTTP retries (retried)
         */
        List<R> fetch(int unit);
    }

    /**
     * The outcome of a crawl.
     *
     * @param pages   records of every page now fetched (resumed ones included), by unit
     * @param failed  why each failed page failed, by unit
     * @param fetched pages fetched in this run
     * @param preloaded pages given to the crawl already fetched (resumed from an unfinished run, or probed)
     * @param <R>     record type
     */
    public record Result<R>(SortedMap<Integer, List<R>> pages, SortedMap<Integer, String> failed, int fetched,
                            int preloaded) {
        /**
         * @return all records in unit order
         */
        public List<R> records() {
            List<R> out = new ArrayList<>();
            pages.values().forEach(out::addAll);
            return out;
        }
    }

    /**
     * @param source   source name (logs, metrics, progress)
     * @param site     concurrency and page attempts
     * @param pacer    pauses
     * @param progress where fetched pages are saved
     * @param type     record type (to read saved pages back)
     */
    public Crawler(String source, SiteSettings site, Pacer pacer, ProgressStore progress, Class<R> type) {
        this.source = source;
        this.site = site;
        this.pacer = pacer;
        this.progress = progress;
        this.listType = JSON.getTypeFactory().constructCollectionType(List.class, type);
    }

    /**
     * @param records records of a page
     * @return them as saved in the progress store
     */
    public String encode(List<R> records) {
        try {
            return JSON.writeValueAsString(records);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot encode records of " + source, ex);
        }
    }

    /**
     * @param json records as saved
     * @return the records
     */
    public List<R> decode(String json) {
        try {
            return JSON.readValue(json, listType);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("saved progress of " + source + " does not read back", ex);
        }
    }

    /**
     * Saves a page fetched outside the crawl (e.g. while probing for the last page).
     *
     * @param unit    page
     * @param records its records
     */
    public void save(int unit, List<R> records) {
        progress.save(source, unit, encode(records));
    }

    /**
     * Fetches every unit not already done.
     *
     * @param units   all units of the plan, in order
     * @param done    units already fetched (resumed or probed) and their records
     * @param fetcher fetches one unit
     * @param label   how a unit is named in messages (e.g. {@code page 5}, {@code dbt=30})
     * @return pages and failures
     * @throws UpstreamException when interrupted (what was saved stays saved)
     */
    public Result<R> crawl(List<Integer> units, Map<Integer, List<R>> done, PageFetcher<R> fetcher,
                           IntFunction<String> label) {
        SortedMap<Integer, List<R>> pages = Collections.synchronizedSortedMap(new TreeMap<>());
        SortedMap<Integer, String> failed = Collections.synchronizedSortedMap(new TreeMap<>());
        int resumed = 0;
        for (int u : units) {
            List<R> d = done.get(u);
            if (d != null) {
                pages.put(u, d);
                resumed++;
            }
        }
        List<Integer> todo = units.stream().filter(u -> !done.containsKey(u)).toList();
        int total = units.size();
        AtomicInteger fetched = new AtomicInteger();
        AtomicLong records = new AtomicLong(pages.values().stream().mapToLong(List::size).sum());
        gauge(DONE, "scraper_web_pages_done").set(pages.size());
        gauge(TOTAL, "scraper_web_pages_total").set(total);
        long t0 = System.nanoTime();
        AtomicLong lastLog = new AtomicLong(t0);
        int concurrency = pacer.enabled() ? site.concurrency() : Math.max(site.concurrency(), MIRROR_CONCURRENCY);
        LOG.log(System.Logger.Level.INFO, "{0}: crawling {1} of {2} pages ({3} already fetched), {4} at a time{5}",
                source, todo.size(), total, resumed, concurrency,
                pacer.enabled() ? ", " + site.delayMin().toMillis() + "–" + site.delayMax().toMillis()
                        + " ms apart" : ", no pauses (mirror)");
        int done0 = resumed;
        int threads = Math.max(1, Math.min(concurrency, todo.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads,
                Thread.ofPlatform().name(source + "-crawl-", 0).daemon(true).factory());
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int unit : todo) {
                futures.add(pool.submit(() -> {
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    String why = null;
                    for (int attempt = 1; attempt <= site.pageAttempts(); attempt++) {
                        if (attempt > 1) {
                            pacer.beforeRetry(attempt - 1);
                        }
                        pacer.beforeRequest();
                        try {
                            List<R> rs = fetcher.fetch(unit);
                            if (Thread.currentThread().isInterrupted()) {
                                return; // the read may have been cut short by the interrupt: never save it
                            }
                            progress.save(source, unit, encode(rs));
                            pages.put(unit, rs);
                            records.addAndGet(rs.size());
                            why = null;
                            break;
                        } catch (PageException | UpstreamException ex) {
                            if (Thread.currentThread().isInterrupted()) {
                                return;
                            }
                            why = ex.getMessage();
                            LOG.log(System.Logger.Level.WARNING, "{0}: {1} failed (attempt {2}/{3}): {4}", source,
                                    label.apply(unit), attempt, site.pageAttempts(), why);
                        }
                    }
                    if (why != null) {
                        failed.put(unit, why);
                        count("failed");
                    } else {
                        count("fetched");
                    }
                    int n = fetched.incrementAndGet();
                    gauge(DONE, "scraper_web_pages_done").set(done0 + n - failed.size());
                    long now = System.nanoTime();
                    long prev = lastLog.get();
                    if ((now - prev >= LOG_EVERY_NANOS || n == todo.size()) && lastLog.compareAndSet(prev, now)) {
                        double secs = (now - t0) / 1e9;
                        double rate = n / Math.max(secs, 1e-3);
                        LOG.log(System.Logger.Level.INFO, "{0}: {1}/{2} pages ({3}%), {4} records, {5} pages/s, "
                                        + "ETA {6} s{7}", source, done0 + n, total,
                                (done0 + n) * 100 / Math.max(total, 1), records.get(), fmt(rate),
                                fmt((todo.size() - n) / rate), failed.isEmpty() ? "" : ", " + failed.size() + " failed");
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException ex) {
            pool.shutdownNow();
            try {
                // let in-flight pages finish saving, so the next run sees a settled state
                pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException again) {
                // give up waiting
            }
            Thread.currentThread().interrupt();
            throw new UpstreamException(source + ": crawl interrupted after " + fetched.get() + " pages; "
                    + "the fetched pages are saved and the next run resumes", 0, ex);
        } catch (ExecutionException ex) {
            pool.shutdownNow();
            Throwable cause = ex.getCause();
            if (cause instanceof IdsMoeException ime) {
                throw ime;
            }
            throw new IllegalStateException(source + ": crawl crashed: " + cause, cause);
        } finally {
            pool.shutdown();
        }
        count("preloaded", resumed);
        double secs = (System.nanoTime() - t0) / 1e9;
        LOG.log(System.Logger.Level.INFO, "{0}: crawl done in {1} s: {2} pages fetched, {3} fetched before, {4} failed, "
                + "{5} records", source, fmt(secs), fetched.get() - failed.size(), resumed, failed.size(), records.get());
        return new Result<>(new TreeMap<>(pages), new TreeMap<>(failed), fetched.get() - failed.size(), resumed);
    }

    private void count(String result) {
        count(result, 1);
    }

    private void count(String result, long n) {
        if (n > 0) {
            Metrics.globalRegistry().getOrCreate(Counter.builder("scraper_web_pages")
                    .tags(Metrics.tags("source", source, "result", result))).increment(n);
        }
    }

    private AtomicLong gauge(Map<String, AtomicLong> map, String name) {
        return map.computeIfAbsent(source + "|" + name, k -> {
            AtomicLong v = new AtomicLong();
            Metrics.globalRegistry().getOrCreate(Gauge.builder(name, v, AtomicLong::doubleValue)
                    .tags(Metrics.tags("source", source)));
            return v;
        });
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
