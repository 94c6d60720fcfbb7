package moe.ids.scraper.source;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Timer;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.scraper.http.UpstreamClient;
import moe.ids.scraper.http.UpstreamException;
import moe.ids.scraper.store.SnapshotStore;
import moe.ids.db.snapshot.SourceState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one source: conditional fetch → content hash → parse → validate → store, recording every attempt.
 * A source is Unchanged only on a 304 or when the SHA-256 of the content equals the last good one; anything
 * that fails keeps the last good snapshot and is reported as Failed with the source and the cause.
 */
public final class SourceRunner {
    private static final System.Logger LOG = System.getLogger(SourceRunner.class.getName());
    private static final Map<String, AtomicLong> RECORDS = new ConcurrentHashMap<>();

    private final UpstreamClient http;
    private final SnapshotStore store;
    private final double floor;
    private final int minRecords;

    /**
     * @param http       HTTP client
     * @param store      snapshot storage
     * @param floor      smallest accepted share of the last good record count (0.5 = at least half)
     * @param minRecords smallest accepted record count of any snapshot
     */
    public SourceRunner(UpstreamClient http, SnapshotStore store, double floor, int minRecords) {
        this.http = http;
        this.store = store;
        this.floor = floor;
        this.minRecords = minRecords;
    }

    /**
     * @param source the source
     * @param force  ignore validators and the content hash; store a new snapshot even when unchanged
     * @return what happened
     */
    public SourceResult run(Source source, boolean force) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        SourceState previous = store.state(source.name()).orElse(null);
        int lastCount = previous == null ? 0 : previous.recordCount();
        Fetched fetched = null;
        String sha = null;
        SourceResult result;
        try {
            Optional<String> skip = source.skipReason(previous, force, http.settings());
            if (skip.isPresent()) {
                result = done(source, Outcome.Skipped, lastCount, 0, t0, 0, skip.get());
                store.recordAttempt(result, started, null, null, null);
                report(result);
                return result;
            }
            fetched = source.fetch(http, previous, force);
            if (fetched.notModified()) {
                result = done(source, Outcome.Unchanged, lastCount, 0, t0, fetched.httpStatus(), "not modified");
                store.recordAttempt(result, started, previous.etag(), previous.lastModified(), previous.contentSha256());
            } else {
                sha = CanonicalJson.sha256Hex(fetched.raw());
                if (!force && previous != null && sha.equals(previous.contentSha256())) {
                    result = done(source, Outcome.Unchanged, lastCount, fetched.raw().length, t0, fetched.httpStatus(),
                            withNote("same content", fetched));
                    store.recordAttempt(result, started, fetched.etag(), fetched.lastModified(), sha);
                } else {
                    List<?> records = source.parse(fetched.raw());
                    validate(records.size(), lastCount);
                    result = done(source, Outcome.Changed, records.size(), fetched.raw().length, t0,
                            fetched.httpStatus(), withNote(previous == null ? "first snapshot"
                                    : "records " + lastCount + " → " + records.size(), fetched));
                    store.accept(new SnapshotStore.Accepted(source.name(), fetched.raw(), fetched.rawEncoding(), sha,
                            fetched.etag(), fetched.lastModified(), records), result, started);
                }
            }
        } catch (InvalidSourceException | UpstreamException ex) {
            result = failed(source, ex.getMessage(), fetched, lastCount, t0, ex instanceof UpstreamException u ? u.status() : 0);
            store.recordAttempt(result, started, fetched == null ? null : fetched.etag(),
                    fetched == null ? null : fetched.lastModified(), sha);
        } catch (RuntimeException ex) {
            result = failed(source, ex.getClass().getSimpleName() + ": " + ex.getMessage(), fetched, lastCount, t0, 0);
            store.recordAttempt(result, started, null, null, sha);
        }
        report(result);
        return result;
    }

    private void validate(int count, int lastCount) {
        if (count < minRecords) {
            throw new InvalidSourceException(count + " records, fewer than the minimum of " + minRecords);
        }
        long needed = (long) Math.ceil(lastCount * floor);
        if (count < needed) {
            throw new InvalidSourceException(count + " records, below the floor of " + needed + " ("
                    + Math.round(floor * 100) + "% of the last good " + lastCount + ")");
        }
    }

    private static String withNote(String message, Fetched fetched) {
        return fetched.note() == null || fetched.note().isBlank() ? message : message + "; " + fetched.note();
    }

    private static SourceResult failed(Source source, String why, Fetched fetched, int lastCount, long t0, int status) {
        int s = status != 0 ? status : fetched == null ? 0 : fetched.httpStatus();
        long bytes = fetched == null ? 0 : fetched.raw().length;
        return done(source, Outcome.Failed, lastCount, bytes, t0, s,
                source.name() + ": " + Objects.requireNonNullElse(why, "unknown error") + "; last good snapshot kept");
    }

    private static SourceResult done(Source source, Outcome outcome, int records, long bytes, long t0, int status,
                                     String message) {
        return new SourceResult(source.name(), outcome, records, bytes, (System.nanoTime() - t0) / 1_000_000, status,
                message);
    }

    private static void report(SourceResult r) {
        System.Logger.Level level = r.result() == Outcome.Failed ? System.Logger.Level.WARNING : System.Logger.Level.INFO;
        LOG.log(level, "{0}: {1}, {2} records, {3} bytes, {4} s — {5}", r.source(), r.result(), r.records(),
                r.bytes(), String.format(java.util.Locale.ROOT, "%.2f", r.durationMs() / 1000.0), r.message());
        var registry = Metrics.globalRegistry();
        registry.getOrCreate(Counter.builder("scraper_source_runs")
                .tags(Metrics.tags("source", r.source(), "result", r.result().name()))).increment();
        registry.getOrCreate(Counter.builder("scraper_source_bytes")
                .tags(Metrics.tags("source", r.source()))).increment(r.bytes());
        registry.getOrCreate(Timer.builder("scraper_source_duration")
                .tags(Metrics.tags("source", r.source()))).record(Duration.ofMillis(r.durationMs()));
        AtomicLong records = RECORDS.computeIfAbsent(r.source(), name -> {
            AtomicLong v = new AtomicLong();
            registry.getOrCreate(Gauge.builder("scraper_source_records", v, AtomicLong::doubleValue)
                    .tags(Metrics.tags("source", name)));
            return v;
        });
        records.set(r.records());
    }
}
