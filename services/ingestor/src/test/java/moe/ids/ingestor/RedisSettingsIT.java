package moe.ids.ingestor;

import moe.ids.store.RedisCheck;
import moe.ids.testing.PrivateRedis;
import moe.ids.testing.JavaChild;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.config.RedisUrl;
import moe.ids.db.Database;
import moe.ids.testing.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * REDIS_URL settings that cannot work stop the ingestor at start with one line naming the variable (serving and
 * {@code sync}); an unreachable Redis lets it start not ready and is waited for; {@link RedisCheck} tells the cases
 * apart. Against a private redis-server with a password.
 */
class RedisSettingsIT {
    private static final Duration EXIT = Duration.ofSeconds(60);
    private static PrivateRedis redis;
    private static DatabaseUrl db;

    @BeforeAll
    static void start() throws Exception {
        redis = PrivateRedis.start(PrivateRedis.freePort(), "--requirepass", "s3cret");
        db = TestDatabases.fresh("redisset");
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
        if (db != null) {
            TestDatabases.drop(db);
        }
    }

    private static String url(String auth, int db) {
        return "redis://" + auth + "127.0.0.1:" + redis.port() + "/" + db;
    }

    private static RedisCheck.Result check(String url, Duration timeout) {
        return RedisCheck.check(RedisUrl.parse("REDIS_URL", url), timeout);
    }

    @Test
    void checkTellsWrongSettingsFromAnUnreachableRedis() throws Exception {
        assertEquals(RedisCheck.Verdict.OK, check(url(":s3cret@", 0), Duration.ofSeconds(5)).verdict());

        RedisCheck.Result wrong = check(url(":wrong@", 0), Duration.ofSeconds(5));
        assertEquals(RedisCheck.Verdict.WRONG, wrong.verdict());
        assertTrue(wrong.line().startsWith("REDIS_URL redis://:***@127.0.0.1:" + redis.port() + "/0: auth refused ("
                + "WRONGPASS"), wrong.line());
        assertFalse(wrong.line().contains("wrong@"), "the password is hidden: " + wrong.line());
        assertEquals("auth refused (the server requires a password and none is given)",
                check(url("", 0), Duration.ofSeconds(5)).reason());
        assertTrue(check(url("nobody:s3cret@", 0), Duration.ofSeconds(5)).reason().startsWith("auth refused ("));
        RedisCheck.Result db99 = check(url(":s3cret@", 99), Duration.ofSeconds(5));
        assertEquals(RedisCheck.Verdict.WRONG, db99.verdict());
        assertTrue(db99.reason().startsWith("database index 99 out of range"), db99.reason());

        RedisCheck.Result refused = check("redis://127.0.0.1:" + PrivateRedis.freePort() + "/0", Duration.ofSeconds(5));
        assertEquals(RedisCheck.Verdict.UNREACHABLE, refused.verdict());
        assertEquals("connection refused", refused.reason());
        try (ServerSocket silent = new ServerSocket(0)) { // accepts, never answers
            RedisCheck.Result mute = check("redis://127.0.0.1:" + silent.getLocalPort() + "/0", Duration.ofSeconds(1));
            assertEquals(RedisCheck.Verdict.UNREACHABLE, mute.verdict());
            assertEquals("no answer within 1 s", mute.reason());
        }
    }

    @Test
    void servingWithSettingsRedisRefusesExitsWithOneLine() throws Exception {
        assertStopsWithOneLine(url(":wrong@", 0), "auth refused (WRONGPASS");
        assertStopsWithOneLine(url(":s3cret@", 99), "database index 99 out of range");
        assertStopsWithOneLine("redis://127.0.0.1:notaport/0", "REDIS_URL port must be a number (got 'notaport')");
    }

    @Test
    void syncWithAWrongPasswordOrNoRedisExitsWithOneLine() throws Exception {
        assertStopsWithOneLine(url(":wrong@", 0), "auth refused (WRONGPASS", "sync");
        assertStopsWithOneLine("redis://127.0.0.1:" + PrivateRedis.freePort() + "/0", ": connection refused", "sync");
    }

    @Test
    void servingWithoutRedisStartsNotReadyAndExitsOnceRedisRefusesIt() throws Exception {
        int port = PrivateRedis.freePort();
        try (JavaChild child = child("redis://:s3cret@127.0.0.1:" + port + "/0")) {
            child.awaitLine("REDIS_URL redis://:***@127.0.0.1:" + port + "/0: connection refused; starting not ready",
                    EXIT);
            child.awaitLine("ingestor listening on", EXIT);
            assertTrue(child.alive(), child.output());
            try (PrivateRedis other = PrivateRedis.start(port, "--requirepass", "another")) {
                assertEquals(1, child.exitWithin(EXIT), child.output());
                List<String> errors = child.lines().stream().filter(l -> l.contains(" SEVERE ")).toList();
                assertEquals(1, errors.size(), child.output());
                assertTrue(errors.getFirst().contains("REDIS_URL redis://:***@127.0.0.1:" + port + "/0: auth refused ("
                        + "WRONGPASS"), errors.getFirst());
            }
        }
    }

    private static void assertStopsWithOneLine(String redisUrl, String reason, String... args) throws Exception {
        try (JavaChild child = child(redisUrl, args)) {
            assertEquals(1, child.exitWithin(EXIT), child.output());
            assertOneLine(child.lines(), reason);
        }
    }

    /** Exactly one line names REDIS_URL, it gives the reason, and nothing else was printed but the config line. */
    static void assertOneLine(List<String> lines, String reason) {
        List<String> named = lines.stream().filter(l -> l.contains("REDIS_URL")).toList();
        assertEquals(1, named.size(), String.join("\n", lines));
        assertTrue(named.getFirst().contains(reason), named.getFirst());
        assertTrue(lines.stream().noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ")),
                String.join("\n", lines));
    }

    private static JavaChild child(String redisUrl, String... args) throws Exception {
        String jdbc = db.jdbcUrl() + (db.user() == null ? "" : (db.jdbcUrl().contains("?") ? "&" : "?") + "user="
                + db.user() + (db.password() == null ? "" : "&password=" + db.password()));
        return JavaChild.start(Main.class, Map.of("REDIS_URL", redisUrl, "DATABASE_URL", jdbc,
                "REDIS_PREFIX", "tset:"), Map.of("server.port", "0"), args);
    }
}
