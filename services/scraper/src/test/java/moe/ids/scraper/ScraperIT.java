package moe.ids.scraper;

import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.db.Database;
import moe.ids.db.Migrations;
import moe.ids.testing.TestDatabases;
import moe.ids.replay.ReplayServer;
import moe.ids.scraper.http.HttpSettings;
import moe.ids.scraper.source.ArmSource;
import moe.ids.scraper.source.FribbSource;
import moe.ids.scraper.source.Outcome;
import moe.ids.core.snapshot.Records;
import moe.ids.scraper.source.SourceResult;
import moe.ids.scraper.store.SnapshotStore;
import moe.ids.db.snapshot.SourceState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dataset sources against the replay server and a real PostgreSQL database of this test's own. */
class ScraperIT {
    private static final List<String> MANUAL = List.of("kaize-manual", "otakotaku-manual", "silveryasha-manual");
    private static final Map<String, Integer> COUNTS_A = Map.of("aod", 34814, "arm", 36045, "anitrakt-tv", 3831,
            "anitrakt-movies", 1359, "silveryasha", 4565, "fribb", 10692, "kaize-manual", 38,
            "otakotaku-manual", 57, "silveryasha-manual", 39);
    private static final Map<String, Integer> COUNTS_B = Map.of("aod", 34814, "arm", 36069, "anitrakt-tv", 3831,
            "anitrakt-movies", 1359, "silveryasha", 4634, "fribb", 10701, "kaize-manual", 38,
            "otakotaku-manual", 57, "silveryasha-manual", 39);

    /** The dataset sources (the web scrapers have WebScrapersIT). */
    private static final List<String> DATASETS = List.copyOf(COUNTS_A.keySet());

    private DatabaseUrl url;
    private HikariDataSource db;
    private ReplayServer replay;
    private Scraper scraper;

    @BeforeEach
    void start() {
        Optional<Path> upstream = ReplayServer.locateUpstream();
        Assumptions.assumeTrue(upstream.isPresent(), "recorded upstream (../shared/upstream) not found; skipping");
        replay = ReplayServer.start(upstream.get(), "a");
        url = TestDatabases.fresh("scraper");
        Migrations.migrate(url);
        db = Database.pool(url, "scraper-it", 6);
        HttpSettings http = new HttpSettings("ids.moe-test", Duration.ofSeconds(5), Duration.ofSeconds(30), 3,
                Duration.ofMillis(20), Duration.ofMillis(200), Optional.empty(), Optional.of(replay.baseUri()));
        scraper = new Scraper(new ScraperConfig(url, 0, http, 4, 0.5, 1, 3), db);
    }

    @AfterEach
    void stop() {
        if (scraper != null) {
            scraper.close();
        }
        if (db != null) {
            db.close();
            TestDatabases.drop(url);
        }
        if (replay != null) {
            replay.close();
        }
    }

    @Test
    void snapshotAThenBThenBAgain() throws Exception {
        Map<String, SourceResult> a = byName(scraper.run(DATASETS, false));
        assertEquals(COUNTS_A.keySet(), a.keySet());
        a.values().forEach(r -> assertEquals(Outcome.Changed, r.result(), r.toString()));
        a.values().forEach(r -> assertEquals(COUNTS_A.get(r.source()), r.records(), r.source()));

        replay.snapshot("b");
        Map<String, SourceResult> b = byName(scraper.run(DATASETS, false));
        for (SourceResult r : b.values()) {
            // The manual files are the same blob in a and b: a conditional GET answers 304.
            Outcome expected = MANUAL.contains(r.source()) ? Outcome.Unchanged : Outcome.Changed;
            assertEquals(expected, r.result(), r.toString());
            assertEquals(COUNTS_B.get(r.source()), r.records(), r.source());
        }
        long snapshots = count("source_snapshot");
        long fetches = count("source_fetch");
        assertEquals(9 + 6, snapshots);

        Map<String, SourceResult> again = byName(scraper.run(DATASETS, false));
        again.values().forEach(r -> assertEquals(Outcome.Unchanged, r.result(), r.toString()));
        assertEquals(snapshots, count("source_snapshot"), "nothing new stored");
        assertEquals(fetches + 9, count("source_fetch"), "every attempt recorded");

        SnapshotStore store = new SnapshotStore(moe.ids.db.Db.clientOver(db), 3);
        List<Records.FribbEntry> fribb = store.records("fribb", Records.FribbEntry.class).orElseThrow();
        assertEquals(10701, fribb.size());
        Records.FribbEntry e11 = fribb.stream().filter(e -> e.anidb() == 11).findFirst().orElseThrow();
        assertEquals(List.of("tt7941838"), e11.imdb());
        assertEquals(List.of(1390599), e11.themoviedbMovie());
        assertEquals(70900, e11.thetvdb());
    }

