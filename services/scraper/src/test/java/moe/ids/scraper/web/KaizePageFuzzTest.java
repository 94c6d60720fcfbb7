package moe.ids.scraper.web;

import com.code_intelligence.jazzer.junit.FuzzTest;
import moe.ids.core.snapshot.Records.KaizeEntry;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fuzzes {@link KaizeSource#parsePage} (a Kaize top-list page, jsoup) with arbitrary bytes; see {@link PageContract}. */
class KaizePageFuzzTest {

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
            PageContract.slug(e.slug());
            PageContract.positive(e.kaizeId());
        }
    }
}
