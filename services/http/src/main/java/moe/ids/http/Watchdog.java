package moe.ids.http;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.spi.ServerConnection;

/**
 * Closes connections that wait too long: the edge's thread looks at every open connection a few times per shortest
 * timeout and closes those past their step's limit ({@link EdgeConnection#check}). Helidon's own idle check only
 * closes a connection between requests and only when it is not reading a header or body, so a client that sends
 * a request slowly, or nothing after connecting, would hold its socket (and a file descriptor) forever.
 */
final class Watchdog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());

    private final Set<EdgeConnection> open = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> sweeps;
    private final LongAdder closed = new LongAdder();
    private final RateLimitedLog log;

    /**
     * @param cfg   timeouts (the shortest sets how often connections are looked at)
     * @param timer the edge's thread, on which the sweeps run
     */
    Watchdog(EdgeConfig cfg, ScheduledExecutorService timer) {
        long shortest = Math.min(Math.min(cfg.idleTimeout().toMillis(), cfg.headerTimeout().toMillis()),
                Math.min(Math.min(cfg.readTimeout().toMillis(), cfg.writeTimeout().toMillis()),
                        cfg.lingerTimeout().toMillis()));
        long period = Math.clamp(shortest / 4, 25, 1000);
        this.log = new RateLimitedLog(LOG, Duration.ofSeconds(60));
        this.sweeps = timer.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * @param c a new connection
     * @return a connection that leaves the watch when it ends
     */
    ServerConnection track(EdgeConnection c) {
        return new Tracked(c);
    }

    /** @return connections open now */
    int open() {
        return open.size();
    }

    /** @return connections closed for waiting too long, since start */
    long closed() {
        return closed.sum();
    }

    private void sweep() {
        long now = System.nanoTime();
        for (EdgeConnection c : open) {
            try {
                String why = c.check(now);
                if (why != null) {
                    closed.increment();
                    if (!"linger".equals(why)) {
                        log.log(System.Logger.Level.INFO, why,
                                "closed a connection that waited too long ({0})", why);
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "connection check failed", e);
            }
        }
    }

    @Override
    public void close() {
        sweeps.cancel(false);
    }

    /** Registers the connection for the time it is handled. */
    private final class Tracked implements ServerConnection, io.helidon.common.task.InterruptableTask<Void> {
        private final EdgeConnection c;

        Tracked(EdgeConnection c) {
            this.c = c;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            open.add(c);
            try {
                c.handle(limit);
            } finally {
                open.remove(c);
            }
        }

        @Override
        public Duration idleTime() {
            return c.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            c.close(interrupt);
        }

        @Override
        public boolean canInterrupt() {
            return c.canInterrupt();
        }
    }
}
