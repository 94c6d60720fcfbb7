package moe.ids.scraper.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the page-parser fuzz targets check besides the exceptions (a page that cannot be used fails with
 * {@link PageException} only, which the crawler retries and then counts as failed; any other exception or error
 * would end the whole crawl and is a finding): positive IDs, non-empty slugs without a {@code /}.
 */
final class PageContract {
    private PageContract() {
    }

    /**
     * @param slug a slug a parser produced
     */
    static void slug(String slug) {
        assertNotNull(slug);
        assertFalse(slug.isEmpty());
        assertFalse(slug.contains("/"), slug);
    }

    /**
     * @param values IDs a parser produced, null where absent
     */
    static void positive(Integer... values) {
        for (Integer v : values) {
            assertTrue(v == null || v > 0, () -> "not positive: " + v);
        }
    }
}
