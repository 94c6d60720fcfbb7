package moe.ids.merger.merge;

import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.snapshot.Records;
import org.junit.jupiter.api.Test;

import java.util.List;

import static moe.ids.merger.merge.MergerTest.aod;
import static moe.ids.merger.merge.MergerTest.byTitle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One-to-one join keys shared by two AOD entries: only the entry that keeps the key joins through it. */
class JoinConflictTest {
    @Test
    void sharedMalIdJoinsArmAndTraktOnlyForItsOwner() {
        MergerTest.Inputs in = new MergerTest.Inputs();
        in.aod = List.of(aod("Ranma 1/2", 210, null, null), aod("Ranma ½", 210, null, null));
        in.arm = List.of(new Records.ArmEntry(210, null, 2342, 3033));
        in.tv = List.of(new Records.TraktEntry(210, 61047, "shows", 1, "Ranma ½", "ranma-1-2"));
        Merger.Result r = in.merge();
        AnimeEntry owner = byTitle(r, "Ranma 1/2");
        assertEquals(210, owner.myanimelist());
        assertEquals(2342, owner.annict());
        assertEquals(3033, owner.shoboi());
        assertEquals(61047, owner.trakt());
        AnimeEntry loser = byTitle(r, "Ranma ½");
        assertNull(loser.myanimelist());
        assertNull(loser.annict(), "no Annict through a MAL ID the entry lost");
        assertNull(loser.shoboi(), "no Syoboi through a MAL ID the entry lost");
        assertNull(loser.trakt(), "no Trakt through a MAL ID the entry lost");
        assertEquals(1, r.report().conflicts().count());
        assertTrue(r.report().conflicts().examples().getFirst()
                .startsWith("myanimelist/210: kept by \"Ranma 1/2\", removed from \"Ranma ½\""));
    }

    @Test
    void armAniListDecidesWhoKeepsASharedMalId() {
        MergerTest.Inputs in = new MergerTest.Inputs();
        // "A Title" sorts first, but ARM pairs MAL 100 with AniList 201, the AniList ID of "B Title".
        in.aod = List.of(aod("A Title", 100, 200, null), aod("B Title", 100, 201, null));
        in.arm = List.of(new Records.ArmEntry(100, 201, 5000, 6000));
        Merger.Result r = in.merge();
        AnimeEntry b = byTitle(r, "B Title");
        assertEquals(100, b.myanimelist());
        assertEquals(5000, b.annict());
        AnimeEntry a = byTitle(r, "A Title");
        assertNull(a.myanimelist());
        assertNull(a.annict());
        assertEquals(200, a.anilist(), "its own AniList ID stays");
        assertTrue(r.report().conflicts().examples().getFirst().startsWith("myanimelist/100: kept by \"B Title\""));
    }

    @Test
    void armMalDecidesWhoKeepsASharedAniListId() {
        MergerTest.Inputs in = new MergerTest.Inputs();
        in.aod = List.of(aod("A Title", 300, 400, null), aod("B Title", 301, 400, null));
        in.arm = List.of(new Records.ArmEntry(301, 400, 7000, null));
        Merger.Result r = in.merge();
        assertEquals(400, byTitle(r, "B Title").anilist());
        assertNull(byTitle(r, "A Title").anilist());
        assertEquals(7000, byTitle(r, "B Title").annict());
        assertNull(byTitle(r, "A Title").annict());
    }

    @Test
    void sharedAniDbIdJoinsFribbOnlyForItsOwner() {
        MergerTest.Inputs in = new MergerTest.Inputs();
        in.aod = List.of(aod("Beta", null, null, 23), aod("Alpha", null, null, 23));
        in.fribb = List.of(new Records.FribbEntry(23, List.of("tt0213338"), List.of(4934), List.of(30991), 76885));
        Merger.Result r = in.merge();
        AnimeEntry owner = byTitle(r, "Alpha");
        assertEquals(23, owner.anidb());
        assertEquals("tt0213338", owner.imdb());
        assertEquals(76885, owner.thetvdb());
        AnimeEntry loser = byTitle(r, "Beta");
        assertNull(loser.anidb());
        assertNull(loser.imdb());
        assertNull(loser.themoviedb());
        assertNull(loser.themoviedbTv());
        assertNull(loser.thetvdb());
    }

    @Test
    void armRowReachedByAniListDoesNotBringBackAnotherAnimesMalId() {
        MergerTest.Inputs in = new MergerTest.Inputs();
        // "Sequel" has no MAL ID; ARM's row for its AniList ID names MAL 500, which "Original" holds.
        in.aod = List.of(aod("Original", 500, null, null), aod("Sequel", null, 600, null));
        in.arm = List.of(new Records.ArmEntry(500, 600, 8000, 9000));
        Merger.Result r = in.merge();
        AnimeEntry original = byTitle(r, "Original");
        assertEquals(500, original.myanimelist());
        assertEquals(8000, original.annict());
        AnimeEntry sequel = byTitle(r, "Sequel");
        assertNull(sequel.myanimelist(), "MAL 500 belongs to another anime");
        assertNull(sequel.annict());
        assertNull(sequel.shoboi());
        assertEquals(600, sequel.anilist());
        MergeReport.Tally skipped = r.report().dropped().get("arm row via anilist naming another anime's myanimelist");
        assertEquals(1, skipped.count());
        assertEquals("\"Sequel\" anilist/600 → myanimelist/500 of \"Original\"", skipped.examples().getFirst());
        assertNull(original.anilist(), "AniList 600 stays with the anime that holds it natively");
    }
}
