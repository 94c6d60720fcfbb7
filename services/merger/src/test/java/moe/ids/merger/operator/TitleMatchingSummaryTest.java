package moe.ids.merger.operator;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Refresh status's title-matching figures, read from the merge report's {@code matching}. */
class TitleMatchingSummaryTest {

    @Test
    void vetoesAddUpAndStaleManualMappingsComeFromTheManualSource() {
        Map<String, Map<String, Integer>> matching = Map.of(
                "kaize", Map.of("exact", 100, "fuzzy", 7, "ambiguous", 3, "vetoed_type", 2, "vetoed_season", 4,
                        "vetoed_year", 1, "unmatched", 20),
                "kaize-manual", Map.of("manual", 36, "stale", 2));
        assertEquals(new RefreshStatus.TitleMatching(100, 7, 3, 7, 2),
                RefreshStatus.TitleMatching.of("kaize", matching));
    }

    @Test
    void aSiteWithoutFiguresCountsZero() {
        assertEquals(new RefreshStatus.TitleMatching(0, 0, 0, 0, 0),
                RefreshStatus.TitleMatching.of("nautiljon", Map.of()));
    }
}
