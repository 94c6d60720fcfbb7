package moe.ids.core.snapshot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A step of a local refresh started ahead of its turn. A refresh runs its steps one after another as separate
 * programs (scrape, merge, sync), and each spends most of a second booting its JVM and opening its connections
 * before it does anything; started with {@value #ENV}{@code =stdin}, a step does that start-up while the step before
 * it runs, then waits for one line on its standard input: {@value #GO} starts its work, anything else or the end of
 * the input (the launcher gone) ends it with nothing done. The line may name the refresh lock's holder after a
 * blank ({@code go 4242}): a step started before the refresh took its lock joins it then. Without the variable a
 * step starts its work at once.
 *
 * <p>A JVM that has run virtual threads over sockets takes about 300 ms to end after {@code System.exit}: HotSpot
 * waits that long for threads in native code, and the JDK's socket pollers always are. So a step also writes its
 * exit code to the file {@value #RESULT_ENV} names, once its work is committed and its connections closed, and the
 * launcher goes on to the next step from there instead of from the process' end.
 */
public final class StepGate {
    /** The environment variable that makes a step wait for its turn on standard input. */
    public static final String ENV = "IDS_MOE_STEP_GATE";
    /** The line that starts the step's work. */
    public static final String GO = "go";
    /** The environment variable naming the file a step writes its exit code to when its work is done. */
    public static final String RESULT_ENV = "IDS_MOE_STEP_RESULT";

    private static final System.Logger LOG = System.getLogger(StepGate.class.getName());

    private StepGate() {
    }

    /**
     * Waits for the step's turn when {@value #ENV} asks for it.
     *
     * @param step  the step's name, for the log
     * @param value the value of {@value #ENV}, or null
     * @param in    the step's standard input
     * @return whether to do the step's work, and the lock holder its turn names
     */
    public static Turn await(String step, String value, InputStream in) {
        if (value == null || value.isBlank()) {
            return Turn.NOW;
        }
        if (!value.strip().equals("stdin")) {
            LOG.log(System.Logger.Level.WARNING, "{0}={1} is not understood (use stdin); {2} starts at once", ENV,
                    value, step);
            return Turn.NOW;
        }
        String line;
        try {
            line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException ex) {
            line = null;
        }
        String[] words = line == null ? new String[0] : line.strip().split("\\s+");
        if (words.length == 0 || !words[0].equals(GO) || words.length > 2) {
            LOG.log(System.Logger.Level.INFO, "{0}: not run (the refresh ended before its turn)", step);
            return Turn.NEVER;
        }
        return new Turn(true, words.length == 2 ? words[1] : null);
    }

    /**
     * Reports a step's exit code before its process ends: written to a file beside {@code path} and renamed to it,
     * so a reader never sees it half written.
     *
     * @param code the step's exit code
     * @param path the value of {@value #RESULT_ENV}, or null (then nothing is written)
     * @return {@code code}
     */
    public static int report(int code, String path) {
        if (path == null || path.isBlank()) {
            return code;
        }
        Path target = Path.of(path);
        Path written = target.resolveSibling(target.getFileName() + ".part");
        try {
            Files.writeString(written, code + "\n", StandardCharsets.UTF_8);
            Files.move(written, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "{0}: could not write the exit code to {1}: {2}", RESULT_ENV, path,
                    ex.toString());
        }
        return code;
    }

    /**
     * A step's turn.
     *
     * @param go     true to do the step's work
     * @param holder the refresh lock's holder the turn names, or null
     */
    public record Turn(boolean go, String holder) {
        /** The turn of a step started without a gate. */
        public static final Turn NOW = new Turn(true, null);
        /** No turn: the step ends with nothing done. */
        public static final Turn NEVER = new Turn(false, null);

        /**
         * @param fallback the holder known otherwise ({@code IDS_MOE_REFRESH_LOCK_HOLDER}), or null
         * @return the holder the turn names, else the fallback
         */
        public String holder(String fallback) {
            return holder != null ? holder : fallback;
        }
    }
}
