package moe.ids.scraper.web;

import moe.ids.scraper.http.HttpSettings;
import moe.ids.scraper.source.InvalidSourceException;
import moe.ids.core.snapshot.Records.KaizeEntry;
import moe.ids.core.snapshot.Records.NautiljonEntry;
import moe.ids.core.snapshot.Records.OtakOtakuEntry;
import moe.ids.db.snapshot.SourceState;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page parsers and the skip rules on hand-written input (no I/O). */
class WebParsersTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void kaizeElements() {
        String html = """
                <html><body><div class="anime-list">
                <div class="anime-list-element"><div class="rank">#1</div>
                  <a class="cover-link" href="https://kaize.io/anime/0"><div class="cover"
                     style="background-image: url('https://kaize.io/storage/anime_image_2371.webp')"></div></a>
                  <div class="info"><a class="name" href="https://kaize.io/anime/0">&quot;0&quot;</a></div></div>
                <div class="anime-list-element"><a class="cover-link" href="https://kaize.io/anime/suijungenten">
                  <div class="cover" style="background-image: url('https://kaize.io/storage/anime_image_.webp')">
                  </div></a><a class="name" href="https://kaize.io/anime/suijungenten">Suijungenten\u200B</a></div>
                <div class="anime-list-element"><div class="rank">#3</div></div>
                </div></body></html>""";
        KaizeSource.Page page = KaizeSource.parsePage(utf8(html));
        assertEquals(3, page.elements());
        assertEquals(List.of(new KaizeEntry("\"0\"", "0", 2371), new KaizeEntry("Suijungenten\u200B", "suijungenten",
                null)), page.entries());
    }

    @Test
    void nautiljonRows() {
        String html = """
                <html><body><p class="menupage"><a href="?dbt=0">1</a> <a href="?dbt=15">2</a>
                <span>&hellip;</span> <a href="?dbt=11835">790</a></p>
                <table class="search"><thead><tr><th>Image</th><th>Titre</th><th>Format</th><th>Statut</th></tr></thead>
                <tbody>
                <tr><td class="image"><a href="/animes/-deji-+meets+girl.html"><img
                    src="/imagesmin/anime/00/28/-deji-+meets+girl_10528.webp?1683371232"></a></td>
                  <td class="left"><a class="eTitre" href="/animes/-deji-+meets+girl.html">&quot;Deji&quot; meets girl</a>
                  <br><span class="infos_small">(AKIRA (TV))</span></td><td>Série</td><td>Terminée</td></tr>
                <tr><td class="image"><a href="javascript:;"><img src="/static/images/no_image.webp"></a></td>
                  <td class="left"><a class="eTitre" href="javascript:;">Shuten Douji</a><br>
                  <span class="infos_small">(Tokyo Kushu:re\u200E)</span></td><td>OAV</td><td>En cours</td></tr>
                <tr><td class="image"><a href="/animes/x.html"><img src="/x_1.webp"></a></td>
                  <td class="left"><a class="eTitre" href="/animes/x.html">X</a></td><td>Série</td></tr>
                <tr><td class="image"></td><td class="left"><a class="eTitre" href="/animes/y.html">Y</a></td>
                  <td>Série</td><td>Terminée</td></tr>
                <tr><td class="image"><a href="/animes/100-.html"><img src="/100-_3729.webp"></a></td>
                  <td class="left"><a class="eTitre" href="/animes/100-.html">100%<br><span class="infos_small">(A)</td>
                  <td>OAV</td><td>Terminée</td></tr>
                <tr><td class="image"><a href="/animes/h.html"><img src="/h.webp"></a></td>
                  <td class="left"><a class="eTitre" href="/animes/h.html">Hi\u00ADto</a></td><td>Film</td><td>Terminée</td></tr>
                </tbody></table></body></html>""";
        NautiljonSource.Page page = NautiljonSource.parsePage(utf8(html));
        assertEquals(11835, page.lastOffset());
        assertEquals(List.of(
                new NautiljonEntry("\"Deji\" meets girl", "AKIRA (TV)", "-deji-+meets+girl", 10528, "Série", "Terminée"),
                new NautiljonEntry("Shuten Douji", "Tokyo Kushu:re\u200E", null, null, "OAV", "En cours"),
                new NautiljonEntry("Hi\u00ADto", null, "h", null, "Film", "Terminée")), page.rows());
        assertEquals(List.of("row 3: 3 cells", "row 4: no link in the first cell", "row 5: a.eTitre not closed"),
                page.problems());
    }

    @Test
    void nautiljonPaginationBeyondAnyPlausibleOffsetIsAPageException() {
        // found by WebParsersFuzzTest (its bytes, two of them invalid UTF-8): an offset beyond int range ended the
        // crawl with a NumberFormatException
        String fuzzed = "<p class=\"menupage\"><a href=\"/animes/?dbt=15\">2</a> <a href=\"/animes/?dbt=21474836417\">"
                + "last</an*imes\u00af\u0082?dbt=2147483646a></p>";
        PageException ex = assertThrows(PageException.class,
                () -> NautiljonSource.parsePage(fuzzed.getBytes(StandardCharsets.ISO_8859_1)));
        assertTrue(ex.getMessage().contains("dbt=21474836417"), ex.getMessage());
        String big = "<p class=\"menupage\"><a href=\"?dbt=" + (NautiljonSource.MAX_OFFSET + 1) + "\">last</a></p>";
        assertThrows(PageException.class, () -> NautiljonSource.parsePage(utf8(big)));
        String longDigits = "<p class=\"menupage\"><a href=\"?dbt=" + "9".repeat(5000) + "\">last</a></p>";
        assertThrows(PageException.class, () -> NautiljonSource.parsePage(utf8(longDigits)));
        String largest = "<p class=\"menupage\"><a href=\"?dbt=" + "0".repeat(30) + NautiljonSource.MAX_OFFSET
                + "\">last</a></p>";
        assertEquals(NautiljonSource.MAX_OFFSET, NautiljonSource.parsePage(utf8(largest)).lastOffset());
    }

    @Test
    void storedRecordsReadBackOnlyAsAnArrayOfRecords() {
        // found by DatasetParsersFuzzTest (its body, for nautiljon): a JSON null read back as a null list, which
        // SourceRunner then failed on with a NullPointerException
        byte[] fuzzed = "null\"\u00fe".getBytes(StandardCharsets.ISO_8859_1);
        WebContext ctx = WebContext.defaults();
        for (WebSource<?> source : List.of(new KaizeSource(ctx), new NautiljonSource(ctx), new OtakOtakuSource(ctx))) {
            for (byte[] raw : List.of(fuzzed, utf8("null"), utf8(" [null] "), utf8("[{}, null]"))) {
                InvalidSourceException ex = assertThrows(InvalidSourceException.class, () -> source.parse(raw),
                        source.name() + " " + new String(raw, StandardCharsets.ISO_8859_1));
                assertTrue(ex.getMessage().contains("do not read back"), ex.getMessage());
            }
            assertEquals(List.of(), source.parse(utf8("[]")));
        }
        assertEquals(List.of(new KaizeEntry("Cowboy Bebop", "cowboy-bebop", 1)), new KaizeSource(ctx)
                .parse(utf8("[{\"title\":\"Cowboy Bebop\",\"slug\":\"cowboy-bebop\",\"kaizeId\":1}]")));
    }

    @Test
    void francaisLosesExactlyOnePairOfParentheses() {
        assertEquals("AKIRA (TV)", NautiljonSource.unparen("(AKIRA (TV))"));
        assertEquals("(x)", NautiljonSource.unparen("((x))"));
        assertEquals("", NautiljonSource.unparen("()"));
    }

    @Test
    void otakOtakuAnswers() {
        String ok = """
                {"status": true, "data": {"id_anime": "312", "judul_anime": "Sono &quot;Shinjitsu&quot;, Igi Ari!",
                 "mal_id_anime": "1535", "ap_id_anime": "death-note", "anidb_id_anime": 4563, "ann_id_anime": ""}}""";
        assertEquals(List.of(new OtakOtakuEntry(312, "Sono \"Shinjitsu\", Igi Ari!", 1535, "death-note", 4563, null)),
                OtakOtakuSource.parseAnswer(312, utf8(ok), "application/json"));
        assertEquals(List.of(), OtakOtakuSource.parseAnswer(2, utf8("{\"status\": false, \"data\": null}"), "json"));
        PageException html = assertThrows(PageException.class,
                () -> OtakOtakuSource.parseAnswer(1149, utf8("<!DOCTYPE html><html>Database Error</html>"), "text/html"));
        assertTrue(html.getMessage().contains("not JSON"), html.getMessage());
        assertThrows(PageException.class, () -> OtakOtakuSource.parseAnswer(1, new byte[0], "json"));
        String feed = "<div class=\"anime-img\"><a href=\"https://otakotaku.com/anime/view/3039/karaoke-iko/\">x</a></div>";
        assertEquals(Optional.of(3039), OtakOtakuSource.latestId(utf8(feed)));
        assertEquals(Optional.empty(), OtakOtakuSource.latestId(utf8("<p>maintenance</p>")));
    }

    @Test
    void cookiesAreKeptAndExpired() {
        CookieSession s = new CookieSession(null);
        s.setCookie("XSRF-TOKEN=abc%3D%3D; expires=Mon, 03 Feb 2025 07:17:27 GMT; Max-Age=7200; path=/; samesite=lax");
        s.setCookie("kaize_session=xyz; path=/; httponly");
        assertEquals(Optional.of("abc%3D%3D"), s.cookie("XSRF-TOKEN"));
        s.setCookie("kaize_session=deleted; Max-Age=0");
        assertEquals(Optional.empty(), s.cookie("kaize_session"));
    }

    @Test
    void reScrapeIntervalSkipsUnlessForcedOrMirrored() {
        WebContext ctx = new WebContext(WebSettings.defaults().withKaizeLogin("a@b.c", "pw"), ProgressStore.inMemory(),
                Optional.empty());
        NautiljonSource source = new NautiljonSource(ctx);
        HttpSettings live = new HttpSettings("t", Duration.ofSeconds(1), Duration.ofSeconds(1), 1, Duration.ZERO,
                Duration.ZERO, Optional.empty(), Optional.empty());
        HttpSettings mirror = new HttpSettings("t", Duration.ofSeconds(1), Duration.ofSeconds(1), 1, Duration.ZERO,
                Duration.ZERO, Optional.empty(), Optional.of(URI.create("http://127.0.0.1:1")));
        SourceState recent = new SourceState("nautiljon", 1, "x", null, null, 10, Instant.now().minusSeconds(3600));
        SourceState old = new SourceState("nautiljon", 1, "x", null, null, 10, Instant.now().minus(Duration.ofDays(15)));
        assertTrue(source.skipReason(recent, false, live).orElseThrow().contains("re-scrape interval"));
        assertFalse(source.skipReason(recent, true, live).isPresent());
        assertFalse(source.skipReason(recent, false, mirror).isPresent());
        assertFalse(source.skipReason(old, false, live).isPresent());
        assertFalse(source.skipReason(null, false, live).isPresent());
        ctx.progress().begin("nautiljon", "nautiljon offsets 0..30", 3);
        assertFalse(source.skipReason(recent, false, live).isPresent(), "an unfinished crawl resumes");

        WebContext noLogin = new WebContext(WebSettings.defaults().withKaizeLogin(null, null), ProgressStore.inMemory(),
                Optional.empty());
        String why = new KaizeSource(noLogin).skipReason(null, true, mirror).orElseThrow();
        assertTrue(why.contains("KAIZE_EMAIL"), why);
    }
}
