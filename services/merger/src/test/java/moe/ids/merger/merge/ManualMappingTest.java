package moe.ids.merger.merge;

import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.snapshot.Records;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static moe.ids.merger.merge.MergerTest.aod;
import static moe.ids.merger.merge.MergerTest.byTitle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Manual mappings are served only while the item they point at is on the site. */
class ManualMappingTest {
    @Test
    void staleKaizeMappingIsNotServedAndIsReported() {
        MergerTest.Inputs in = new MergerTest.Inputs();
        in.aod = List.of(aod("16bit Sensation: Another Layer", 55000, null, null));
        in.kaize = List.of(new External("Something Else", "something-else", 9, null));
        in.kaizeManual = List.of(new Records.ManualEntry("16bit Sensation: Another Layer", "16bit-sensation", 4321));
        Merger.Result r = in.merge();
        AnimeEntry e = byTitle(r, "16bit Sensation: Another Layer");
        assertNull(e.kaize());
        assertNull(e.kaizeId());
        MergeReport.Tally stale = r.report().dropped().get("kaize-manual: item not on the site");
        assertEquals(1, stale.count());
        assertEquals(List.of("16bit Sensation: Another Layer → 16bit-sensation"), stale.examples());
        Map<String, Integer> matching = r.report().matching().get("kaize-manual");
        assertEquals(1, matching.get("stale"));
        assertEquals(0, matching.get("manual"));
    }

    @Test
    void liveKaizeMappingIsServed() {
        MergerTest.Inputs in = new MergerTest.Inputs();
        in.aod = List.of(aod("Amagami SS+ Plus", 10000, null, null));
        in.kaize = List.of(new External("Amagami SS+ plus", "amagami-ss-plus", 5, null));
        in.kaizeManual = List.of(new Records.ManualEntry("Amagami SS+ Plus", "amagami-ss-plus", 5));
        Merger.Result r = in.merge();
        AnimeEntry e = byTitle(r, "Amagami SS+ Plus");
        assertEquals("amagami-ss-plus", e.kaize());
        assertEquals(5, e.kaizeId());
        assertEquals(1, r.report().matching().get("kaize-manual").get("manual"));
        assertEquals(0, r.report().matching().get("kaize-manual").get("stale"));
        assertNull(r.report().dropped().get("kaize-manual: item not on the site"));
    }

    @Test
    void emptySiteListKeepsMappingsAsUnverified() {
        MergerTest.Inputs in = new MergerTest.Inputs();
        in.aod = List.of(aod("16bit Sensation: Another Layer", 55000, null, null));
        in.kaizeManual = List.of(new Records.ManualEntry("16bit Sensation: Another Layer", "16bit-sensation", 4321));
        Merger.Result r = in.merge();
        AnimeEntry e = byTitle(r, "16bit Sensation: Another Layer");
        assertEquals("16bit-sensation", e.kaize(), "no Kaize snapshot: nothing to check against");
        assertEquals(4321, e.kaizeId());
        Map<String, Integer> matching = r.report().matching().get("kaize-manual");
        assertEquals(1, matching.get("unverified"));
        assertEquals(0, matching.get("stale"));
        assertNull(r.report().dropped().get("kaize-manual: item not on the site"));
    }

    @Test
    void otakOtakuMappingsAreCheckedByNumericId() {
        MergerTest.Inputs in = new MergerTest.Inputs();
        in.aod = List.of(aod("Gone Anime", 1, null, null), aod("Present Anime", 2, null, null));
        in.otakotaku = List.of(new External("Present Anime on the site", "777", 777, null));
        in.otakotakuManual = List.of(new Records.ManualEntry("Gone Anime", "1250", 1250),
                new Records.ManualEntry("Present Anime", "777", 777));
        Merger.Result r = in.merge();
        assertNull(byTitle(r, "Gone Anime").otakotaku());
        assertEquals(777, byTitle(r, "Present Anime").otakotaku());
        MergeReport.Tally stale = r.report().dropped().get("otakotaku-manual: item not on the site");
        assertEquals(List.of("Gone Anime → 1250"), stale.examples());
        assertEquals(Map.of("manual", 1, "stale", 1, "unverified", 0, "unmatched", 0),
                r.report().matching().get("otakotaku-manual"));
    }

    @Test
    void anAnimeWhoseMappingIsStaleIsMatchedToTheSitesCurrentItem() {
        MergerTest.Inputs in = new MergerTest.Inputs();
        in.aod = List.of(aod("16bit Sensation: Another Layer", 55000, null, null));
        in.kaize = List.of(new External("16bit Sensation: Another Layer", "16bit-sensation-another-layer", 7, null));
        in.kaizeManual = List.of(new Records.ManualEntry("16bit Sensation: Another Layer", "16bit-sensation", 4321));
        Merger.Result r = in.merge();
        assertEquals("16bit-sensation-another-layer", byTitle(r, "16bit Sensation: Another Layer").kaize());
    }
}
