package moe.ids.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.config.RedisUrl;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.core.platform.Platform;
import moe.ids.testing.ChangeSets;
import moe.ids.store.RedisStore;
import moe.ids.testing.SyntheticData;
import moe.ids.testing.Http;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Change sets applied while the API serves (near cache on): every answer is exactly the entry of the version it
 * claims, batches are of one version, and once any client has received the new version no request started later
 * gets the old one. Plus the store being empty or down (503, never 404).
 */
class ConsistencyIT {
    private static final Pattern ETAG_VERSION = Pattern.compile("^\"v(\\d+)-");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void changeSetAppliedWhileServingIsNeverStaleOrMixed() throws Exception {
        TreeMap<Long, AnimeEntry> a = SyntheticData.a(3000, 11);
        TreeMap<Long, AnimeEntry> b = SyntheticData.b(a, 12);
        TreeMap<Long, AnimeEntry> c = SyntheticData.b(b, 13);
        List<TreeMap<Long, AnimeEntry>> versions = List.of(a, b, c);
        List<TreeMap<String, Long>> maps = versions.stream().map(SyntheticData::mappings).toList();
        // keys whose answer differs between versions, plus a sample of stable ones
        TreeSet<String> keys = new TreeSet<>();
        for (int v = 0; v < 2; v++) {
            TreeMap<String, Long> m1 = maps.get(v);
            TreeMap<String, Long> m2 = maps.get(v + 1);
            TreeSet<String> all = new TreeSet<>(m1.keySet());
            all.addAll(m2.keySet());
            for (String k : all) {
                if (!Arrays.equals(expected(versions.get(v), m1, k), expected(versions.get(v + 1), m2, k))) {
                    keys.add(k);
                }
            }
        }
        new ArrayList<>(maps.get(0).keySet()).stream().filter(k -> k.hashCode() % 50 == 0).forEach(keys::add);
        List<String> keyList = new ArrayList<>(keys);
        assertThat(keyList.size(), greaterThan(500));

        try (Fixture f = new Fixture()) {
            f.load(1, a, maps.get(0));
            f.start(ApiConfig.DEFAULT_NEAR_CACHE_BYTES);
            Http http = new Http(f.base());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong requests = new AtomicLong();
            long[] newestSeenAt = new long[4]; // per version (index): nanoTime a response of it completed, 0 = never
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                readers.add(Thread.ofPlatform().start(() -> {
                    Random r = new Random(seed);
                    int lastVersion = 0;
                    while (!stop.get()) {
                        long started = System.nanoTime();
                        int version;
                        if (r.nextInt(10) == 0) {
                            version = batch(http, versions, maps, keyList, r, problems);
                        } else {
                            String k = keyList.get(r.nextInt(keyList.size()));
                            version = single(http, versions, maps, k, problems);
                        }
                        long done = System.nanoTime();
                        requests.incrementAndGet();
                        if (version > 0) {
                            if (version < lastVersion) {
                                problems.add("version went back from " + lastVersion + " to " + version);
                            }
                            lastVersion = Math.max(lastVersion, version);
                            synchronized (newestSeenAt) {
                                for (int newer = version + 1; newer <= 3; newer++) {
                                    if (newestSeenAt[newer] != 0 && newestSeenAt[newer] < started) {
                                        problems.add("stale: version " + version + " answered a request started after "
                                                + "version " + newer + " had been served");
                                    }
                                }
                                if (newestSeenAt[version] == 0) {
                                    newestSeenAt[version] = done;
                                }
                            }
                        }
                    }
                }));
            }
            for (int v = 2; v <= 3; v++) {
                long before = requests.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> requests.get() > before + 300);
                ChangeSet cs = ChangeSets.diff(v, v - 1, versions.get(v - 2), versions.get(v - 1));
                assertEquals(RedisStore.Outcome.APPLIED, f.store.apply(cs, null));
                int version = v;
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
                    synchronized (newestSeenAt) {
                        return newestSeenAt[version] != 0;
                    }
                });
            }
            long before = requests.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> requests.get() > before + 300);
            stop.set(true);
            for (Thread t : readers) {
                t.join();
            }
            assertThat(new ArrayList<>(problems), empty());
            assertTrue(f.api.store().hits() > 0, "the near cache answered some of them");
            // after the last change set every key answers version 3
            for (String k : keyList.subList(0, 300)) {
                int v = single(http, versions, maps, k, problems);
                assertTrue(v == 3 || v == 0 && !maps.get(2).containsKey(k), k + " answered version " + v);
            }
            assertThat(new ArrayList<>(problems), empty());
        }
    }

    private static byte[] expected(Map<Long, AnimeEntry> entries, Map<String, Long> map, String key) {
        Long id = map.get(key);
        return id == null ? null : CanonicalJson.toBytes(entries.get(id));
    }

    private static String path(String key) {
        int slash = key.indexOf('/');
        String platform = key.substring(0, slash);
        if (platform.equals("trakt") || platform.equals("themoviedb")) {
            return "/" + key;
        }
        return "/" + platform + "/" + Platform.encodeSegment(key.substring(slash + 1));
    }

    /** @return the version the answer belongs to, 0 when it fits several */
    private static int single(Http http, List<TreeMap<Long, AnimeEntry>> versions, List<TreeMap<String, Long>> maps,
                              String key, ConcurrentLinkedQueue<String> problems) {
        Http.Res r = http.get(path(key));
        if (r.status() == 200) {
            Matcher m = ETAG_VERSION.matcher(r.header("etag"));
            if (!m.find()) {
                problems.add("no version in ETag " + r.header("etag"));
                return 0;
            }
            int v = Integer.parseInt(m.group(1));
            if (!Arrays.equals(expected(versions.get(v - 1), maps.get(v - 1), key), r.body())) {
                problems.add(key + ": body is not the entry of version " + v + ": " + r.text());
            }
            return v;
        }
        if (r.status() != 404) {
            problems.add(key + ": status " + r.status() + " " + r.text());
            return 0;
        }
        List<Integer> fits = new ArrayList<>();
        for (int v = 1; v <= 3; v++) {
            if (!maps.get(v - 1).containsKey(key)) {
                fits.add(v);
            }
        }
        if (fits.isEmpty()) {
            problems.add(key + ": 404 but it exists in every version");
        }
        return fits.size() == 1 ? fits.getFirst() : 0;
    }

    /** A batch of MyAnimeList IDs must equal one version's answers, item for item. */
    private static int batch(Http http, List<TreeMap<Long, AnimeEntry>> versions, List<TreeMap<String, Long>> maps,
                             List<String> keys, Random r, ConcurrentLinkedQueue<String> problems) {
        List<String> ids = new ArrayList<>();
        for (String k : keys) {
            if (k.startsWith("anilist/") && r.nextInt(3) == 0 && ids.size() < 60) {
                ids.add(k.substring("anilist/".length()));
            }
        }
        Http.Res res = http.send("POST", "/anilist", "[" + String.join(",", ids) + "]");
        if (res.status() != 200) {
            problems.add("batch status " + res.status());
            return 0;
        }
        try {
            JsonNode got = JSON.readTree(res.body());
            List<Integer> fits = new ArrayList<>();
            for (int v = 1; v <= 3; v++) {
                StringBuilder exp = new StringBuilder("[");
                for (int i = 0; i < ids.size(); i++) {
                    byte[] e = expected(versions.get(v - 1), maps.get(v - 1), "anilist/" + ids.get(i));
                    exp.append(i == 0 ? "" : ",").append(e == null ? "null" : new String(e,
                            java.nio.charset.StandardCharsets.UTF_8));
                }
                if (JSON.readTree(exp.append("]").toString()).equals(got)) {
                    fits.add(v);
                }
            }
            if (fits.isEmpty()) {
                problems.add("batch of " + ids.size() + " matches no single version (mixed)");
                return 0;
            }
            return fits.size() == 1 ? fits.getFirst() : 0;
        } catch (java.io.IOException ex) {
            problems.add("batch not JSON");
            return 0;
        }
    }

    /**
     * Redis' invalidation messages reach the near cache: a key answered from the cache (no miss, no batch that
     * could report the new version) follows a change set.
     */
    @Test
    void aCachedKeyFollowsAChangeSetThroughTheInvalidationMessage() {
        try (Fixture f = new Fixture()) {
            f.load(1, Fixture.data(20));
            f.start(1L << 20);
            Http http = new Http(f.base());
            await().atMost(Duration.ofSeconds(10)).until(() -> f.api.invalidations().live());
            assertTrue(http.get("/mal/1").header("etag").startsWith("\"v1-"));
            assertTrue(http.get("/mal/1").header("etag").startsWith("\"v1-"));
            long hits = f.api.store().hits();
            assertTrue(hits > 0, "the second answer came from the near cache");
            long messages = f.api.invalidations().received();
            f.load(2, Fixture.data(20));
            await().atMost(Duration.ofSeconds(10)).until(() -> f.api.invalidations().received() > messages);
            assertTrue(http.get("/mal/1").header("etag").startsWith("\"v2-"), "no stale answer after the message");
        }
    }

    /** A resync switches in a new generation that may keep the version: dumps and /status must follow it. */
    @Test
    void aResyncAtTheSameVersionReplacesDumpsAndStatus() {
        try (Fixture f = new Fixture()) {
            f.load(1, Fixture.data(20));
            f.start(1L << 20);
            Http http = new Http(f.base());
            JsonNode before = json(http.get("/mal.json"));
            String dump = http.get("/mal.json").header("etag");
            String status = http.get("/status").header("etag");
            java.util.TreeMap<Long, moe.ids.core.entry.AnimeEntry> fewer = Fixture.data(5);
            f.resync(1, fewer); // same version, new generation
            await().atMost(Duration.ofSeconds(10)).until(() -> !json(http.get("/mal.json")).equals(before));
            JsonNode after = json(http.get("/mal.json"));
            assertTrue(after.size() < before.size(), after.size() + " keys after, " + before.size() + " before");
            // the dump's ETag follows its content: the old one no longer revalidates (no stale 304)
            String dumpAfter = http.get("/mal.json").header("etag");
            assertTrue(!dump.equals(dumpAfter), "/mal.json revalidates after the resync: " + dump);
            assertEquals(200, http.get("/mal.json", "If-None-Match", dump).status());
            assertEquals(304, http.get("/mal.json", "If-None-Match", dumpAfter).status());
            assertTrue(!status.equals(http.get("/status").header("etag")), "/status revalidates after the resync");
            assertEquals(304, http.get("/status", "If-None-Match", http.get("/status").header("etag")).status());
        }
    }

    @Test
    void emptyStoreIs503ThenServesOnceLoaded() {
        try (Fixture f = new Fixture()) {
            f.start(1L << 20);
            Http http = new Http(f.base());
            for (String p : List.of("/mal/1", "/trakt/shows/1", "/heartbeat", "/ping", "/status", "/updated", "/mal.json",
                    "/redirect?platform=mal&id=1", "/api/v2/imdb?id=tt1")) {
                Http.Res r = http.get(p);
                assertEquals(503, r.status(), p + " " + r.text());
                assertEquals("application/json", r.header("content-type"));
                assertEquals("no-store", r.header("cache-control"));
            }
            assertEquals("Service unavailable", json(http.get("/mal/1")).get("error").asText());
            assertEquals(503, http.send("POST", "/mal", "[1]").status());
            assertEquals(503, http.get("/api/v2/ids?source=anilist&id=1").status());
            assertEquals(503, http.get("/observe/health/ready").status());
            assertEquals(200, http.get("/").status(), "the landing page says that no data is loaded yet");
            f.load(1, Fixture.data(20));
            await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/observe/health/ready").status() == 200);
            assertEquals(200, http.get("/mal/1").status());
            assertEquals(200, http.get("/heartbeat").status());
        }
    }

    @Test
    void redisDownIs503NeverNotFound() {
        try (Fixture f = new Fixture()) {
            f.start(1L << 20, RedisUrl.parse("TEST", "redis://127.0.0.1:1/0"));
            Http http = new Http(f.base());
            for (String p : List.of("/mal/1", "/mal/999999999", "/heartbeat", "/status", "/mal.json",
                    "/redirect?platform=mal&id=1")) {
                Http.Res r = http.get(p);
                assertEquals(503, r.status(), p + " " + r.text());
                assertEquals("Service unavailable", json(r).get("error").asText());
            }
            assertEquals(503, http.get("/observe/health/ready").status());
            Http.Res landing = http.get("/");
            assertEquals(200, landing.status(), "the landing page renders without the store");
            assertTrue(landing.text().contains("data store is unavailable"), landing.text());
        }
    }

    @Test
    void withoutNearCacheEveryLookupGoesToRedis() {
        try (Fixture f = new Fixture()) {
            f.load(1, Fixture.data(20));
            f.start(0);
            Http http = new Http(f.base());
            for (int i = 0; i < 5; i++) {
                assertEquals(200, http.get("/mal/1").status());
            }
            assertEquals(0, f.api.store().hits());
            assertEquals(5, f.api.store().misses());
        }
    }

    private static JsonNode json(Http.Res r) {
        try {
            return JSON.readTree(r.body());
        } catch (java.io.IOException ex) {
            throw new AssertionError(r.text(), ex);
        }
    }
}
