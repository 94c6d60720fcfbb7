package moe.ids.merger.operator;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

/**
 * The Refresh controller's meters: {@code refresh_runs_total{result,reason}} (each Refresh this replica finished,
 * by outcome and the Ready condition's reason) and {@code refresh_last_success_timestamp_seconds} (when the newest
 * Succeeded Refresh finished, read from the leader's informer; 0 on a standby or before any success), which the
 * chart's alerts and dashboard use for failed refreshes and stale data.
 */
public final class ControllerMetrics {
    /**
     * The gauge is registered once per registry, so it reads whichever controller was built last (a process runs
     * one; tests build several in one JVM).
     */
    private static final AtomicReference<DoubleSupplier> LAST_SUCCESS = new AtomicReference<>(() -> 0);

    private final MeterRegistry registry;
    private final Map<String, Counter> runs = new ConcurrentHashMap<>();

    /**
     * @param lastSuccess epoch seconds of the newest success, 0 when unknown
     */
    public ControllerMetrics(DoubleSupplier lastSuccess) {
        this(Metrics.globalRegistry(), lastSuccess);
    }

    ControllerMetrics(MeterRegistry registry, DoubleSupplier lastSuccess) {
        this.registry = registry;
        LAST_SUCCESS.set(lastSuccess);
        registry.getOrCreate(Gauge.builder("refresh_last_success_timestamp_seconds",
                        () -> LAST_SUCCESS.get().getAsDouble())
                .description("when the newest Succeeded Refresh finished (epoch seconds; 0 on a standby)"));
    }

    /**
     * @param result Succeeded or Failed
     * @param reason the Ready condition's reason
     */
    void finished(String result, String reason) {
        runs.computeIfAbsent(result + "/" + reason, k -> registry.getOrCreate(Counter.builder("refresh_runs")
                .tags(List.of(Metrics.tag("result", result), Metrics.tag("reason", reason)))
                .description("Refreshes finished by this replica, by outcome"))).increment();
    }
}
