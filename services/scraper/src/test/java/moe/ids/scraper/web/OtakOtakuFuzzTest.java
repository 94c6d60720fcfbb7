package moe.ids.scraper.web;

import com.code_intelligence.jazzer.junit.FuzzTest;
import moe.ids.core.snapshot.Records.OtakOtakuEntry;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes Otak Otaku's parsers with arbitrary bytes, each input read both as the feed page
 * ({@link OtakOtakuSource#latestId}, jsoup) and as an API answer ({@link OtakOtakuSource#parseAnswer}, JSON); see
 * {@link PageContract}.
 */
class OtakOtakuFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void otakOtaku(byte[] body) {
        OtakOtakuSource.latestId(body).ifPresent(PageContract::positive);
        List<OtakOtakuEntry> entries;
        try {
            entries = OtakOtakuSource.parseAnswer(7, body, "application/json");
        } catch (PageException documented) {
            return;
        }
        assertTrue(entries.size() <= 1);
        for (OtakOtakuEntry e : entries) {
            PageContract.positive(e.id(), e.myanimelist(), e.anidb(), e.animenewsnetwork());
            assertNotNull(e.title());
            assertTrue(e.animeplanet() == null || !e.animeplanet().isBlank());
        }
    }
}
