package moe.ids.api;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Timer;
import moe.ids.api.store.Datasets;
import moe.ids.api.store.EntryStore;
import moe.ids.store.ScriptPipe;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.ToLongFunction;

/**
 * The API's meters (in {@code /observe/metrics}): {@code api_requests_total{route,status}},
 * {@code api_request_seconds{route}} (histogram), {@code api_near_cache_hits_total},
 * {@code api_near_cache_misses_total}, {@code api_near_cache_hit_ratio}, {@code api_near_cache_entries},
 * {@code api_near_cache_bytes} (heap its entries retain, by their weights) and {@code api_near_cache_max_bytes} (its
 * budget), {@code api_near_cache_live} (1 while the invalidation channel is subscribed); of the pipelined Redis lookups:
 * {@code api_redis_call_seconds} (histogram: from writing a command to reading its answer),
 * {@code api_redis_lookups_total}, {@code api_redis_script_calls_total} and {@code api_redis_flushes_total}
 * (lookups per script call and per socket write are their ratios); {@code api_dataset_snapshots_total} and
 * {@code api_dump_builds_total} (dumps are prepared once per applied version). Meters live in Helidon's global
 * registry (once per process): where a process runs several APIs (tests, the benchmark), the gauges report the most
 * recently started.
 */
public final class ApiMetrics {
    private static final Duration[] REDIS_BUCKETS = {Duration.ofNanos(100_000), Duration.ofNanos(250_000),
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(100), Duration.ofSeconds(1),
            Duration.ofSeconds(5)};
    /**
     * Timers publish buckets only: Helidon's default client-side quantiles cost an HdrHistogram update per request,
     * and quantiles of one replica cannot be aggregated (Prometheus' {@code histogram_quantile} over the buckets can).
     */
    private static final double[] NO_QUANTILES = {};
    private static final Duration[] BUCKETS = {Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofSeconds(1), Duration.ofSeconds(5)};

    /**
     * The APIs of this process that are open, oldest first; the process-wide gauges report the newest (tests start
     * several in one JVM, and a closed one hands the gauges back).
     */
    private static final java.util.concurrent.ConcurrentLinkedDeque<Sources> OPEN =
            new java.util.concurrent.ConcurrentLinkedDeque<>();
    private static final Sources NONE = new Sources(null, null, null);

    private final MeterRegistry registry;
    private final Sources mine;

    /** The objects behind the gauges. */
    private record Sources(EntryStore store, ScriptPipe pipe, Datasets datasets) {
    }
    private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();

