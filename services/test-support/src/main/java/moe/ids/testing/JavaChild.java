package moe.ids.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A service's {@code main} run in a JVM of its own on the test classpath, as it runs in production (environment
 * variables, exit status, log lines on its output), for tests of start-up behaviour.
 */
public final class JavaChild implements AutoCloseable {
    private final Process process;
    private final Path output;

    private JavaChild(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * @param mainClass  the class whose {@code main} runs
     * @param env        environment variables added to this JVM's
     * @param properties system properties ({@code -D})
     * @param args       program arguments
     * @return the running child, its output (stdout and stderr) going to a file under {@code target/}
     * @throws IOException when it cannot be started
     */
    public static JavaChild start(Class<?> mainClass, Map<String, String> env, Map<String, String> properties,
                                  String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        Path dir = Files.createDirectories(Path.of("target", "children"));
        Path out = Files.createTempFile(dir, mainClass.getSimpleName(), ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.environment().putAll(env);
        return new JavaChild(pb.start(), out);
    }

    /**
     * @param limit longest wait
     * @return its exit status
     * @throws AssertionError when it still runs after {@code limit}
     */
    public int exitWithin(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + limit + "; output:\n" + output());
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
        return process.exitValue();
    }

    /**
     * @param text what a line must contain
     * @param limit longest wait
     */
    public void awaitLine(String text, Duration limit) {
        await().atMost(limit).until(() -> lines().stream().anyMatch(l -> l.contains(text)));
    }

    /**
     * @return true while it runs
     */
    public boolean alive() {
        return process.isAlive();
    }

    /**
     * @return its output so far, line by line
     */
    public List<String> lines() {
        return output().lines().toList();
    }

    /**
     * @return its output so far
     */
    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Kills it if it still runs. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
