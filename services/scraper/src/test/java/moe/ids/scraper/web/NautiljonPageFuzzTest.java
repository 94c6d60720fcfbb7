package moe.ids.scraper.web;

import com.code_intelligence.jazzer.junit.FuzzTest;
import moe.ids.core.snapshot.Records.NautiljonEntry;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link NautiljonSource#parsePage} (a Nautiljon list page, jsoup) with arbitrary bytes; see
 * {@link PageContract}. The last pagination offset is within {@link NautiljonSource#MAX_OFFSET}.
 */
class NautiljonPageFuzzTest {

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
                PageContract.slug(e.slug());
            }
            PageContract.positive(e.entryId());
        }
    }
}
