package moe.ids.api;

import moe.ids.testing.JavaChild;
import moe.ids.testing.PrivateRedis;
import moe.ids.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API's start-up policy for REDIS_URL, on the real {@code main} in a JVM of its own: settings Redis refuses
 * (wrong password, database index beyond {@code databases}) and a malformed URL exit with status 1 and one line
 * naming {@code REDIS_URL}; an unreachable Redis lets it start not ready (503) until Redis answers. Against a
 * private redis-server with a password.
 */
class RedisSettingsIT {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static PrivateRedis redis;

    @BeforeAll
    static void start() throws Exception {
        redis = PrivateRedis.start(PrivateRedis.freePort(), "--requirepass", "s3cret");
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void settingsRedisRefusesStopTheApiWithOneLine() throws Exception {
        assertStopsWithOneLine("redis://:wrong@127.0.0.1:" + redis.port() + "/0", "REDIS_URL redis://:***@127.0.0.1:"
                + redis.port() + "/0: auth refused (WRONGPASS");
        assertStopsWithOneLine("redis://127.0.0.1:" + redis.port() + "/0",
                "auth refused (the server requires a password and none is given)");
        assertStopsWithOneLine("redis://:s3cret@127.0.0.1:" + redis.port() + "/99",
                "REDIS_URL redis://:***@127.0.0.1:" + redis.port() + "/99: database index 99 out of range");
        assertStopsWithOneLine("redis://127.0.0.1:notaport/0", "REDIS_URL port must be a number (got 'notaport')");
    }

    @Test
    void anUnreachableRedisStartsTheApiNotReadyUntilRedisAnswers() throws Exception {
        int redisPort = PrivateRedis.freePort();
        int port = PrivateRedis.freePort();
        int observePort = PrivateRedis.freePort();
        try (JavaChild api = child("redis://:pw@127.0.0.1:" + redisPort + "/0", port, observePort)) {
            api.awaitLine("REDIS_URL redis://:***@127.0.0.1:" + redisPort + "/0: connection refused; starting not "
                    + "ready", LIMIT);
            api.awaitLine("api listening on", LIMIT);
            Http http = new Http("http://127.0.0.1:" + port);
            Http observe = new Http("http://127.0.0.1:" + observePort);
            assertEquals(200, observe.get("/observe/health/live").status());
            assertEquals(503, observe.get("/observe/health/ready").status());
            Http.Res lookup = http.get("/mal/1");
            assertEquals(503, lookup.status(), lookup.text());
            assertEquals("no-store", lookup.header("cache-control"));
            try (PrivateRedis late = PrivateRedis.start(redisPort, "--requirepass", "pw")) {
                api.awaitLine("REDIS_URL redis://:***@127.0.0.1:" + redisPort + "/0: Redis answers", LIMIT);
                assertTrue(api.alive(), api.output());
                assertEquals(503, http.get("/mal/1").status(), "no dataset yet");
            }
        }
    }

    private static void assertStopsWithOneLine(String redisUrl, String reason) throws Exception {
        try (JavaChild api = child(redisUrl, PrivateRedis.freePort())) {
            assertEquals(1, api.exitWithin(LIMIT), api.output());
            List<String> lines = api.lines();
            List<String> named = lines.stream().filter(l -> l.contains("REDIS_URL")).toList();
            assertEquals(1, named.size(), api.output());
            assertTrue(named.getFirst().contains(reason), named.getFirst());
            assertTrue(lines.stream().noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ")), api.output());
        }
    }

    private static JavaChild child(String redisUrl, int port) throws Exception {
        return child(redisUrl, port, PrivateRedis.freePort());
    }

    private static JavaChild child(String redisUrl, int port, int observePort) throws Exception {
        return JavaChild.start(Main.class, Map.of("REDIS_URL", redisUrl, "REDIS_PREFIX", "tset:"),
                Map.of("server.port", Integer.toString(port), "server.observe-port", Integer.toString(observePort)));
    }
}
