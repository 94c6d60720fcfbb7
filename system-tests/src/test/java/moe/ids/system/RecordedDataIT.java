package moe.ids.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.db.Database;
import moe.ids.db.Db;
import moe.ids.db.Migrations;
import moe.ids.testing.Http;
import moe.ids.testing.TestDatabases;
import moe.ids.core.platform.IdType;
import moe.ids.core.platform.Platform;
import moe.ids.core.platform.Platforms;
import moe.ids.ingestor.Ingestor;
import moe.ids.ingestor.IngestorConfig;
import moe.ids.store.Tuning;
import moe.ids.merger.MergeService;
import moe.ids.merger.merge.MergeSettings;
import moe.ids.replay.ReplayServer;
import moe.ids.scraper.Scraper;
import moe.ids.scraper.ScraperConfig;
import moe.ids.scraper.http.HttpSettings;
import moe.ids.scraper.source.Outcome;
import moe.ids.scraper.source.SourceResult;
import moe.ids.scraper.source.Sources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API over REAL data: the recorded upstream (snapshot b) through the whole pipeline — replay server → scraper
 * (every dataset source) → merger → change set → ingestor → Redis — then served. Checks what synthetic fixtures
 * cannot: the dump equals the counts of /status; a sample of ~1,000 real entries is found again through every
 * platform it has (its own value comes back: shared keys such as IMDb or a Trakt show may resolve to a sibling,
 * never to an entry without that value); redirects from MAL to every platform of the sample build exactly the
 * registry's URL; the TSV has one line per entry; batches, arm-server's routes and the shared-key rules answer what
 * the dump holds. Skipped with a message where {@code ../shared/upstream} is absent.
 */
class RecordedDataIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The web scrapers are covered by the scraper's own tests (and need politeness settings or a login). */
    private static final Set<String> WEB = Set.of("kaize", "nautiljon", "otakotaku");
    private static ServedApi fixture;
    private static DatabaseUrl db;
    private static Http http;

    @BeforeAll
    static void refreshAndServe() throws Exception {
        Optional<Path> upstream = ReplayServer.locateUpstream();
        Assumptions.assumeTrue(upstream.isPresent(), "recorded upstream not found (../shared/upstream, "
                + "-Dids.moe.upstream or IDS_MOE_UPSTREAM): the API over real data is not tested");
        fixture = new ServedApi();
        db = TestDatabases.fresh("apireal");
        Migrations.migrate(db);
        try (ReplayServer replay = ReplayServer.start(upstream.get(), "b");
             HikariDataSource pool = Database.pool(db, "apireal", 6)) {
            HttpSettings h = new HttpSettings("ids.moe-test", Duration.ofSeconds(5), Duration.ofSeconds(60), 2,
                    Duration.ofMillis(20), Duration.ofMillis(200), Optional.empty(), Optional.of(replay.baseUri()));
            List<String> sources = Sources.names().stream().filter(s -> !WEB.contains(s)).toList();
            IngestorConfig ingest = new IngestorConfig(db, fixture.redisUrl, fixture.prefix, 0, "default",
                    Duration.ofSeconds(60), Duration.ofSeconds(2), Tuning.DEFAULT);
            try (Scraper scraper = new Scraper(new ScraperConfig(db, 0, h, 4, 0.5, 1, 3), pool);
                 Ingestor ingestor = moe.ids.ingestor.Main.create(ingest, moe.ids.db.Db.over(pool), moe.ids.store.RedisPool.of(fixture.redis))) {
                List<SourceResult> results = scraper.run(sources, false);
                for (SourceResult r : results) {
                    assertEquals(Outcome.Changed, r.result(), r.toString());
                }
                assertTrue(new MergeService(Db.over(pool), MergeSettings.DEFAULTS, 0.05).run(false).published());
                assertEquals(1, ingestor.syncOnce());
            }
        }
        fixture.start(0); // near cache off: every answer below comes from Redis
        http = new Http(fixture.base());
    }

    @AfterAll
    static void cleanUp() {
        if (fixture != null) {
            fixture.close();
        }
        if (db != null) {
            TestDatabases.drop(db);
        }
    }

    @Test
    void theDumpMatchesTheCountsAndEveryPlatformFindsItsEntriesAgain() throws Exception {
        JsonNode status = JSON.readTree(http.get("/status").body());
        JsonNode all = JSON.readTree(http.get("/animeapi.json").body());
        assertTrue(all.size() > 30_000, "entries: " + all.size());
        assertEquals(status.get("counts").get("total").asInt(), all.size());
        for (Platform p : Platforms.lookupPlatforms()) {
            long having = 0;
            for (JsonNode e : all) {
                having += e.path(p.name()).isNull() || e.path(p.name()).isMissingNode() ? 0 : 1;
            }
            assertEquals(status.get("counts").get(p.name()).asLong(), having, p.name());
        }

        int lookups = 0;
        for (int i = 0; i < all.size(); i += 31) {
            JsonNode e = all.get(i);
            for (Platform p : Platforms.lookupPlatforms()) {
                JsonNode v = e.get(p.name());
                if (v == null || v.isNull()) {
                    continue;
                }
                String path = path(p, e, v);
                Http.Res r = http.get(path);
                assertEquals(200, r.status(), path + " for " + e + ": " + r.text());
                JsonNode found = JSON.readTree(r.body());
                assertEquals(v, found.get(p.name()), path + " answered " + found + " for " + e);
                if (p.name().equals("trakt") && e.hasNonNull("trakt_season")) {
                    assertEquals(e.get("trakt_season"), found.get("trakt_season"), path);
                }
                lookups++;
            }
        }
        assertTrue(lookups > 5_000, "lookups: " + lookups);

        String tsv = http.get("/animeapi.tsv").text();
        assertEquals(all.size() + 1, tsv.lines().count());
        assertTrue(tsv.startsWith("title\tanidb\t"), tsv.substring(0, 40));
    }

    @Test
    void redirectsFromMalBuildTheRegistrysUrls() throws Exception {
        JsonNode all = JSON.readTree(http.get("/animeapi.json").body());
        int checked = 0;
        for (int i = 0; i < all.size() && checked < 1_500; i += 29) {
            JsonNode e = all.get(i);
            if (!e.hasNonNull("myanimelist")) {
                continue;
            }
            long mal = e.get("myanimelist").asLong();
            // the entry MAL resolves to (a shared MAL ID resolves to one of its entries)
            JsonNode owner = JSON.readTree(http.get("/myanimelist/" + mal).body());
            for (Platform p : Platforms.lookupPlatforms()) {
                JsonNode v = owner.get(p.name());
                if (v == null || v.isNull() || p.name().equals("trakt") || p.name().equals("themoviedb")) {
                    continue; // Trakt and TMDB URLs carry a type (and season): ApiIT checks them
                }
                Http.Res r = http.get("/redirect?platform=mal&mediaid=" + mal + "&target=" + p.name());
                assertEquals(302, r.status(), p.name() + " for MAL " + mal + ": " + r.text());
                String expected = p.idType() == IdType.INT ? p.pageUrl(v.asLong()) : p.pageUrl(v.asText());
                assertEquals(expected, r.header("location"), p.name() + " for MAL " + mal);
                checked++;
            }
        }
        assertTrue(checked > 1_000, "redirects: " + checked);
    }

    @Test
    void cowboyBebopAndItsValidators() throws Exception {
        Http.Res r = http.get("/mal/1");
        assertEquals(200, r.status());
        JsonNode e = JSON.readTree(r.body());
        assertEquals("Cowboy Bebop", e.get("title").asText());
        assertEquals(23, e.get("anidb").asInt());
        assertEquals(1, e.get("anilist").asInt());
        String etag = r.header("etag");
        assertEquals(304, http.get("/anilist/1", "If-None-Match", etag).status());
        assertEquals(404, http.get("/mal/999999999").status());
    }

    /**
     * Batch, arm-server and the shared-key rules over the real data: a batch keeps its order and answers unknown IDs
     * with null; arm-server's {@code /api/v2/ids} (POST) and its one-to-many routes return exactly the entries the dump
     * holds for that ID (internal-ID order, {@code include} filtering); {@code /trakt/shows/{id}} without a season
     * picks the merger's choice (season 1, else the lowest, an entry without a season last, then the lowest ID).
     */
    @Test
    void batchArmServerAndSharedKeysOverRealData() throws Exception {
        JsonNode all = JSON.readTree(http.get("/animeapi.json").body());

        // POST /{platform}: 500 IDs, real ones with an unknown one every tenth, answered in order
        List<Long> ids = new ArrayList<>();
        for (int i = 0; ids.size() < 500; i += 61) {
            JsonNode e = all.get(i % all.size());
            if (ids.size() % 10 == 9) {
                ids.add(999_999_000L + ids.size());
            } else if (e.hasNonNull("myanimelist")) {
                ids.add(e.get("myanimelist").asLong());
            }
        }
        JsonNode batch = JSON.readTree(http.send("POST", "/myanimelist", JSON.writeValueAsString(ids)).body());
        assertEquals(ids.size(), batch.size());
        for (int i = 0; i < ids.size(); i++) {
            Http.Res one = http.get("/myanimelist/" + ids.get(i));
            if (one.status() == 404) {
                assertTrue(batch.get(i).isNull(), i + ": " + batch.get(i));
            } else {
                assertEquals(JSON.readTree(one.body()), batch.get(i), "batch item " + i + " (MAL " + ids.get(i) + ")");
            }
        }
        assertTrue(batch.get(9).isNull() && batch.get(19).isNull());

        // arm-server's POST /api/v2/ids: 100 AniList IDs, each answered with the relations of its entry
        List<JsonNode> withAnilist = new ArrayList<>();
        for (int i = 0; withAnilist.size() < 100; i += 37) {
            if (all.get(i).hasNonNull("anilist")) {
                withAnilist.add(all.get(i));
            }
        }
        StringBuilder body = new StringBuilder("[");
        for (JsonNode e : withAnilist) {
            body.append(body.length() > 1 ? "," : "").append("{\"anilist\":").append(e.get("anilist").asLong()).append('}');
        }
        JsonNode arm = JSON.readTree(http.send("POST", "/api/v2/ids", body + "]").body());
        assertEquals(100, arm.size());
        for (int i = 0; i < 100; i++) {
            JsonNode owner = JSON.readTree(http.get("/anilist/" + withAnilist.get(i).get("anilist").asLong()).body());
            for (String k : List.of("anidb", "anilist", "kitsu", "myanimelist", "imdb", "thetvdb")) {
                assertEquals(owner.get(k), arm.get(i).get(k), k + " of item " + i);
            }
            assertEquals(owner.get("animeplanet"), arm.get(i).get("anime-planet"));
        }

        // one-to-many: every entry carrying the ID, in internal-ID order (the dump's), include filtering
        Map<String, List<JsonNode>> byImdb = new LinkedHashMap<>();
        Map<Long, List<JsonNode>> byTvdb = new LinkedHashMap<>();
        Map<Long, List<JsonNode>> byTmdb = new LinkedHashMap<>();
        Map<Long, List<JsonNode>> shows = new LinkedHashMap<>();
        for (JsonNode e : all) {
            if (e.hasNonNull("imdb")) {
                byImdb.computeIfAbsent(e.get("imdb").asText(), k -> new ArrayList<>()).add(e);
            }
            if (e.hasNonNull("thetvdb")) {
                byTvdb.computeIfAbsent(e.get("thetvdb").asLong(), k -> new ArrayList<>()).add(e);
            }
            JsonNode tmdb = e.hasNonNull("themoviedb_tv") ? e.get("themoviedb_tv") : e.get("themoviedb");
            if (tmdb != null && !tmdb.isNull()) {
                byTmdb.computeIfAbsent(tmdb.asLong(), k -> new ArrayList<>()).add(e);
            }
            if (e.hasNonNull("trakt") && "shows".equals(e.path("trakt_type").asText())) {
                shows.computeIfAbsent(e.get("trakt").asLong(), k -> new ArrayList<>()).add(e);
            }
        }
        int shared = 0;
        for (Map.Entry<String, List<JsonNode>> g : sample(byImdb)) {
            JsonNode got = JSON.readTree(http.get("/api/v2/imdb?id=" + g.getKey() + "&include=anilist,imdb").body());
            assertEquals(g.getValue().size(), got.size(), g.getKey());
            for (int i = 0; i < got.size(); i++) {
                assertEquals(List.of("anilist", "imdb"), names(got.get(i).fieldNames()), g.getKey());
                assertEquals(g.getKey(), got.get(i).get("imdb").asText());
                assertEquals(g.getValue().get(i).get("anilist"), got.get(i).get("anilist"), g.getKey() + " #" + i);
            }
            shared += got.size() > 1 ? 1 : 0;
        }
        for (Map.Entry<Long, List<JsonNode>> g : sample(byTvdb)) {
            JsonNode got = JSON.readTree(http.get("/api/v2/thetvdb?id=" + g.getKey()).body());
            assertEquals(g.getValue().size(), got.size(), "thetvdb " + g.getKey());
            for (int i = 0; i < got.size(); i++) {
                assertEquals(g.getValue().get(i).get("myanimelist"), got.get(i).get("myanimelist"));
            }
            shared += got.size() > 1 ? 1 : 0;
        }
        for (Map.Entry<Long, List<JsonNode>> g : sample(byTmdb)) {
            JsonNode got = JSON.readTree(http.get("/api/v2/themoviedb?id=" + g.getKey()).body());
            assertEquals(g.getValue().size(), got.size(), "themoviedb " + g.getKey());
            for (int i = 0; i < got.size(); i++) {
                assertEquals(g.getKey().longValue(), got.get(i).get("themoviedb").asLong());
            }
        }
        assertTrue(shared > 10, "IDs shared by several entries among the samples: " + shared);
        assertEquals("[]", http.get("/api/v2/imdb?id=tt999999999").text());

        // /trakt/shows/{id}: the merger's deterministic choice among the show's seasons
        int multi = 0;
        for (Map.Entry<Long, List<JsonNode>> g : shows.entrySet()) {
            if (g.getValue().size() < 2) {
                continue;
            }
            JsonNode expected = g.getValue().stream().min(java.util.Comparator.comparingInt(
                    (JsonNode e) -> e.hasNonNull("trakt_season") ? (e.get("trakt_season").asInt() == 1 ? 0
                            : e.get("trakt_season").asInt()) : Integer.MAX_VALUE)).orElseThrow(); // stable: lowest ID
            JsonNode got = JSON.readTree(http.get("/trakt/shows/" + g.getKey()).body());
            assertEquals(expected, got, "trakt show " + g.getKey() + " among " + g.getValue().size() + " entries");
            multi++;
        }
        assertTrue(multi > 50, "Trakt shows with several entries: " + multi);
    }

    private static List<String> names(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** Every group of several entries (up to 200) and 100 single ones, so that both kinds are asked. */
    private static <K> List<Map.Entry<K, List<JsonNode>>> sample(Map<K, List<JsonNode>> groups) {
        List<Map.Entry<K, List<JsonNode>>> out = new ArrayList<>();
        int several = 0;
        int singles = 0;
        for (Map.Entry<K, List<JsonNode>> g : groups.entrySet()) {
            if (g.getValue().size() > 1 && several < 200) {
                out.add(g);
                several++;
            } else if (g.getValue().size() == 1 && singles < 100) {
                out.add(g);
                singles++;
            }
        }
        return out;
    }

    private static String path(Platform p, JsonNode e, JsonNode v) {
        return switch (p.name()) {
            case "trakt" -> "/trakt/" + e.get("trakt_type").asText() + "/" + v.asLong()
                    + (e.hasNonNull("trakt_season") && "shows".equals(e.get("trakt_type").asText())
                    ? "/seasons/" + e.get("trakt_season").asInt() : "");
            case "themoviedb" -> "/themoviedb/movie/" + v.asLong();
            default -> "/" + p.name() + "/" + (v.isNumber() ? Long.toString(v.asLong())
                    : URLEncoder.encode(v.asText(), StandardCharsets.UTF_8).replace("+", "%20"));
        };
    }
}
