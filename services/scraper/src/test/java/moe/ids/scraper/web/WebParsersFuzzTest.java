package moe.ids.scraper.web;

import com.code_intelligence.jazzer.junit.FuzzTest;
import moe.ids.scraper.source.Records.KaizeEntry;
import moe.ids.scraper.source.Records.NautiljonEntry;
import moe.ids.scraper.source.Records.OtakOtakuEntry;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the page parsers of the three crawled sites (jsoup HTML, and Otak Otaku's JSON answers) with arbitrary
 * bytes. The contract: a page that cannot be used fails with {@link PageException} only (the crawler retries it and
 * then counts it as failed); any other exception or error is a finding, since it would end the whole crawl.
 * Parsed entries must hold what the parsers promise: positive IDs, non-empty slugs without a {@code /}.
 */
class WebParsersFuzzTest {

    /** A Kaize top-list page. */
    @FuzzTest(maxDuration = "5m")
    void kaize(byte[] html) {
        KaizeSource.Page page;
        try {
            page = KaizeSource.parsePage(html);
        } catch (PageException documented) {
            return;
        }
        assertTrue(page.entries().size() <= page.elements());
        for (KaizeEntry e : page.entries()) {
            assertNotNull(e.title());
            slug(e.slug());
            positive(e.kaizeId());
        }
    }

    /** A Nautiljon list page. */
    @FuzzTest(maxDuration = "5m")
    void nautiljon(byte[] html) {
        NautiljonSource.Page page;
        try {
            page = NautiljonSource.parsePage(html);
        } catch (PageException documented) {
            return;
        }
        assertTrue(page.lastOffset() == null || page.lastOffset() >= 0
                && page.lastOffset() <= NautiljonSource.MAX_OFFSET, () -> "offset " + page.lastOffset());
        for (NautiljonEntry e : page.rows()) {
            assertNotNull(e.title());
            assertNotNull(e.format());
            assertNotNull(e.status());
            if (e.slug() != null) {
                slug(e.slug());
            }
            positive(e.entryId());
        }
    }

    /** The Otak Otaku feed page (HTML) and an answer of its API (JSON), both read from the same bytes. */
    @FuzzTest(maxDuration = "5m")
    void otakOtaku(byte[] body) {
        Optional<Integer> latest = OtakOtakuSource.latestId(body);
        latest.ifPresent(WebParsersFuzzTest::positive);
        List<OtakOtakuEntry> entries;
        try {
            entries = OtakOtakuSource.parseAnswer(7, body, "application/json");
        } catch (PageException documented) {
            return;
        }
        assertTrue(entries.size() <= 1);
        for (OtakOtakuEntry e : entries) {
            positive(e.id(), e.myanimelist(), e.anidb(), e.animenewsnetwork());
            assertNotNull(e.title());
            assertTrue(e.animeplanet() == null || !e.animeplanet().isBlank());
        }
    }

    private static void slug(String slug) {
        assertNotNull(slug);
        assertFalse(slug.isEmpty());
        assertFalse(slug.contains("/"), slug);
    }

    private static void positive(Integer... values) {
        for (Integer v : values) {
            assertTrue(v == null || v > 0, () -> "not positive: " + v);
        }
    }
}
