package moe.ids.scraper.web;

import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.db.Database;
import moe.ids.db.Migrations;
import moe.ids.testing.TestDatabases;
import moe.ids.replay.ReplayServer;
import moe.ids.scraper.Scraper;
import moe.ids.scraper.ScraperConfig;
import moe.ids.scraper.http.HttpSettings;
import moe.ids.scraper.http.UpstreamClient;
import moe.ids.scraper.http.UpstreamException;
import moe.ids.scraper.source.Outcome;
import moe.ids.core.snapshot.Records.KaizeEntry;
import moe.ids.core.snapshot.Records.NautiljonEntry;
import moe.ids.core.snapshot.Records.OtakOtakuEntry;
import moe.ids.scraper.source.SourceResult;
import moe.ids.scraper.store.SnapshotStore;
import moe.ids.db.snapshot.SourceState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web scrapers against the replay server (mirror: no pauses) and a real PostgreSQL database of this test's
 * own; expected figures from the recorded upstream's README / manifest.json.
 */
class WebScrapersIT {
    private static final int KAIZE_LAST = 476;
    private static final WebSettings WEB = WebSettings.defaults().withKaizeLogin("fixture@example.org", "secret");

    private Path upstream;
    private DatabaseUrl url;
    private HikariDataSource db;
    private ReplayServer replay;
    private final List<Scraper> scrapers = new ArrayList<>();

    @BeforeEach
    void start() {
        Optional<Path> root = ReplayServer.locateUpstream();
        Assumptions.assumeTrue(root.isPresent(), "recorded upstream (../shared/upstream) not found; skipping");
        upstream = root.get();
        replay = ReplayServer.start(upstream, "a");
        url = TestDatabases.fresh("webscrape");
        Migrations.migrate(url);
        db = Database.pool(url, "webscrape-it", 12);
    }

    @AfterEach
    void stop() {
        scrapers.forEach(Scraper::close);
        if (db != null) {
            db.close();
            TestDatabases.drop(url);
        }
        if (replay != null) {
            replay.close();
        }
    }

    private HttpSettings http(ReplayServer server, Duration backoffMax) {
        return new HttpSettings("ids.moe-test", Duration.ofSeconds(5), Duration.ofSeconds(30), 3,
                Duration.ofMillis(20), backoffMax, Optional.empty(), Optional.of(server.baseUri()));
    }

    private Scraper scraper(ReplayServer server, Duration backoffMax, WebSettings web) {
        Scraper s = new Scraper(new ScraperConfig(url, 0, http(server, backoffMax), 4, 0.5, 1, 3, web), db);
        scrapers.add(s);
        return s;
    }

    private SourceResult run(String source, boolean force) {
        return scraper(replay, Duration.ofMillis(200), WEB).run(List.of(source), force).getFirst();
    }

    private SnapshotStore store() {
        return new SnapshotStore(moe.ids.db.Db.clientOver(db), 3);
    }

    // ---- Nautiljon -------------------------------------------------------------------------------------------

    @Test
    void nautiljonReadsEveryPageIncludingTheLastAndSeesTheChanges() {
        SourceResult a = run("nautiljon", false);
        assertEquals(Outcome.Changed, a.result(), a.toString());
        assertEquals(11835, a.records());
        for (int o = 0; o <= 11820; o += 15) {
            assertEquals(1, replay.requestCount("GET", NautiljonSource.pageUrl(o)), "dbt=" + o);
        }
        assertEquals(0, replay.requestCount("GET", NautiljonSource.pageUrl(11835)), "nothing past the last link");
        List<NautiljonEntry> ra = store().records("nautiljon", NautiljonEntry.class).orElseThrow();
        assertEquals(290, ra.stream().filter(e -> e.francais() != null && e.francais().endsWith(")")).count());
        assertEquals(2, ra.stream().filter(e -> e.entryId() == null).count());
        List<NautiljonEntry> noPage = ra.stream().filter(e -> e.slug() == null).toList();
        assertEquals(Set.of("Shuten Douji", "Teizokurei Daydream"),
                noPage.stream().map(NautiljonEntry::title).collect(Collectors.toSet()));
        assertTrue(ra.stream().anyMatch(e -> "-deji-+meets+girl".equals(e.slug())
                && "\"Deji\" meets girl".equals(e.title())));
        assertTrue(ra.stream().anyMatch(e -> "ghost+in+the+shell+-+sac_2045".equals(e.slug())));
        assertTrue(ra.stream().anyMatch(e -> "Tokyo Kushu:re \u200E".equals(e.francais())), "U+200E kept");
        assertTrue(ra.stream().allMatch(e -> e.format() != null && !e.format().isEmpty() && e.status() != null));

        replay.snapshot("b");
        SourceResult b = run("nautiljon", false);
        assertEquals(Outcome.Changed, b.result(), b.toString());
        assertEquals(11850, b.records());
        assertEquals(1, replay.requestCount("GET", NautiljonSource.pageUrl(11835)), "the last page is read");
        List<NautiljonEntry> rb = store().records("nautiljon", NautiljonEntry.class).orElseThrow();
        assertDiff(ra, rb, NautiljonEntry::slug, 32, 17);

        SourceResult again = run("nautiljon", false);
        assertEquals(Outcome.Unchanged, again.result(), again.toString());
    }

