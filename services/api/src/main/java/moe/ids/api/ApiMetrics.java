package moe.ids.api;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Timer;
import moe.ids.api.store.EntryStore;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The API's meters (in {@code /observe/metrics}): {@code api_requests_total{route,status}},
 * {@code api_request_seconds{route}} (histogram), {@code api_near_cache_hits_total},
 * {@code api_near_cache_misses_total}, {@code api_near_cache_hit_ratio}, {@code api_near_cache_entries},
 * {@code api_near_cache_live} (1 while the invalidation channel is subscribed).
 */
public final class ApiMetrics {
    private static final Duration[] BUCKETS = {Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofSeconds(1), Duration.ofSeconds(5)};

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();

    /**
     * @param store the store whose near cache is reported
     */
    public ApiMetrics(EntryStore store) {
        this.registry = Metrics.globalRegistry();
        registry.getOrCreate(Gauge.builder("api_near_cache_hits_total", store::hits)
                .description("lookups answered by the near cache"));
        registry.getOrCreate(Gauge.builder("api_near_cache_misses_total", store::misses)
                .description("single lookups that went to Redis"));
        registry.getOrCreate(Gauge.builder("api_near_cache_hit_ratio", () -> {
            double h = store.hits();
            double all = h + store.misses();
            return all == 0 ? 0 : h / all;
        }).description("share of single lookups answered by the near cache"));
        registry.getOrCreate(Gauge.builder("api_near_cache_entries", () -> (double) store.cache().size())
                .description("entries held by the near cache"));
        registry.getOrCreate(Gauge.builder("api_near_cache_live", () -> store.cache().usable() ? 1.0 : 0.0)
                .description("1 while the near cache is enabled and subscribed to invalidations"));
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
                    .tags(List.of(Metrics.tag("route", route))).buckets(BUCKETS)
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
