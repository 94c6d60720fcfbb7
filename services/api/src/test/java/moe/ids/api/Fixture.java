package moe.ids.api;

import moe.ids.store.Published;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import moe.ids.core.config.RedisUrl;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.store.RedisKeys;
import moe.ids.store.Layout;
import moe.ids.store.RedisClients;
import moe.ids.store.RedisReader;
import moe.ids.store.RedisStore;
import moe.ids.testing.SyntheticData;
import moe.ids.store.Tuning;
import moe.ids.store.WriteMetrics;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Test support: a random Redis key prefix loaded through the store's real writer ({@link RedisStore}), and an
 * API started on a free port against it. {@link #close()} stops the API and deletes the prefix's keys.
 */
public final class Fixture implements AutoCloseable {
    /** The shared test Redis ({@code TEST_REDIS_URL}, default db 0 of the local server). */
    public static final String REDIS = System.getenv().getOrDefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/0");
    /** First internal ID of the hand-made entries. */
    public static final long HAND = 900_001;

    final RedisUrl redisUrl = RedisUrl.parse("TEST_REDIS_URL", REDIS);
    final String prefix = "tapi" + UUID.randomUUID().toString().substring(0, 8) + ":";
    final RedisClient redis = RedisClients.create(redisUrl, "ids-moe-api-test", 4);
    final Layout layout = new Layout(new RedisKeys(prefix));
    final RedisStore store = new RedisStore(redis, layout, tuning(), WriteMetrics.NONE);
    Main.Api api;

    /**
     * The ingestor's default tuning, or tier-1/tier-2 fields per bucket from {@code -Dids.test.bucket-fields=64,32}
     * (bench/api.sh compares the layouts with it).
     */
    private static Tuning tuning() {
        String f = System.getProperty("ids.test.bucket-fields");
        if (f == null) {
            return Tuning.DEFAULT;
        }
        String[] mb = f.split(",");
        return Tuning.DEFAULT.withBucketFields(Integer.parseInt(mb[0].strip()), Integer.parseInt(mb[1].strip()));
    }

    /**
     * Loads version {@code version} of {@code entries} (mapping keys by the merger's rules, see {@link #mappings}).
     *
     * @param version change-set version
     * @param entries internal ID → entry
     */
    void load(long version, Map<Long, AnimeEntry> entries) {
        load(version, entries, mappings(entries));
    }

    /**
     * @param version  change-set version
     * @param entries  internal ID → entry
     * @param mappings mapping key → internal ID
     */
    void load(long version, Map<Long, AnimeEntry> entries, Map<String, Long> mappings) {
        load(version, entries, mappings, -1);
    }

    /**
     * Switches in a new generation even at the same version, as the ingestor's resync does when it finds the served
     * one broken.
     *
     * @param version change-set version (may equal the served one)
     * @param entries internal ID → entry
     */
    void resync(long version, Map<Long, AnimeEntry> entries) {
        load(version, entries, mappings(entries), new RedisReader(redis, layout).meta().generation());
    }

    private void load(long version, Map<Long, AnimeEntry> entries, Map<String, Long> mappings, long replaceGen) {
        List<Published.IdJson> e = new ArrayList<>();
        entries.forEach((id, entry) -> e.add(new Published.IdJson(id, CanonicalJson.toBytes(entry))));
        List<Published.KeyId> m = new ArrayList<>();
        mappings.forEach((k, id) -> m.add(new Published.KeyId(k, id)));
        store.load(new Published(version, Instant.parse("2026-11-20T03:04:05Z"), report(), e, m), replaceGen);
    }

    /**
     * @param cfgNearCache near-cache budget in bytes (0 = off)
     * @return the started API
     */
    Main.Api start(long cfgNearCache) {
        return start(cfgNearCache, redisUrl);
    }

    /**
     * @param cfgNearCache near-cache budget in bytes (0 = off)
     * @param url          the Redis the API reads (e.g. one that is down)
     * @return the started API
     */
    Main.Api start(long cfgNearCache, RedisUrl url) {
        api = Main.Api.start(config(url, ApiConfig.DEFAULT_REDIS_PIPES, cfgNearCache), Config.empty());
        return api;
    }

    /**
     * The API's settings in tests: this fixture's prefix, an ephemeral port, a pool of 8 and the shipped defaults.
     *
     * @param url       the Redis the API reads
     * @param pipes     auto-pipelined lookup connections
     * @param nearCache near-cache budget in bytes (0 = off)
     * @return the config
     */
    ApiConfig config(RedisUrl url, int pipes, long nearCache) {
        return new ApiConfig(url, prefix, 0, 8, pipes, nearCache, 3600, 300, 500, 256 * 1024,
                "https://github.com/ids-moe/ids.moe", "AGPL-3.0-only",
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * @return the base URL of the started API
     */
    String base() {
        return "http://127.0.0.1:" + api.server().port();
    }

    /**
     * The published mapping as the merger makes it: every key of every entry; a shared key goes to the lowest
     * internal ID, except Trakt's show key {@code trakt/shows/{id}}, which goes to the entry of season 1, else of
     * the lowest season.
     *
     * @param entries snapshot
     * @return mapping key → internal ID
     */
    static TreeMap<String, Long> mappings(Map<Long, AnimeEntry> entries) {
        TreeMap<String, Long> m = SyntheticData.mappings(entries);
        Map<String, long[]> best = new java.util.HashMap<>(); // show key → {season, id}
        new TreeMap<>(entries).forEach((id, e) -> {
            if (e.trakt() != null && "shows".equals(e.traktType()) && e.traktSeason() != null) {
                String k = "trakt/shows/" + e.trakt();
                long[] b = best.get(k);
                if (b == null || e.traktSeason() < b[0]) {
                    best.put(k, new long[]{e.traktSeason(), id});
                }
            }
        });
        best.forEach((k, b) -> m.put(k, b[1]));
        return m;
    }

    /**
     * @param it names, e.g. a JSON object's {@code fieldNames()}
     * @return them in order
     */
    static List<String> names(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /**
     * @param n synthetic entries
     * @return synthetic entries 1..n plus the hand-made ones from {@link #HAND}
     */
    static TreeMap<Long, AnimeEntry> data(int n) {
        TreeMap<Long, AnimeEntry> d = SyntheticData.a(n, 7);
        d.putAll(handMade());
        return d;
    }

    /**
     * @return entries with a value on every platform, IDs ≥ 1,000,000, a two-season Trakt show, a show whose
     *         lowest season is 2, shared IMDb/TMDB TV/TheTVDB IDs, a Nautiljon slug with {@code +}
     */
    static TreeMap<Long, AnimeEntry> handMade() {
        TreeMap<Long, AnimeEntry> d = new TreeMap<>();
        d.put(HAND, AnimeEntry.builder("Cowboy Bebop").set("anidb", 23).set("anilist", 1).set("animenewsnetwork", 13)
                .set("animeplanet", "cowboy-bebop").set("anisearch", 1572).set("annict", 360).set("imdb", "tt0213338")
                .set("kaize", "cowboy-bebop").set("kaize_id", 265).set("kitsu", 1).set("livechart", 3418)
                .set("myanimelist", 1).set("nautiljon", "cowboy+bebop").set("nautiljon_id", 1)
                .set("notify", "Tk3ccKimg").set("otakotaku", 1149).set("shikimori", 1).set("shoboi", 538)
                .set("silveryasha", 2652).set("simkl", 2095944).set("themoviedb", 1234567).set("trakt", 30857)
                .set("trakt_type", "shows").set("trakt_season", 1).set("thetvdb", 76885).set("themoviedb_tv", 30991)
                .build());
        d.put(HAND + 1, AnimeEntry.builder("Cowboy Bebop: Season 2 <&>").set("myanimelist", 50_000_001)
                .set("imdb", "tt0213338").set("trakt", 30857).set("trakt_type", "shows").set("trakt_season", 2)
                .set("thetvdb", 76885).set("themoviedb_tv", 30991).build());
        d.put(HAND + 2, AnimeEntry.builder("Later Show S3").set("myanimelist", 50_000_002).set("trakt", 99999)
                .set("trakt_type", "shows").set("trakt_season", 3).build());
        d.put(HAND + 3, AnimeEntry.builder("Later Show S2").set("myanimelist", 50_000_003).set("trakt", 99999)
                .set("trakt_type", "shows").set("trakt_season", 2).build());
        d.put(HAND + 4, AnimeEntry.builder("A Movie").set("myanimelist", 50_000_004).set("trakt", 777)
                .set("trakt_type", "movies").set("themoviedb", 2_000_001).set("anilist", 2_000_002).build());
        return d;
    }

    private static JsonNode report() {
        try {
            return new ObjectMapper().readTree("""
                    {"sources": {"aod": {"updated": "2026-11-20T01:00:00Z", "records": 40000, "result": "Changed"},
                                 "kaize": {"updated": "2026-11-19T01:00:00Z", "records": 25000, "result": "Unchanged"}}}
                    """);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Deletes every key of this fixture's prefix (SCAN + UNLINK). */
    void clear() {
        ScanParams params = new ScanParams().match(prefix + "*")
                .count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            var page = redis.scan(cursor, params);
            if (!page.getResult().isEmpty()) {
                redis.unlink(page.getResult().toArray(String[]::new));
            }
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }

    @Override
    public void close() {
        try {
            if (api != null) {
                api.close();
            }
        } finally {
            clear();
            redis.close();
        }
    }
}