    @Test
    void malformedNautiljonPageFailsTheScrapeAndKeepsTheLastGood() throws Exception {
        replay.snapshot("b");
        assertEquals(Outcome.Changed, run("nautiljon", false).result());
        SourceState before = store().state("nautiljon").orElseThrow();
        replay.enableFaults(Set.of("nautiljon-malformed-html"));
        SourceResult r = run("nautiljon", false);
        assertEquals(Outcome.Failed, r.result(), r.toString());
        assertTrue(r.message().contains("dbt=30 (") && r.message().contains("of 15 rows usable"), r.message());
        assertTrue(r.message().contains("3 cells"), r.message());
        assertEquals(2, replay.requestCount("GET", NautiljonSource.pageUrl(30)), "retried once");
        assertEquals(before, store().state("nautiljon").orElseThrow(), "last good kept");
        assertEquals(11850, r.records());
        assertEquals(789, count("SELECT count(*) FROM scrape_page WHERE source = 'nautiljon'"),
                "the other pages are kept for the next run");
    }

    // ---- Otak Otaku ------------------------------------------------------------------------------------------

    @Test
    void otakOtakuReadsEveryIdAndSeesTheNewOne() {
        SourceResult a = run("otakotaku", false);
        assertEquals(Outcome.Changed, a.result(), a.toString());
        assertEquals(2968, a.records());
        assertTrue(a.message().contains("3038 IDs, 70 without anime"), a.message());
        assertEquals(1, replay.requestCount("GET", OtakOtakuSource.API + 1));
        assertEquals(1, replay.requestCount("GET", OtakOtakuSource.API + 3038));
        assertEquals(0, replay.requestCount("GET", OtakOtakuSource.API + 3039));
        List<OtakOtakuEntry> ra = store().records("otakotaku", OtakOtakuEntry.class).orElseThrow();
        assertEquals(19, ra.stream().filter(e -> e.title().contains("\"")).count());
        assertFalse(ra.stream().anyMatch(e -> e.title().contains("&quot;")));
        assertTrue(ra.contains(new OtakOtakuEntry(312, "Gyakuten Saiban: Sono \"Shinjitsu\", Igi Ari!", null, null,
                null, null)));

        replay.snapshot("b");
        SourceResult b = run("otakotaku", false);
        assertEquals(Outcome.Changed, b.result(), b.toString());
        assertEquals(2969, b.records());
        List<OtakOtakuEntry> rb = store().records("otakotaku", OtakOtakuEntry.class).orElseThrow();
        assertDiff(ra, rb, OtakOtakuEntry::id, 1, 0);
        assertTrue(rb.stream().anyMatch(e -> e.id() == 3039 && e.title().equals("Karaoke Iko!")));
    }

