package moe.ids.system;

import moe.ids.merger.MergeService;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.changeset.ChangeSetCodec;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.db.Database;
import moe.ids.db.Migrations;
import moe.ids.testing.TestDatabases;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.merger.merge.MergeSettings;
import moe.ids.replay.ReplayServer;
import moe.ids.scraper.Scraper;
import moe.ids.scraper.ScraperConfig;
import moe.ids.scraper.http.HttpSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The merger on the recorded upstream: snapshot a then b in one database, b alone in another, compared.
 * Real PostgreSQL, real replay server, the real scraper.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MergerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ReplayServer replay;
    private static Db incremental;
    private static Db fresh;
    private static Map<String, Long> idsAfterA;

    /** A database with its pool and scraper. */
    record Db(DatabaseUrl url, HikariDataSource pool, Scraper scraper, MergeService merger) {
        static Db create(String name) {
            DatabaseUrl url = TestDatabases.fresh(name);
            Migrations.migrate(url);
            HikariDataSource pool = Database.pool(url, name, 6);
            HttpSettings http = new HttpSettings("ids.moe-test", Duration.ofSeconds(5), Duration.ofSeconds(30), 3,
                    Duration.ofMillis(20), Duration.ofMillis(200), Optional.empty(), Optional.of(replay.baseUri()));
            return new Db(url, pool, new Scraper(new ScraperConfig(url, 0, http, 4, 0.5, 1, 3), pool),
                    new MergeService(moe.ids.db.Db.over(pool), MergeSettings.DEFAULTS, 0.05));
        }

        void close() {
            scraper.close();
            pool.close();
            TestDatabases.drop(url);
        }
    }

    @BeforeAll
    static void start() {
        Optional<Path> upstream = ReplayServer.locateUpstream();
        Assumptions.assumeTrue(upstream.isPresent(), "recorded upstream (../shared/upstream) not found; skipping");
        replay = ReplayServer.start(upstream.get(), "a");
        incremental = Db.create("merge_ab");
        fresh = Db.create("merge_b");
    }

    @AfterAll
    static void stop() {
        if (incremental != null) {
            incremental.close();
        }
        if (fresh != null) {
            fresh.close();
        }
        if (replay != null) {
            replay.close();
        }
    }

    @Test
    @Order(1)
    void mergeA() throws Exception {
        replay.snapshot("a");
        incremental.scraper().run(List.of(), false);
        MergeService.Outcome a = incremental.merger().run(false);
        assertTrue(a.published());
        assertEquals(1, a.version());
        assertEquals(34814, a.upserts());
        idsAfterA = idsByTitle(incremental);
        assertEquals(34814, idsAfterA.size());
    }

    @Test
    @Order(2)
    void mergeBOnTopEqualsBFromScratch() throws Exception {
        replay.snapshot("b");
        incremental.scraper().run(List.of(), false);
        MergeService.Outcome b = incremental.merger().run(false);
        assertTrue(b.published());
        assertEquals(2, b.version());

        fresh.scraper().run(List.of(), false);
        assertTrue(fresh.merger().run(false).published());

        // Same entries by title, same mapping (keys → titles), in both databases.
        Map<String, String> entriesInc = entriesByTitle(incremental);
        Map<String, String> entriesFresh = entriesByTitle(fresh);
        assertEquals(entriesFresh, entriesInc);
        assertEquals(mappingByTitle(fresh), mappingByTitle(incremental));

        // The a→b change set equals the difference of the two from-scratch states.
        ChangeSet cs = changeSet(incremental, 2);
        Map<String, Long> idsAfterB = idsByTitle(incremental);
        Set<String> gone = new HashSet<>(idsAfterA.keySet());
        gone.removeAll(idsAfterB.keySet());
        assertEquals(gone.size(), cs.delete().size());
        Map<Long, String> titleById = new HashMap<>();
        idsAfterB.forEach((t, id) -> titleById.put(id, t));
        for (ChangeSet.Upsert u : cs.upsert()) {
            assertEquals(u.entry().title(), titleById.get(u.id()));
        }
        assertTrue(cs.upsert().size() < 500, "an incremental change set, not a reload: " + cs.upsert().size());

        // Internal IDs of anime present in both stay equal.
        int kept = 0;
        for (Map.Entry<String, Long> e : idsAfterA.entrySet()) {
            Long now = idsAfterB.get(e.getKey());
            if (now != null) {
                assertEquals(e.getValue(), now, e.getKey());
                kept++;
            }
        }
        assertTrue(kept > 34_000, "kept " + kept);

        // No stale key: every published key points at an existing anime and is one of its mapping keys.
        try (Connection c = incremental.pool().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT string_agg(m.key || '→' || m.anime_id, ', ') FROM published_mapping m "
                     + "LEFT JOIN anime a ON a.id = m.anime_id WHERE a.id IS NULL")) {
            rs.next();
            assertEquals(null, rs.getString(1), "mapping keys pointing at no anime");
        }
    }

    @Test
    @Order(3)
    void knownVectors() throws Exception {
        Map<Integer, AnimeEntry> byMal = new HashMap<>();
        for (String json : entriesByTitle(incremental).values()) {
            AnimeEntry e = CanonicalJson.parse(json.getBytes(StandardCharsets.UTF_8));
            if (e.myanimelist() != null) {
                byMal.put(e.myanimelist(), e);
            }
        }
        AnimeEntry bebop = byMal.get(1);
        assertEquals(23, bebop.anidb());
        assertEquals(1, bebop.anilist());
        assertEquals(1, bebop.kitsu());
        assertEquals(30857, bebop.trakt());
        assertEquals("shows", bebop.traktType());
        assertEquals(1, bebop.traktSeason());
        assertEquals(1745, byMal.get(5114).annict());
        assertEquals(1575, byMal.get(5114).shoboi());
        assertEquals(1420, byMal.get(16498).trakt());
        assertEquals(1, byMal.get(16498).traktSeason());
        assertEquals(1420, byMal.get(25777).trakt());
        assertEquals(2, byMal.get(25777).traktSeason());
        Map<String, String> mapping = mappingByTitle(incremental);
        assertEquals(bebop.title(), mapping.get("trakt/shows/30857"));
        assertEquals(byMal.get(16498).title(), mapping.get("trakt/shows/1420"));
        assertEquals(byMal.get(25777).title(), mapping.get("trakt/shows/1420/seasons/2"));
    }

    @Test
    @Order(4)
    void mergingBAgainPublishesNothing() throws Exception {
        MergeService.Outcome skipped = incremental.merger().run(false);
        assertTrue(skipped.skipped(), "nothing scraped since the merge of b: skipped");
        assertFalse(skipped.published());
        assertEquals(2, skipped.version());
        MergeService.Outcome again = incremental.merger().run(true);
        assertFalse(again.skipped(), "forced: merged again");
        assertFalse(again.published());
        assertEquals(2, again.version());
        assertEquals(2, count(incremental, "change_set"));
        assertEquals(4, count(incremental, "merge_report"),
                "a report per run (a, b, b skipped, b again), also when nothing is published");
        JsonNode report = JSON.readTree(lastReport(incremental));
        assertEquals(34814, report.get("counts").get("total").asInt());
        assertTrue(report.get("sources").has("aod"));
        assertTrue(report.get("matching").get("silveryasha").get("direct").asInt() > 4000);
    }

    @Test
    @Order(5)
    void losingTheAodInputIsRefusedByTheGuard() throws Exception {
        try (Connection c = incremental.pool().getConnection(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM source_state WHERE source = 'aod'");
        }
        MergeService.MassDeletionException ex = assertThrows(MergeService.MassDeletionException.class,
                () -> incremental.merger().run(false));
        assertTrue(ex.getMessage().contains("would delete 34814 of 34814"), ex.getMessage());
        assertEquals(2, count(incremental, "change_set"), "nothing published");
        assertEquals(34814, count(incremental, "anime"));
    }

    private static ChangeSet changeSet(Db db, long version) throws Exception {
        try (Connection c = db.pool().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT payload FROM change_set WHERE version = ?")) {
            ps.setLong(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return ChangeSetCodec.fromCompressed(rs.getBytes(1));
            }
        }
    }

    private static Map<String, Long> idsByTitle(Db db) throws Exception {
        Map<String, Long> out = new HashMap<>();
        try (Connection c = db.pool().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT entry->>'title', id FROM anime")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    private static Map<String, String> entriesByTitle(Db db) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Connection c = db.pool().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT entry::text FROM anime")) {
            while (rs.next()) {
                AnimeEntry e = CanonicalJson.parse(rs.getString(1).getBytes(StandardCharsets.UTF_8));
                out.put(e.title(), new String(CanonicalJson.toBytes(e), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Map<String, String> mappingByTitle(Db db) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Connection c = db.pool().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT m.key, a.entry->>'title' FROM published_mapping m "
                     + "JOIN anime a ON a.id = m.anime_id")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    private static String lastReport(Db db) throws Exception {
        try (Connection c = db.pool().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT report::text FROM merge_report ORDER BY id DESC LIMIT 1")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long count(Db db, String table) throws Exception {
        try (Connection c = db.pool().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
