package moe.ids.ingestor;

import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.config.RedisUrl;
import moe.ids.core.entry.AnimeEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code rediss://} with a password against a real TLS Redis of this test's own (a self-signed CA made with
 * openssl, trusted through {@code REDIS_TLS_CA_FILE}). Skipped where openssl or redis-server is missing.
 */
class RedisTlsIT {
    private static Path dir;
    private static Process redis;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(onPath("openssl") && onPath("redis-server"), "openssl or redis-server not installed");
        dir = Files.createTempDirectory("ids-moe-tls");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=ids-moe-test-ca",
                "-keyout", "ca.key", "-out", "ca.pem");
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
                "-out", "server.csr");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "1", "-extfile", "san.ext", "-out", "server.pem");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        redis = new ProcessBuilder("redis-server", "--port", "0", "--tls-port", Integer.toString(port),
                "--bind", "127.0.0.1", "--tls-cert-file", "server.pem", "--tls-key-file", "server.key",
                "--tls-ca-cert-file", "ca.pem", "--tls-auth-clients", "no", "--requirepass", "s3cret:/@x",
                "--save", "", "--appendonly", "no").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException ex) {
                return false;
            }
        });
        System.setProperty("ids.moe.redis.tls-ca-file", dir.resolve("ca.pem").toString());
    }

    @AfterAll
    static void stop() {
        System.clearProperty("ids.moe.redis.tls-ca-file");
        if (redis != null) {
            redis.destroy();
        }
    }

    private static String url(String password) {
        return "rediss://:" + password + "@localhost:" + port + "/0";
    }

    @Test
    void passwordAndTlsWork() {
        // The password holds ':', '/' and '@', percent-encoded in the URL.
        try (RedisClient client = RedisClients.create(RedisUrl.parse("REDIS_URL", url("s3cret%3A%2F%40x")), "t", 2)) {
            assertEquals("PONG", client.ping());
        }
        try (RedisClient wrong = RedisClients.create(RedisUrl.parse("REDIS_URL", url("nope")), "t", 1)) {
            assertThrows(RuntimeException.class, wrong::ping, "a wrong password is refused");
        }
        try (RedisClient plain = RedisClients.create(RedisUrl.parse("REDIS_URL",
                "redis://:s3cret%3A%2F%40x@localhost:" + port + "/0"), "t", 1)) {
            assertThrows(RuntimeException.class, plain::ping, "plain text is refused on the TLS port");
        }
    }

    @Test
    void theIngestorLoadsAndAppliesOverTls() throws Exception {
        TreeMap<Long, AnimeEntry> a = SyntheticData.a(2_000, 7);
        TreeMap<Long, AnimeEntry> b = SyntheticData.b(a, 8);
        try (TestEnv env = new TestEnv("tls", url("s3cret%3A%2F%40x"))) {
            Ingestor ingestor = env.ingestor(Duration.ofSeconds(60));
            TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), a), null);
            assertEquals(1, ingestor.syncOnce());
            ChangeSet ab = ChangeSets.diff(2, 1, a, b);
            TestOutbox.publish(env.db, ab, null);
            assertEquals(2, ingestor.syncOnce());
            assertEquals(RedisState.expected(2, b), env.state());
            assertEquals(2, env.reader().meta().version());
        }
    }

    private static void run(String... cmd) throws Exception {
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
