package moe.ids.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A private redis-server child on a loopback port of its own, without persistence, for tests that stop, restart
 * or misconfigure Redis (never the shared server). Aborts the test (skipped) where redis-server is missing.
 */
public final class PrivateRedis implements AutoCloseable {
    private final int port;
    private final List<String> extra;
    private Process process;

    private PrivateRedis(int port, List<String> extra) {
        this.port = port;
        this.extra = extra;
    }

    /**
     * @return a loopback port nothing listens on right now
     * @throws IOException when no port can be had
     */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * @param port  where it listens
     * @param extra more redis-server arguments, e.g. {@code --requirepass x}
     * @return a started server, answering on {@code port}
     */
    public static PrivateRedis start(int port, String... extra) {
        PrivateRedis r = new PrivateRedis(port, List.of(extra));
        r.start();
        return r;
    }

    /** Starts it (again, empty) on the same port. */
    public void start() {
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no"));
        cmd.addAll(extra);
        try {
            Path dir = Files.createDirectories(Path.of("target", "private-redis"));
            process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(port + ".log").toFile())).start();
        } catch (IOException ex) {
            Assumptions.abort("redis-server cannot be started: " + ex.getMessage());
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " exited: " + process.exitValue());
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException ex) {
                return false;
            }
        });
    }

    /** Kills it (SIGKILL: its data is gone) and waits until it is gone. */
    public void stop() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            try {
                p.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /**
     * @return its port
     */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        stop();
    }
}
