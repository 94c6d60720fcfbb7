package moe.ids.store;

import moe.ids.core.config.RedisUrl;
import moe.ids.core.error.UnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocking reader runs the same lookup script as the API's pipe, against the test Redis on a prefix of its own.
 */
class RedisReaderIT {
    private static final RedisUrl URL = RedisUrl.parse("TEST_REDIS_URL",
            System.getenv().getOrDefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"));
    private final String prefix = "rr" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private final Layout layout = new Layout(new RedisKeys(prefix));
    private RedisClient redis;
    private RedisReader reader;

    @BeforeEach
    void open() {
        redis = RedisClients.create(URL, "reader-it", 2);
        reader = new RedisReader(redis, layout);
    }

    @AfterEach
    void close() {
        for (String k : redis.keys(prefix + "*")) {
            redis.del(k);
        }
        redis.close();
    }

    /** Loads {@code n} mappings {@code myanimelist/i → i} into one hash per tier. */
    private void load(int n) {
        Map<String, String> m = new HashMap<>();
        Map<String, String> a = new HashMap<>();
        for (int i = 1; i <= n; i++) {
            m.put("myanimelist/" + i, Integer.toString(i));
            a.put(Integer.toString(i), "{\"myanimelist\":" + i + "}");
        }
        redis.hset(layout.mappingBucketKey(1, 0), m);
        redis.hset(layout.entryBucketKey(1, 0), a);
        redis.hset(layout.meta(), Map.of("version", "4", "gen", "1", "mbuckets", "1", "abuckets", "1",
                "counts", "{\"total\":" + n + "}"));
    }

    @Test
    void findsMoreKeysInOneCallThanLuaCanUnpackAtOnce() {
        load(10_000);
        List<String> keys = new ArrayList<>();
        for (int i = 1; i <= 10_001; i++) {
            keys.add("myanimelist/" + i);
        }
        RedisReader.Lookups l = reader.findAll(keys);
        assertEquals(4, l.version());
        for (int i = 1; i <= 10_000; i++) {
            RedisReader.Hit h = l.hits().get(i - 1).orElseThrow();
            assertEquals(i, h.id());
            assertEquals("{\"myanimelist\":" + i + "}", new String(h.json(), StandardCharsets.UTF_8));
        }
        assertTrue(l.hits().get(10_000).isEmpty(), "an unknown key is a miss");
    }

    @Test
    void aMissingBucketOfANonEmptyDatasetIsLostDataNotAMiss() {
        load(3);
        redis.del(layout.entryBucketKey(1, 0));
        UnavailableException ex = assertThrows(UnavailableException.class,
                () -> reader.findAll(List.of("myanimelist/1")));
        assertTrue(ex.getMessage().contains("lost"), ex.getMessage());
    }
}
