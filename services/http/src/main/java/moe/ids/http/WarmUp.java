package moe.ids.http;

import java.util.List;

/**
 * Start-up work done beside the main thread. A server's start is one thread loading its configuration, then its
 * clients, then its web server, while the second core stays idle; the first use of a library initializes it (Helidon's
 * metrics registry: about 130 ms of an API start that takes about 550 ms from its start-up cache). Touching those
 * libraries on a thread of their own as the process starts does the same work sooner, beside the configuration: the
 * main thread then finds them ready. A step that fails is only logged (the main thread meets the same failure where
 * it can report it).
 */
public final class WarmUp {
    private static final System.Logger LOG = System.getLogger(WarmUp.class.getName());

    private WarmUp() {
    }

    /**
     * The first use of what the first log line goes through: {@link String#format} of a date and time (the locale
     * data behind it) and {@link java.text.MessageFormat} of a parameter. The main thread's first line otherwise
     * spends about 40 ms there.
     */
    public static void logLine() {
        String.format("%1$tY-%1$tm-%1$tdT%1$tH:%1$tM:%1$tS.%1$tL %2$s", java.time.ZonedDateTime.now(),
                java.text.MessageFormat.format("{0}", "warm-up"));
    }

    /**
     * Runs the steps in order on a daemon thread of their own.
     *
     * @param name  the thread's name
     * @param steps first uses of what the start will need (a registry, builders)
     * @return the thread (nothing waits for it)
     */
    public static Thread start(String name, Runnable... steps) {
        List<Runnable> all = List.of(steps);
        return Thread.ofPlatform().daemon().name(name).start(() -> {
            for (Runnable step : all) {
                try {
                    step.run();
                } catch (RuntimeException | LinkageError ex) {
                    LOG.log(System.Logger.Level.DEBUG, "start-up warm-up step failed", ex);
                }
            }
        });
    }
}
