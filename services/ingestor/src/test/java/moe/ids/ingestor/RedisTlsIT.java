package moe.ids.ingestor;

import moe.ids.store.RedisClients;
import moe.ids.testing.TlsRedis;
import moe.ids.testing.SyntheticData;
import moe.ids.testing.ChangeSets;
import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.config.RedisUrl;
import moe.ids.core.entry.AnimeEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code rediss://} with a password against a real TLS Redis of this test's own (a self-signed CA made with
 * openssl, trusted through {@code REDIS_TLS_CA_FILE}). Skipped where openssl or redis-server is missing.
 */
class RedisTlsIT {
    private static TlsRedis tls;

    @BeforeAll
    static void start() throws Exception {
        tls = TlsRedis.start();
    }

    @AfterAll
    static void stop() {
        if (tls != null) {
            tls.close();
        }
    }

    private static String url(String password) {
        return tls.url(password);
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
                "redis://:s3cret%3A%2F%40x@localhost:" + tls.port() + "/0"), "t", 1)) {
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
}