    @Test
    void htmlFromTheOtakOtakuApiIsRetriedCountedAndKeepsTheLastKnownRecord() {
        replay.snapshot("b");
        assertEquals(Outcome.Changed, run("otakotaku", false).result());
        OtakOtakuEntry bebop = store().records("otakotaku", OtakOtakuEntry.class).orElseThrow().stream()
                .filter(e -> e.id() == 1149).findFirst().orElseThrow();
        replay.enableFaults(Set.of("otakotaku-html-instead-of-json"));
        SourceResult r = run("otakotaku", false);
        assertEquals(Outcome.Unchanged, r.result(), "1149 keeps its record, so nothing changed: " + r);
        assertEquals(2969, r.records());
        assertTrue(r.message().contains("1 unreadable: id 1149 (not JSON"), r.message());
        assertTrue(r.message().contains("last known record kept for 1"), r.message());
        assertEquals(2, replay.requestCount("GET", OtakOtakuSource.API + 1149), "retried once");
        SourceResult forced = run("otakotaku", true);
        assertEquals(Outcome.Changed, forced.result());
        assertTrue(store().records("otakotaku", OtakOtakuEntry.class).orElseThrow().contains(bebop));
    }

    // ---- Kaize -----------------------------------------------------------------------------------------------

    @Test
    void kaizeLogsInFindsTheLastPageAndReadsEveryPageOnce() {
        SourceResult a = run("kaize", false);
        assertEquals(Outcome.Changed, a.result(), a.toString());
        assertEquals(23759, a.records());
        assertEquals(1, replay.requestCount("POST", KaizeSource.LOGIN));
        assertEquals(1, replay.requestCount("GET", KaizeSource.SETTINGS));
        for (int p = 1; p <= KAIZE_LAST; p++) {
            assertEquals(1, replay.requestCount("GET", KaizeSource.pageUrl(p)), "page " + p);
        }
        int probes = 0;
        for (int p = KAIZE_LAST + 1; p <= 2 * KAIZE_LAST + 1; p++) {
            probes += replay.requestCount("GET", KaizeSource.pageUrl(p));
        }
        assertTrue(probes > 0 && probes <= 12, "a few empty pages probed: " + probes);
        List<KaizeEntry> ra = store().records("kaize", KaizeEntry.class).orElseThrow();
        assertEquals(15293, ra.stream().filter(e -> e.kaizeId() == null).count());
        assertEquals(new KaizeEntry("!NVADE SHOW!", "nvade-show", 19927), ra.getFirst());
        assertTrue(ra.stream().anyMatch(e -> e.title().equals("Suijungenten\u200B")), "U+200B kept");

        replay.snapshot("b");
        SourceResult b = run("kaize", false);
        assertEquals(Outcome.Changed, b.result(), b.toString());
        assertEquals(23760, b.records());
        List<KaizeEntry> rb = store().records("kaize", KaizeEntry.class).orElseThrow();
        assertEquals(15294, rb.stream().filter(e -> e.kaizeId() == null).count());
        assertDiff(ra, rb, KaizeEntry::slug, 1, 0);
    }

    @Test
    void kaizeWithoutCredentialsIsSkipped() throws Exception {
        SourceResult r = scraper(replay, Duration.ofMillis(200), WEB.withKaizeLogin(null, null))
                .run(List.of("kaize"), true).getFirst();
        assertEquals(Outcome.Skipped, r.result(), r.toString());
        assertTrue(r.message().contains("KAIZE_EMAIL"), r.message());
        assertEquals(0, replay.requestCount("GET", KaizeSource.LOGIN));
        assertEquals(1, count("SELECT count(*) FROM source_fetch WHERE source = 'kaize' AND result = 'Skipped'"));
    }

    @Test
    void kaize429WithRetryAfterIsWaitedOut() {
        replay.enableFaults(Set.of("kaize-429-then-200"));
        SourceResult r = scraper(replay, Duration.ofSeconds(3), WEB).run(List.of("kaize"), false).getFirst();
        assertEquals(Outcome.Changed, r.result(), r.toString());
        assertEquals(23760, r.records());
        assertEquals(2, replay.requestCount("GET", KaizeSource.pageUrl(2)));
        assertTrue(r.durationMs() >= 2000, "Retry-After: 2 honoured, took " + r.durationMs() + " ms");
    }

