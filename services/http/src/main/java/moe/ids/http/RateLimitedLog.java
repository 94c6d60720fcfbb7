package moe.ids.http;

import java.text.MessageFormat;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs at most one line per kind of event per interval, saying how many of that kind were left out since the
 * last line: what clients can cause at will must not be able to flood the log.
 */
public final class RateLimitedLog {
    private final System.Logger logger;
    private final long intervalNanos;
    private final java.util.function.LongSupplier clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /**
     * @param logger   where lines go
     * @param interval shortest time between two lines of one kind
     */
    public RateLimitedLog(System.Logger logger, Duration interval) {
        this(logger, interval, System::nanoTime);
    }

    /**
     * @param logger   where lines go
     * @param interval shortest time between two lines of one kind
     * @param clock    nanosecond clock
     */
    RateLimitedLog(System.Logger logger, Duration interval, java.util.function.LongSupplier clock) {
        this.logger = logger;
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
    }

    /**
     * @param level   level
     * @param kind    kind of event (a bounded set: status codes, reasons — never client text)
     * @param pattern {@link MessageFormat} pattern
     * @param args    arguments
     * @return whether a line was written
     */
    public boolean log(System.Logger.Level level, String kind, String pattern, Object... args) {
        if (!logger.isLoggable(level)) {
            return false;
        }
        Window w = windows.computeIfAbsent(kind, k -> new Window());
        long now = clock.getAsLong();
        long last = w.last.get();
        if (last != 0 && now - last < intervalNanos || !w.last.compareAndSet(last, now == 0 ? 1 : now)) {
            w.suppressed.incrementAndGet();
            return false;
        }
        long left = w.suppressed.getAndSet(0);
        String line = MessageFormat.format(pattern, args);
        logger.log(level, left == 0 ? line : line + " (and " + left + " more like it since the last such line)");
        return true;
    }

    private static final class Window {
        private final AtomicLong last = new AtomicLong();
        private final AtomicLong suppressed = new AtomicLong();
    }
}
