package moe.ids.api;

import moe.ids.store.Published;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.store.Layout;
import moe.ids.store.Meta;
import moe.ids.store.RedisReader;
import moe.ids.store.RedisStore;
import moe.ids.store.Tuning;
import moe.ids.store.WriteMetrics;
import moe.ids.testing.Http;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Partly lost Redis data (a bucket key deleted while meta still names a non-empty dataset) answers 503 with
 * {@code no-store} for the keys that need the missing bucket — never a 404 that clients and CDNs cache for
 * {@code api.not-found-max-age} — while keys of the buckets still there answer as usual, in the default
 * one-hash-per-tier layout and a bucketed one.
 */
class LostDataIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TreeMap<Long, AnimeEntry> DATA = Fixture.data(300);
    private static final String UNKNOWN = "/mal/999999999";

    /** Starts the fixture's API, near cache off, on a fresh prefix. */
    private record Apis(Fixture fixture, List<Http> both) implements AutoCloseable {
        static Apis start(Fixture f) {
            f.start(0);
            return new Apis(f, List.of(new Http(f.base())));
        }

        @Override
        public void close() {
        }
    }

    private static void assertLost(Http.Res r, String what) {
        assertEquals(503, r.status(), what + ": " + r.text());
        assertEquals("no-store", r.header("cache-control"), what);
        assertNotNull(r.header("retry-after"), what);
        assertEquals("application/json", r.header("content-type"), what);
        try {
            JsonNode n = JSON.readTree(r.body());
            // ids.moe's {"error","code","message"}, or arm-server's {"message","statusCode","error"} under /api/
            assertEquals(503, n.has("code") ? n.get("code").asInt() : n.get("statusCode").asInt(), what);
            assertTrue(n.get("error").asText().equalsIgnoreCase("Service unavailable"), what + ": " + r.text());
        } catch (IOException ex) {
            throw new AssertionError(what + ": not JSON: " + r.text(), ex);
        }
    }

    private static void assertFound(Http http, long id) {
        Http.Res r = http.get("/mal/" + DATA.get(id).myanimelist());
        assertEquals(200, r.status(), r.text());
        assertEquals(new String(CanonicalJson.toBytes(DATA.get(id))), r.text());
    }

    private static void assertUnknown(Http http, String path) {
        Http.Res r = http.get(path);
        assertEquals(404, r.status(), path + ": " + r.text());
        assertEquals("public, max-age=300", r.header("cache-control"), path);
    }

    private static Meta meta(Fixture f) {
        return new RedisReader(f.redis, f.layout).meta();
    }

    @Test
    void aLostTierAnswers503NotACacheable404() {
        try (Fixture f = new Fixture()) {
            f.load(1, DATA);
            try (Apis apis = Apis.start(f)) {
                for (Http http : apis.both()) {
                    assertFound(http, Fixture.HAND);
                    assertUnknown(http, UNKNOWN);
                }
                Meta m = meta(f);
                f.redis.del(f.layout.entryBucketKey(m.generation(), 0));
                for (Http http : apis.both()) {
                    assertLost(http.get("/mal/1"), "entry of a lost tier 2");
                    assertLost(http.send("POST", "/mal", "[1, 999999999]"), "batch");
                    assertLost(http.get("/api/v2/ids?source=anilist&id=1"), "arm");
                    assertLost(http.get("/redirect?from=mal&id=1&to=anidb"), "redirect");
                    assertUnknown(http, UNKNOWN); // tier 1 is there and says: no such key
                }

                f.resync(1, DATA);
                for (Http http : apis.both()) {
                    assertFound(http, Fixture.HAND);
                }
                m = meta(f);
                f.redis.del(f.layout.mappingBucketKey(m.generation(), 0));
                for (Http http : apis.both()) {
                    assertLost(http.get("/mal/1"), "known key of a lost tier 1");
                    assertLost(http.get(UNKNOWN), "unknown key of a lost tier 1");
                    assertLost(http.send("POST", "/mal", "[999999999]"), "batch of a lost tier 1");
                    assertLost(http.get("/mal.json"), "dump of a generation missing a tier");
                    assertEquals(200, http.get("/status").status(), "meta itself is there");
                }
            }
        }
    }

    @Test
    void aLostBucketAnswers503OnlyForTheKeysInIt() {
        try (Fixture f = new Fixture()) {
            RedisStore bucketed = new RedisStore(f.redis, f.layout, Tuning.DEFAULT.withBucketFields(16, 8),
                    WriteMetrics.NONE);
            TreeMap<String, Long> mappings = Fixture.mappings(DATA);
            load(bucketed, mappings, -1);
            try (Apis apis = Apis.start(f)) {
                Meta m = meta(f);
                assertTrue(m.mappingBuckets() > 1 && m.entryBuckets() > 1, m.toString());
                int lostEntries = Layout.entryBucket(Fixture.HAND, m.entryBuckets());
                long elsewhere = DATA.keySet().stream()
                        .filter(id -> Layout.entryBucket(id, m.entryBuckets()) != lostEntries)
                        .filter(id -> DATA.get(id).myanimelist() != null).findFirst().orElseThrow();
                f.redis.del(f.layout.entryBucketKey(m.generation(), lostEntries));
                for (Http http : apis.both()) {
                    assertLost(http.get("/mal/1"), "entry in the lost tier-2 bucket");
                    assertFound(http, elsewhere);
                    assertUnknown(http, UNKNOWN);
                }

                load(bucketed, mappings, m.generation());
                Meta n = meta(f);
                assertNotEquals(m.generation(), n.generation());
                int lostKeys = Layout.mappingBucket("myanimelist/1", n.mappingBuckets());
                String unknownInIt = unknownKey(mappings, n.mappingBuckets(), lostKeys, true);
                String unknownElsewhere = unknownKey(mappings, n.mappingBuckets(), lostKeys, false);
                long known = DATA.keySet().stream().filter(id -> DATA.get(id).myanimelist() != null)
                        .filter(id -> Layout.mappingBucket("myanimelist/" + DATA.get(id).myanimelist(),
                                n.mappingBuckets()) != lostKeys).findFirst().orElseThrow();
                f.redis.del(f.layout.mappingBucketKey(n.generation(), lostKeys));
                for (Http http : apis.both()) {
                    assertLost(http.get("/mal/1"), "known key in the lost tier-1 bucket");
                    assertLost(http.get("/" + unknownInIt), "unknown key in the lost tier-1 bucket");
                    assertUnknown(http, "/" + unknownElsewhere);
                    assertFound(http, known);
                }
            }
        }
    }

    @Test
    void anEmptyDatasetHasNoBucketsAndAnswers404() {
        try (Fixture f = new Fixture()) {
            f.load(0, new TreeMap<>(), new TreeMap<>());
            try (Apis apis = Apis.start(f)) {
                for (Http http : apis.both()) {
                    assertUnknown(http, "/mal/1");
                    assertEquals("[null]", http.send("POST", "/mal", "[1]").text());
                }
            }
        }
    }

    /** A MyAnimeList key the data does not hold, whose tier-1 bucket is (or is not) {@code bucket}. */
    private static String unknownKey(Map<String, Long> mappings, int buckets, int bucket, boolean in) {
        for (long n = 999_000_000; ; n++) {
            String k = "myanimelist/" + n;
            if (!mappings.containsKey(k) && (Layout.mappingBucket(k, buckets) == bucket) == in) {
                return k;
            }
        }
    }

    private static void load(RedisStore store, Map<String, Long> mappings, long replaceGen) {
        List<Published.IdJson> e = new ArrayList<>();
        DATA.forEach((id, entry) -> e.add(new Published.IdJson(id, CanonicalJson.toBytes(entry))));
        List<Published.KeyId> m = new ArrayList<>();
        mappings.forEach((k, id) -> m.add(new Published.KeyId(k, id)));
        assertTrue(store.load(new Published(1, Instant.parse("2026-11-20T03:04:05Z"), null, e, m), replaceGen));
    }
}
