package moe.ids.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * A private real TLS redis-server for tests: a self-signed CA and a server certificate for localhost/127.0.0.1 made
 * with openssl, a password with URL-special characters, and the CA trusted through the system property
 * {@code ids.moe.redis.tls-ca-file} (what {@code REDIS_TLS_CA_FILE} sets) while it runs. Aborts the test (skipped)
 * where openssl or redis-server is missing.
 */
public final class TlsRedis implements AutoCloseable {
    /** The server's password (URL-encoded in {@link #url}). */
    public static final String PASSWORD = "s3cret:/@x";
    private final Path dir;
    private final Process redis;
    private final int port;

    private TlsRedis(Path dir, Process redis, int port) {
        this.dir = dir;
        this.redis = redis;
        this.port = port;
    }

    /**
     * @return a started server
     * @throws Exception when it cannot be started although the tools are there
     */
    public static TlsRedis start() throws Exception {
        Assumptions.assumeTrue(onPath("openssl") && onPath("redis-server"), "openssl or redis-server not installed");
        Path dir = Files.createTempDirectory("ids-moe-tls");
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                "/CN=ids-moe-test-ca", "-keyout", "ca.key", "-out", "ca.pem");
        run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
                "-out", "server.csr");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "1", "-extfile", "san.ext", "-out", "server.pem");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process redis = new ProcessBuilder("redis-server", "--port", "0", "--tls-port", Integer.toString(port),
                "--bind", "127.0.0.1", "--tls-cert-file", "server.pem", "--tls-key-file", "server.key",
                "--tls-ca-cert-file", "ca.pem", "--tls-auth-clients", "no", "--requirepass", PASSWORD,
                "--save", "", "--appendonly", "no").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        int p = port;
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (Socket ignored = new Socket("127.0.0.1", p)) {
                return true;
            } catch (IOException ex) {
                return false;
            }
        });
        System.setProperty("ids.moe.redis.tls-ca-file", dir.resolve("ca.pem").toString());
        return new TlsRedis(dir, redis, port);
    }

    /**
     * @param encodedPassword the password as it appears in a URL
     * @return {@code rediss://:password@localhost:port/0}
     */
    public String url(String encodedPassword) {
        return "rediss://:" + encodedPassword + "@localhost:" + port + "/0";
    }

    /**
     * @return the right URL (the password percent-encoded)
     */
    public String url() {
        return url("s3cret%3A%2F%40x");
    }

    /**
     * @return the TLS port
     */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        System.clearProperty("ids.moe.redis.tls-ca-file");
        redis.destroy();
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
