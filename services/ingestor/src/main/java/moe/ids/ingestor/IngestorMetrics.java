package moe.ids.ingestor;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ingestor's meters (Helidon metrics, Prometheus at {@code /observe/metrics}):
 * {@code ingestor_applied_version}, {@code ingestor_outbox_version}, {@code ingestor_lag_versions},
 * {@code ingestor_lag_seconds} (age of the oldest change set not yet applied, 0 when caught up),
 * {@code ingestor_apply_seconds} (timer, tag {@code kind=incremental|full}), {@code ingestor_keys_written},
 * {@code ingestor_keys_deleted} (hash fields and keys), {@code ingestor_resyncs}.
 */
public final class IngestorMetrics implements moe.ids.store.WriteMetrics {
    private final AtomicLong applied = new AtomicLong(-1);
    private final AtomicLong outbox = new AtomicLong(0);
    private final AtomicReference<Instant> pendingSince = new AtomicReference<>();
    private final Timer incremental;
    private final Timer full;
    private final Counter written;
    private final Counter deleted;
    private final Counter resyncs;

    /**
     * Registers the meters in the global registry (idempotent: instances share the registered meters).
     */
    public IngestorMetrics() {
        this(Metrics.globalRegistry());
    }

    IngestorMetrics(MeterRegistry r) {
        r.getOrCreate(Gauge.builder("ingestor_applied_version", applied::get)
                .description("change-set version Redis holds (-1 before the first sync)"));
        r.getOrCreate(Gauge.builder("ingestor_outbox_version", outbox::get)
                .description("newest change-set version in the outbox"));
        r.getOrCreate(Gauge.builder("ingestor_lag_versions", () -> Math.max(0, outbox.get() - applied.get()))
                .description("versions published but not applied yet"));
        r.getOrCreate(Gauge.builder("ingestor_lag_seconds", this::lagSeconds)
                .description("age of the oldest change set not applied yet (0 when caught up)"));
        incremental = r.getOrCreate(Timer.builder("ingestor_apply_seconds").tags(java.util.List.of(
                Metrics.tag("kind", "incremental"))).description("time to apply one change set"));
        full = r.getOrCreate(Timer.builder("ingestor_apply_seconds").tags(java.util.List.of(
                Metrics.tag("kind", "full"))).description("time of a full resync"));
        written = r.getOrCreate(Counter.builder("ingestor_keys_written")
                .description("hash fields and keys written to Redis"));
        deleted = r.getOrCreate(Counter.builder("ingestor_keys_deleted")
                .description("hash fields and keys deleted from Redis"));
        resyncs = r.getOrCreate(Counter.builder("ingestor_resyncs").description("full resyncs switched in"));
    }

    void applied(long version) {
        applied.set(version);
    }

    void outbox(long version, Instant oldestPending) {
        outbox.set(version);
        pendingSince.set(oldestPending);
    }

    void caughtUp() {
        pendingSince.set(null);
    }

    @Override
    public void incremental(Duration d) {
        incremental.record(d);
    }

    @Override
    public void full(Duration d) {
        full.record(d);
        resyncs.increment();
    }

    @Override
    public void written(long n) {
        written.increment(n);
    }

    @Override
    public void deleted(long n) {
        deleted.increment(n);
    }

    /**
     * @return the applied version as last seen (-1 before the first sync)
     */
    public long appliedVersion() {
        return applied.get();
    }

    private double lagSeconds() {
        Instant since = pendingSince.get();
        return since == null ? 0 : Math.max(0, Duration.between(since, Instant.now()).toMillis() / 1000.0);
    }
}