    @Test
    void kaizePageAlways429FailsKeepsTheLastGoodAndTheNextRunFetchesOnlyThatPage() throws Exception {
        replay.snapshot("b");
        assertEquals(Outcome.Changed, run("kaize", false).result());
        SourceState before = store().state("kaize").orElseThrow();
        replay.enableFaults(Set.of("kaize-429-always"));
        SourceResult r = run("kaize", true);
        assertEquals(Outcome.Failed, r.result(), r.toString());
        assertTrue(r.message().contains("scrape incomplete: 1 page failed: page 5 (HTTP 429)"), r.message());
        assertEquals(6, replay.requestCount("GET", KaizeSource.pageUrl(5)), "3 HTTP attempts × 2 page attempts");
        assertEquals(before, store().state("kaize").orElseThrow(), "last good kept");

        replay.enableFaults(Set.of());
        SourceResult next = run("kaize", false);
        assertEquals(Outcome.Unchanged, next.result(), next.toString());
        assertEquals(23760, next.records());
        assertEquals(1, replay.requestCount("GET", KaizeSource.pageUrl(5)));
        for (int p = 1; p <= 2 * KAIZE_LAST + 1; p++) {
            if (p != 5) {
                assertEquals(0, replay.requestCount("GET", KaizeSource.pageUrl(p)), "page " + p);
            }
        }
        assertEquals(0, count("SELECT count(*) FROM scrape_run"), "progress dropped once complete");
    }

    @Test
    void expiredKaizeSessionFailsBeforeCrawling() throws Exception {
        replay.enableFaults(Set.of("kaize-session-expired"));
        seedKaize();
        SourceState before = store().state("kaize").orElseThrow();
        SourceResult r = run("kaize", false);
        assertEquals(Outcome.Failed, r.result(), r.toString());
        assertTrue(r.message().contains("session check failed: GET " + KaizeSource.SETTINGS + " answered HTTP 302 → "
                + "https://kaize.io/login"), r.message());
        assertEquals(0, replay.requestCount("GET", KaizeSource.pageUrl(1)), "nothing crawled");
        assertEquals(before, store().state("kaize").orElseThrow());
    }

    @Test
    void kaizeLoginFailuresAreReportedAndKeepTheLastGood(@TempDir Path tmp) throws Exception {
        Path b = upstream.resolve("b");
        List<String> kaizeRows = Files.readAllLines(b.resolve("index.tsv"), StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("\thttps://kaize.io/"))
                .map(l -> {
                    String[] c = l.split("\t", -1);
                    c[4] = b.resolve(c[4]).normalize().toString();
                    return String.join("\t", c);
                }).toList();
        Path page = tmp.resolve("page.html");
        Files.writeString(page, "<html><head><title>Log in</title></head><body><form></form></body></html>");
        String html = "text/html; charset=UTF-8";
        Map<String, String> overrides = Map.of(
                "nocsrf", "GET\thttps://kaize.io/login\t200\t" + html + "\t" + page + "\t",
                "no302", "POST\thttps://kaize.io/login\t200\t" + html + "\t" + page + "\t",
                "csrf419", "POST\thttps://kaize.io/login\t419\t" + html + "\t" + page + "\t",
                "backtologin", "POST\thttps://kaize.io/login\t302\t" + html + "\t" + page
                        + "\tLocation: https://kaize.io/login");
        for (var e : overrides.entrySet()) {
            String[] o = e.getValue().split("\t", -1);
            List<String> rows = new ArrayList<>();
            rows.add("method\turl\tstatus\tcontent_type\tfile\theaders");
            kaizeRows.stream().filter(l -> !l.startsWith(o[0] + "\t" + o[1] + "\t")).forEach(rows::add);
            rows.add(e.getValue());
            Files.createDirectories(tmp.resolve(e.getKey()));
            Files.write(tmp.resolve(e.getKey()).resolve("index.tsv"), rows, StandardCharsets.UTF_8);
        }
        seedKaize();
        SourceState before = store().state("kaize").orElseThrow();
        Map<String, String> expected = Map.of(
                "nocsrf", "login failed: no <meta name=\"csrf-token\"> on https://kaize.io/login",
                "no302", "login failed: POST https://kaize.io/login answered HTTP 200 instead of a 302 redirect",
                "csrf419", "answered HTTP 419 instead of a 302 redirect (CSRF token rejected)",
                "backtologin", "login failed: redirected back to https://kaize.io/login");
        try (ReplayServer fake = ReplayServer.start(tmp, "nocsrf")) {
            Scraper s = scraper(fake, Duration.ofMillis(200), WEB);
            for (var e : expected.entrySet()) {
                fake.snapshot(e.getKey());
                SourceResult r = s.run(List.of("kaize"), true).getFirst();
                assertEquals(Outcome.Failed, r.result(), e.getKey() + ": " + r);
                assertTrue(r.message().contains(e.getValue()), e.getKey() + ": " + r.message());
                assertTrue(r.message().endsWith("last good snapshot kept"), r.message());
                assertEquals(0, fake.requestCount("GET", KaizeSource.pageUrl(1)), "nothing crawled");
                assertEquals(before, store().state("kaize").orElseThrow());
            }
        }
    }