    @Test
    void forceStoresAgainAndKeepsOnlyTheNewestSnapshots() throws Exception {
        for (int i = 0; i < 5; i++) {
            SourceResult r = scraper.run(List.of("kaize-manual"), true).getFirst();
            assertEquals(Outcome.Changed, r.result(), r.toString());
        }
        assertEquals(3, count("source_snapshot"), "keep-snapshots = 3");
        assertEquals(5, count("source_fetch"));
    }

    @Test
    void armIsRetriedAfter503() {
        replay.enableFaults(Set.of("arm-503-then-200"));
        SourceResult r = scraper.run(List.of("arm"), false).getFirst();
        assertEquals(Outcome.Changed, r.result(), r.toString());
        assertEquals(36069, r.records());
        assertEquals(2, replay.requestCount("GET", ArmSource.URL));
    }

    @Test
    void truncatedAodFailsAndKeepsTheLastGood() throws Exception {
        replay.snapshot("b");
        assertEquals(Outcome.Changed, scraper.run(List.of("aod"), false).getFirst().result());
        SourceState before = new SnapshotStore(moe.ids.db.Db.clientOver(db), 3).state("aod").orElseThrow();
        replay.enableFaults(Set.of("aod-truncated-zst"));
        SourceResult r = scraper.run(List.of("aod"), false).getFirst();
        assertFailedKeeping(r, before, "aod", "zstd");
    }

    @Test
    void emptyFribbFailsAndKeepsTheLastGood() throws Exception {
        replay.snapshot("b");
        assertEquals(Outcome.Changed, scraper.run(List.of("fribb"), false).getFirst().result());
        SourceState before = new SnapshotStore(moe.ids.db.Db.clientOver(db), 3).state("fribb").orElseThrow();
        replay.enableFaults(Set.of("fribb-empty-array"));
        SourceResult r = scraper.run(List.of("fribb"), false).getFirst();
        assertFailedKeeping(r, before, "fribb", "0 records");
        assertEquals(1, replay.requestCount("GET", FribbSource.URL));
    }

    @Test
    void silveryashaWithoutDataFailsAndKeepsTheLastGood() throws Exception {
        replay.snapshot("b");
        assertEquals(Outcome.Changed, scraper.run(List.of("silveryasha"), false).getFirst().result());
        SourceState before = new SnapshotStore(moe.ids.db.Db.clientOver(db), 3).state("silveryasha").orElseThrow();
        replay.enableFaults(Set.of("silveryasha-missing-data"));
        Map<String, SourceResult> all = byName(scraper.run(DATASETS, false));
        assertFailedKeeping(all.get("silveryasha"), before, "silveryasha", "no data array");
        all.values().stream().filter(r -> !r.source().equals("silveryasha"))
                .forEach(r -> assertTrue(r.result() != Outcome.Failed, "others go on: " + r));
    }

    @Test
    void unreachableUpstreamFailsEverySourceWithTheCause() {
        replay.close();
        HttpSettings http = new HttpSettings("t", Duration.ofMillis(500), Duration.ofSeconds(2), 2,
                Duration.ofMillis(10), Duration.ofMillis(50), Optional.empty(),
                Optional.of(URI.create("http://127.0.0.1:" + replay.port())));
        replay = null;
        try (Scraper offline = new Scraper(new ScraperConfig(url, 0, http, 4, 0.5, 1, 3), db)) {
            SourceResult r = offline.run(List.of("arm"), false).getFirst();
            assertEquals(Outcome.Failed, r.result());
            assertTrue(r.message().startsWith("arm: GET " + ArmSource.URL + " failed after 2 attempts"), r.message());
        }
    }

    private void assertFailedKeeping(SourceResult r, SourceState before, String source, String cause)
            throws Exception {
        assertEquals(Outcome.Failed, r.result(), r.toString());
        assertTrue(r.message().startsWith(source + ": "), r.message());
        assertTrue(r.message().contains(cause), r.message());
        SourceState after = new SnapshotStore(moe.ids.db.Db.clientOver(db), 3).state(source).orElseThrow();
        assertEquals(before, after, "last good snapshot and its validators kept");
        assertEquals(before.recordCount(), r.records());
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT result, error FROM source_fetch WHERE source = '" + source
                     + "' ORDER BY id DESC LIMIT 1")) {
            rs.next();
            assertEquals("Failed", rs.getString(1));
            assertTrue(rs.getString(2).contains(cause), rs.getString(2));
        }
    }

    private long count(String table) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Map<String, SourceResult> byName(List<SourceResult> results) {
        return results.stream().collect(Collectors.toMap(SourceResult::source, Function.identity()));
    }
}