    /**
     * The Redis round-trip histogram, for {@link ScriptPipe}'s listener (built before the pipe, hence static).
     *
     * @return a consumer of round-trip times in nanoseconds
     */
    public static LongConsumer redisRoundTrips() {
        Timer t = Metrics.globalRegistry().getOrCreate(Timer.builder("api_redis_call_seconds").buckets(REDIS_BUCKETS)
                .percentiles(NO_QUANTILES)
                .description("time from writing a command to Redis (one script call carries the lookups of one "
                        + "flush) to reading its answer"));
        return nanos -> t.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Registers the gauges (once per process) and points them at this API's store, pipe and datasets.
     *
     * @param store    the store whose near cache is reported
     * @param pipe     the pipelined lookup connections whose counts are reported, or null when lookups use the pool
     * @param datasets the dumps and one-to-many indexes whose preparation is counted
     */
    public ApiMetrics(EntryStore store, ScriptPipe pipe, Datasets datasets) {
        this.registry = Metrics.globalRegistry();
        mine = new Sources(store, pipe, datasets);
        OPEN.addLast(mine);
        registry.getOrCreate(Gauge.builder("api_dataset_snapshots_total",
                        () -> fromDatasets(Datasets::snapshots))
                .description("consistent snapshots of the store read for dumps and one-to-many lookups (one per "
                        + "applied version)"));
        registry.getOrCreate(Gauge.builder("api_dump_builds_total", () -> fromDatasets(Datasets::dumpBuilds))
                .description("dump files built (one per file per applied version, never per request)"));
        pipeGauge("api_redis_lookups_total", ScriptPipe::calls,
                "calls made through the Redis pipe (lookups and batches)");
        pipeGauge("api_redis_script_calls_total", ScriptPipe::scripts,
                "lookup script calls written (the calls of one flush share one)");
        pipeGauge("api_redis_flushes_total", ScriptPipe::flushes, "socket writes to Redis");
        registry.getOrCreate(Gauge.builder("api_near_cache_hits_total", () -> fromStore(EntryStore::hits))
                .description("lookups answered by the near cache"));
        registry.getOrCreate(Gauge.builder("api_near_cache_misses_total", () -> fromStore(EntryStore::misses))
                .description("single lookups that went to Redis"));
        registry.getOrCreate(Gauge.builder("api_near_cache_hit_ratio", () -> {
            EntryStore s = current().store();
            if (s == null) {
                return 0.0;
            }
            double h = s.hits();
            double all = h + s.misses();
            return all == 0 ? 0 : h / all;
        }).description("share of single lookups answered by the near cache"));
        registry.getOrCreate(Gauge.builder("api_near_cache_entries", () -> fromStore(e -> e.cache().size()))
                .description("entries held by the near cache"));
        registry.getOrCreate(Gauge.builder("api_near_cache_bytes", () -> fromStore(e -> e.cache().bytes()))
                .description("heap bytes the near cache's entries retain (keys, answers, the cache's own share)"));
        registry.getOrCreate(Gauge.builder("api_near_cache_max_bytes", () -> fromStore(e -> e.cache().maxBytes()))
                .description("the near cache's budget in bytes (api.near-cache-bytes; 0 = off)"));
        registry.getOrCreate(Gauge.builder("api_near_cache_live",
                        () -> fromStore(e -> e.cache().usable() ? 1 : 0))
                .description("1 while the near cache is enabled and subscribed to invalidations"));
    }

    /** Hands the gauges back to the API opened before this one (or to zeros). */
    public void close() {
        OPEN.removeFirstOccurrence(mine);
    }

    private static Sources current() {
        Sources s = OPEN.peekLast();
        return s == null ? NONE : s;
    }

    private static double fromStore(ToLongFunction<EntryStore> value) {
        EntryStore s = current().store();
        return s == null ? 0.0 : (double) value.applyAsLong(s);
    }

    private static double fromDatasets(ToLongFunction<Datasets> value) {
        Datasets d = current().datasets();
        return d == null ? 0.0 : (double) value.applyAsLong(d);
    }

    private void pipeGauge(String name, ToLongFunction<ScriptPipe> value, String description) {
        registry.getOrCreate(Gauge.builder(name, () -> {
            ScriptPipe p = current().pipe();
            return p == null ? 0.0 : (double) value.applyAsLong(p);
        }).description(description));
    }

    /**
     * @param route  route name (low cardinality)
     * @param status HTTP status code
     * @param nanos  time spent
     */
    public void record(String route, int status, long nanos) {
        RouteMeters m = routes.get(route);
        if (m == null) {
            m = routes.computeIfAbsent(route, RouteMeters::new);
        }
        m.record(status, nanos);
    }

    /** Meters of one route: the latency timer and one counter per status, created on first use. */
    private final class RouteMeters {
        private final String route;
        private final Timer latency;
        private final java.util.concurrent.atomic.AtomicReferenceArray<Counter> byStatus =
                new java.util.concurrent.atomic.AtomicReferenceArray<>(600);

        RouteMeters(String route) {
            this.route = route;
            this.latency = registry.getOrCreate(Timer.builder("api_request_seconds")
                    .tags(List.of(Metrics.tag("route", route))).buckets(BUCKETS).percentiles(NO_QUANTILES)
                    .description("time from routing to the response being sent"));
        }

        void record(int status, long nanos) {
            int s = status >= 100 && status < 600 ? status : 599;
            Counter c = byStatus.get(s);
            if (c == null) {
                c = registry.getOrCreate(Counter.builder("api_requests")
                        .tags(List.of(Metrics.tag("route", route), Metrics.tag("status", Integer.toString(s))))
                        .description("HTTP requests by route and status"));
                byStatus.set(s, c);
            }
            c.increment();
            latency.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