    @Test
    void interruptedKaizeCrawlResumesWithThePagesNotYetFetched() throws Exception {
        WebContext ctx = new WebContext(WEB, ProgressStore.postgres(moe.ids.db.Db.clientOver(db)), Optional.of(store()));
        KaizeSource source = new KaizeSource(ctx);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread crawl = Thread.ofPlatform().name("interrupted-crawl").start(() -> {
            try (UpstreamClient client = new UpstreamClient(http(replay, Duration.ofMillis(200)))) {
                source.fetch(client, null, false);
                outcome.set(new AssertionError("the crawl finished before it was interrupted"));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> count("SELECT count(*) FROM scrape_page WHERE source = 'kaize'") >= 100);
        crawl.interrupt();
        crawl.join(Duration.ofSeconds(30));
        assertFalse(crawl.isAlive());
        assertInstanceOf(UpstreamException.class, outcome.get(), String.valueOf(outcome.get()));
        assertTrue(outcome.get().getMessage().contains("interrupted"), outcome.get().getMessage());
        Set<Integer> saved = new HashSet<>(ints("SELECT unit FROM scrape_page WHERE source = 'kaize'"));
        assertTrue(saved.size() >= 100 && saved.size() < KAIZE_LAST, "interrupted midway: " + saved.size());

        replay.resetRequestCounts();
        SourceResult r = run("kaize", false);
        assertEquals(Outcome.Changed, r.result(), r.toString());
        assertEquals(23759, r.records());
        assertTrue(r.message().contains("(" + saved.size() + " resumed)"), r.message());
        int fetched = 0;
        for (int p = 1; p <= KAIZE_LAST; p++) {
            int n = replay.requestCount("GET", KaizeSource.pageUrl(p));
            assertEquals(saved.contains(p) ? 0 : 1, n, "page " + p);
            fetched += n;
        }
        assertEquals(KAIZE_LAST, saved.size() + fetched, "N + rest");
        assertEquals(0, count("SELECT count(*) FROM scrape_page"), "progress dropped once complete");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private void seedKaize() {
        List<KaizeEntry> records = List.of(new KaizeEntry("Seed", "seed", 1), new KaizeEntry("Seed 2", "seed-2", null));
        byte[] raw = "seed".getBytes(StandardCharsets.UTF_8);
        store().accept(new SnapshotStore.Accepted("kaize", raw, "zstd", "seed-sha", null, null, records),
                new SourceResult("kaize", Outcome.Changed, 2, raw.length, 0, 200, "seed"), java.time.Instant.now());
    }

    private static <R, K> void assertDiff(List<R> a, List<R> b, Function<R, K> key, int added, int removed) {
        Set<K> ka = a.stream().map(key).filter(Objects::nonNull).collect(Collectors.toSet());
        Set<K> kb = b.stream().map(key).filter(Objects::nonNull).collect(Collectors.toSet());
        assertEquals(added, kb.stream().filter(k -> !ka.contains(k)).count(), "added");
        assertEquals(removed, ka.stream().filter(k -> !kb.contains(k)).count(), "removed");
    }

    private long count(String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private List<Integer> ints(String sql) throws Exception {
        List<Integer> out = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }
}
