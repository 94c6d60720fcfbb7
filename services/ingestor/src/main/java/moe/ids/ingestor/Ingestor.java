package moe.ids.ingestor;

import moe.ids.store.Published;
import moe.ids.store.Meta;
import moe.ids.store.RedisStore;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.db.Listener;
import moe.ids.store.RedisFailures;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps Redis equal to the merger's published state: waits for {@code NOTIFY ids_moe_change_set} (or polls when
 * the listening connection is down), then {@link #syncOnce() syncs} — applies the outbox chain from Redis' version
 * in order, or rebuilds with a staged full load when Redis is empty, broken, ahead, or further behind than the
 * outbox reaches. Failures back off exponentially; while Redis is down it is PINGed at a short interval, so a Redis
 * that comes back is resynced at once rather than after the grown backoff. The position lives in Redis
 * ({@code meta.version}), so a restart or an outage loses nothing.
 */
public final class Ingestor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Ingestor.class.getName());

    private final Outbox outbox;
    private final RedisStore store;
    private final String consumer;
    private final Duration pollInterval;
    private final Duration maxBackoff;
    private final Duration redisProbe;
    private final IngestorMetrics metrics;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicReference<String> problem = new AtomicReference<>("not synced yet");
    private volatile long reported = -1;
    private volatile Thread thread;
    private volatile Duration waiting;
    private final Listener listen;
    private long lastGc;

    /**
     * @param outbox       PostgreSQL side
     * @param store        Redis side
     * @param listenUrl    where to LISTEN (a dedicated connection, outside the pool)
     * @param consumer     name in {@code ingest_state}
     * @param pollInterval longest wait between syncs (also how fast a flushed Redis is noticed)
     * @param maxBackoff   longest wait after failures
     * @param redisProbe   while Redis is down, how often it is PINGed; the retry follows as soon as it answers
     *                     (zero: wait out the backoff)
     * @param metrics      meters
     */
    public Ingestor(Outbox outbox, RedisStore store, DatabaseUrl listenUrl, String consumer, Duration pollInterval,
                    Duration maxBackoff, Duration redisProbe, IngestorMetrics metrics) {
        this.outbox = outbox;
        this.store = store;
        this.listen = new Listener(listenUrl, Outbox.CHANNEL);
        this.consumer = consumer;
        this.pollInterval = pollInterval;
        this.maxBackoff = maxBackoff;
        this.redisProbe = redisProbe;
        this.metrics = metrics;
    }

    /**
     * Starts the loop on its own thread.
     *
     * @return this
     */
    public Ingestor start() {
        if (running.compareAndSet(false, true)) {
            thread = Thread.ofPlatform().name("ingestor").daemon(true).start(this::loop);
        }
        return this;
    }

    /**
     * @return empty when the last sync succeeded and Redis holds the outbox head, else why not
     */
    public Optional<String> problem() {
        return Optional.ofNullable(problem.get());
    }

    /**
     * @return the wait in progress after a failed pass (the backoff), or empty while syncing or waiting for work
     */
    public Optional<Duration> backoff() {
        return Optional.ofNullable(waiting);
    }

    /**
     * One pass: brings Redis to the newest published version (or leaves it where it is when already there),
     * reports the applied version, and collects abandoned generations now and then.
     *
     * @return the version Redis holds afterwards
     * @throws SQLException when PostgreSQL fails (Redis failures surface as jedis exceptions)
     */
    public long syncOnce() throws SQLException {
        Outbox.Head head = outbox.head();
        Optional<Meta> meta = store.meta();
        if (meta.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "Redis holds no dataset; full resync to version {0}", head.version());
            resync(-1);
        } else if (!store.intact(meta.get())) {
            LOG.log(System.Logger.Level.WARNING, "generation {0} lost its data; full resync", meta.get().generation());
            resync(meta.get().generation());
        } else if (meta.get().version() > head.version()) {
            LOG.log(System.Logger.Level.WARNING, "Redis is at version {0} but the outbox ends at {1} (database "
                    + "reset?); full resync from the published state", meta.get().version(), head.version());
            resync(meta.get().generation());
        } else {
            long at = meta.get().version();
            while (at < head.version()) {
                metrics.outbox(head.version(), outbox.createdAt(at + 1).orElse(head.createdAt()));
                Optional<Outbox.Entry> next = outbox.next(at);
                if (next.isEmpty()) {
                    LOG.log(System.Logger.Level.INFO, "the outbox no longer holds the change set after version {0}; "
                            + "full resync to {1}", at, head.version());
                    resync(-1);
                    break;
                }
                RedisStore.Outcome outcome = store.apply(next.get().changeSet(), next.get().report());
                if (outcome == RedisStore.Outcome.TOO_LARGE) {
                    LOG.log(System.Logger.Level.INFO, "change set {0} is too large for one transaction; staged full "
                            + "load instead", next.get().changeSet().version());
                    resync(-1);
                    break;
                }
                if (outcome == RedisStore.Outcome.NO_DATA) {
                    resync(-1);
                    break;
                }
                at = store.meta().map(Meta::version).orElse(at);
            }
        }
        long applied = store.meta().map(Meta::version).orElse(-1L);
        metrics.applied(applied);
        metrics.outbox(head.version(), null);
        if (applied >= head.version()) {
            metrics.caughtUp();
        }
        if (applied >= 0 && applied != reported) {
            outbox.reportApplied(consumer, applied, Instant.now());
            reported = applied;
        }
        if (System.nanoTime() - lastGc > 60_000_000_000L || lastGc == 0) {
            store.collectGarbage();
            lastGc = System.nanoTime();
        }
        problem.set(applied >= head.version() ? null : "Redis at version " + applied + ", outbox at " + head.version());
        return applied;
    }

    private void resync(long replaceGen) throws SQLException {
        for (int attempt = 0; attempt < 3; attempt++) {
            Published p = outbox.published();
            if (store.load(p, replaceGen)) {
                return;
            }
            Optional<Meta> now = store.meta();
            if (now.isPresent() && now.get().version() >= p.version() && now.get().generation() != replaceGen) {
                return;
            }
        }
        throw new IllegalStateException("full resync did not switch in after 3 attempts");
    }

    private void loop() {
        Duration backoff = Duration.ofMillis(200);
        while (running.get()) {
            Exception failed = null;
            try {
                syncOnce();
                backoff = Duration.ofMillis(200);
            } catch (Exception ex) {
                failed = ex;
                problem.set(ex.getClass().getSimpleName() + ": " + ex.getMessage());
                LOG.log(System.Logger.Level.WARNING, "sync failed (retrying in {0} ms): {1}{2}", backoff.toMillis(),
                        redisDown(ex) ? "Redis (REDIS_URL): " : "", String.valueOf(ex.getMessage()));
            }
            if (!running.get()) {
                break;
            }
            if (failed == null) {
                awaitWork();
            } else {
                retryWait(backoff, redisDown(failed));
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        }
    }

    /**
     * Waits out a failed pass's backoff. When Redis could not be reached, PINGs it every {@code redisProbe} meanwhile
     * and returns as soon as it answers: the backoff grows to {@code maxBackoff} during a long outage, and without the
     * probe a Redis that came back (empty) stayed unsynced — the API answering 503 — for up to that long.
     */
    private void retryWait(Duration backoff, boolean redisDown) {
        waiting = backoff;
        try {
            if (!redisDown || redisProbe.isZero()) {
                pause(backoff);
                return;
            }
            long end = System.nanoTime() + backoff.toNanos();
            while (running.get()) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                pause(Duration.ofNanos(Math.min(left, redisProbe.toNanos())));
                if (running.get() && store.ping()) {
                    LOG.log(System.Logger.Level.INFO, "Redis answers again; syncing now");
                    return;
                }
            }
        } finally {
            waiting = null;
        }
    }

    /**
     * @param ex why a pass failed
     * @return true when Redis could not be reached or cannot serve yet
     */
    static boolean redisDown(Throwable ex) {
        return RedisFailures.unreachable(ex);
    }

    /** Waits for a notification, at most {@code pollInterval}; falls back to a plain wait when LISTEN is down. */
    private void awaitWork() {
        try {
            listen.await(pollInterval).ifPresent(v -> LOG.log(System.Logger.Level.DEBUG, "notified of version {0}", v));
        } catch (SQLException ex) {
            LOG.log(System.Logger.Level.WARNING, "LISTEN connection failed ({0}); polling every {1} s",
                    ex.getMessage(), pollInterval.toSeconds());
            pause(pollInterval);
        }
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    /** Stops the loop and closes the LISTEN connection. */
    @Override
    public void close() {
        running.set(false);
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            listen.close();
            try {
                t.join(10_000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        listen.close();
    }
}
