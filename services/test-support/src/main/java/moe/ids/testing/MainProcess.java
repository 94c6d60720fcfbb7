package moe.ids.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a service's {@code main} in a child JVM on the test classpath, as the jar runs it, and collects what it
 * printed, for tests of how a process ends (exit code, the lines a user sees).
 *
 * @param exitCode the process's exit code
 * @param lines    its standard output and error, line by line
 * @param elapsed  from start to exit
 */
public record MainProcess(int exitCode, List<String> lines, Duration elapsed) {

    /**
     * @param mainClass  the class whose {@code main} runs
     * @param env        environment variables added to this process's
     * @param properties {@code -D} system properties
     * @param timeout    longest run; a process still running then is killed and the test fails
     * @param args       arguments of {@code main}
     * @return how it ended
     * @throws IOException when it cannot start
     * @throws InterruptedException when interrupted
     */
    public static MainProcess run(Class<?> mainClass, Map<String, String> env, Map<String, String> properties,
                                  Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED"));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("main-process", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(env);
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(mainClass.getSimpleName() + " " + String.join(" ", args) + " still ran after "
                        + timeout.toSeconds() + " s; it printed:\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            return new MainProcess(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8), elapsed);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * @return the lines logged at ERROR (JUL's {@code SEVERE})
     */
    public List<String> errors() {
        return lines.stream().filter(l -> l.contains(" SEVERE ")).toList();
    }

    /**
     * @return the lines of a stack trace ({@code at …}, {@code Caused by}, {@code Exception in thread})
     */
    public List<String> stackLines() {
        return lines.stream().filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by:")
                || l.startsWith("Exception in thread")).toList();
    }

    @Override
    public String toString() {
        return "exit " + exitCode + " after " + elapsed.toMillis() + " ms:\n" + String.join("\n", lines);
    }
}
