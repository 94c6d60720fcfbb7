package moe.ids.scraper.source;

import moe.ids.core.snapshot.SourceNames;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The scraper's registry of sources is the snapshot contract's list of names, in its order. */
class SourcesTest {
    @Test
    void theScrapersSourcesAreTheContractsNames() {
        assertEquals(SourceNames.ALL, Sources.names());
    }
}
