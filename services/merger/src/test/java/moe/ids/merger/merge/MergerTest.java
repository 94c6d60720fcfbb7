package moe.ids.merger.merge;

import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.snapshot.Records;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each merge rule on small real-shaped records. */
class MergerTest {
    /** An anime-offline-database entry of type TV with the given IDs (the merge tests' common fixture). */
    static Records.AodAnime aod(String title, Integer mal, Integer anilist, Integer anidb) {
        return new Records.AodAnime(title, "TV", 0, null, anidb, anilist, null, null, null, null, null, mal, null, null,
                List.of());
    }

    private static Inputs in() {
        return new Inputs();
    }

    /** A builder of merge inputs for tests. */
    static final class Inputs {
        List<Records.AodAnime> aod = List.of();
        List<Records.ArmEntry> arm = List.of();
        List<Records.TraktEntry> tv = List.of();
        List<Records.TraktEntry> movies = List.of();
        List<Records.FribbEntry> fribb = List.of();
        List<External> silveryasha = List.of();
        List<External> otakotaku = List.of();
        List<External> kaize = List.of();
        List<External> nautiljon = List.of();
        List<Records.ManualEntry> kaizeManual = List.of();
        List<Records.ManualEntry> otakotakuManual = List.of();
        List<Records.ManualEntry> silveryashaManual = List.of();

        Merger.Result merge() {
            return new Merger(MergeSettings.DEFAULTS).merge(new MergeInputs(aod, arm, tv, movies, fribb, silveryasha,
                    otakotaku, kaize, nautiljon, kaizeManual, otakotakuManual, silveryashaManual));
        }
    }

    /** The merged entry of that title. */
    static AnimeEntry byTitle(Merger.Result r, String title) {
        return r.entries().stream().filter(e -> e.title().equals(title)).findFirst().orElseThrow();
    }

    @Test
    void directJoinsFillFromArmTraktAndFribb() {
        Inputs in = in();
        in.aod = List.of(aod("Cowboy Bebop", 1, 1, 23), aod("Haruhi", null, 849, 4776));
        in.arm = List.of(new Records.ArmEntry(1, 1, 360, 538), new Records.ArmEntry(849, 849, 1000, 900));
        in.tv = List.of(new Records.TraktEntry(1, 30857, "shows", 1, "Cowboy Bebop", "cowboy-bebop"),
                new Records.TraktEntry(1, 99999, "shows", 2, "Cowboy Bebop", "cowboy-bebop"));
        in.fribb = List.of(new Records.FribbEntry(23, List.of("tt0213338"), List.of(4934), List.of(30991), 76885));
        Merger.Result r = in.merge();
        AnimeEntry bebop = byTitle(r, "Cowboy Bebop");
        assertEquals(360, bebop.annict());
        assertEquals(538, bebop.shoboi());
        assertEquals(30857, bebop.trakt());
        assertEquals("shows", bebop.traktType());
        assertEquals(1, bebop.traktSeason(), "season 1 preferred over later rows");
        assertEquals("tt0213338", bebop.imdb());
        assertEquals(4934, bebop.themoviedb());
        assertEquals(30991, bebop.themoviedbTv());
        assertEquals(76885, bebop.thetvdb());
        assertEquals(1, bebop.shikimori());
        AnimeEntry haruhi = byTitle(r, "Haruhi");
        assertEquals(849, haruhi.myanimelist(), "MAL filled from ARM by AniList");
        assertEquals(849, haruhi.shikimori(), "shikimori follows a MAL ID filled from ARM");
        assertEquals(Map.of("direct", 2, "unmatched", 0), r.report().matching().get("arm"));
    }

    @Test
    void moviesGetTraktMoviesWithoutSeason() {
        Inputs in = in();
        in.aod = List.of(aod("Cowboy Bebop: Tengoku no Tobira", 5, null, null));
        in.movies = List.of(new Records.TraktEntry(5, 6398, "movies", null, "x", "y"));
        AnimeEntry e = in.merge().entries().getFirst();
        assertEquals(6398, e.trakt());
        assertEquals("movies", e.traktType());
        assertNull(e.traktSeason());
    }

    @Test
    void externalsByMalThenExactThenFuzzyOneToOne() {
        Inputs in = in();
        in.aod = List.of(aod("Shingeki no Kyojin", 16498, null, null), aod("Shingeki no Kyojin Season 2", 25777, null, null),
                aod("Fullmetal Alchemist: Brotherhood", 5114, null, null), aod("Kimetsu no Yaiba", 38000, null, null));
        in.silveryasha = List.of(
                new External("Attack on Titan", "10", 10, 16498),               // by MAL
                new External("Shingeki no Kyojin 2nd Season", "11", 11, null), // exact after season normalization
                new External("Fullmetal Alchemist Brotherhod", "12", 12, null),  // fuzzy ≥ 95 (1 typo in 31)
                new External("Completely Different", "13", 13, null));           // unmatched
        Merger.Result r = in.merge();
        assertEquals(10, byTitle(r, "Shingeki no Kyojin").silveryasha());
        assertEquals(11, byTitle(r, "Shingeki no Kyojin Season 2").silveryasha());
        assertEquals(12, byTitle(r, "Fullmetal Alchemist: Brotherhood").silveryasha());
        assertNull(byTitle(r, "Kimetsu no Yaiba").silveryasha());
        assertEquals(Map.of("direct", 1, "exact", 1, "fuzzy", 1, "unmatched", 1, "ambiguous", 0, "vetoed_type", 0,
                "vetoed_season", 0, "vetoed_year", 0), r.report().matching().get("silveryasha"));
    }

    @Test
    void fuzzyBelowThresholdDoesNotLink() {
        Inputs in = in();
        in.aod = List.of(aod("Sword Art Online", 11757, null, null));
        in.silveryasha = List.of(new External("Sword Art Offline", "12", 12, null));
        assertNull(in.merge().entries().getFirst().silveryasha(), "94% < 95 for Silveryasha");
        in.silveryasha = List.of();
        in.kaize = List.of(new External("Sword Art Offline", "sword-art-offline", 7, null));
        assertEquals("sword-art-offline", in.merge().entries().getFirst().kaize(), "≥ 85 for Kaize");
    }

    @Test
    void bestScoreWinsAndEachSideIsUsedOnce() {
        Inputs in = in();
        in.aod = List.of(aod("Toradora", 4224, null, null), aod("Toradora SOS", 6127, null, null));
        in.kaize = List.of(new External("Toradoora", "toradoora", 1, null), new External("Toradora S.O.S", "toradora-sos", 2, null),
                new External("Toradora!", "toradora", 3, null));
        Merger.Result r = in.merge();
        assertEquals("toradora", byTitle(r, "Toradora").kaize(), "the exact 'Toradora!' beats the fuzzy 'Toradoora'");
        assertEquals("toradora-sos", byTitle(r, "Toradora SOS").kaize());
        assertEquals(1, r.report().matching().get("kaize").get("unmatched"));
    }

    @Test
    void manualMappingsOverrideMatching() {
        Inputs in = in();
        in.aod = List.of(aod("Amagami SS", 8676, null, null), aod("Amagami SS+ Plus", 10000, null, null));
        in.kaize = List.of(new External("Amagami SS", "amagami-ss", 5, null));
        in.kaizeManual = List.of(new Records.ManualEntry("Amagami SS+ Plus", "amagami-ss", 5));
        Merger.Result r = in.merge();
        assertEquals("amagami-ss", byTitle(r, "Amagami SS+ Plus").kaize());
        assertEquals(5, byTitle(r, "Amagami SS+ Plus").kaizeId());
        assertNull(byTitle(r, "Amagami SS").kaize(), "a manually mapped item takes no part in title matching");
        assertNull(byTitle(r, "Amagami SS").kaizeId(), "kaize_id goes with kaize");
        assertEquals(0, r.report().conflicts().count(), "nothing to settle afterwards");
    }

    @Test
    void conflictsAreResolvedDeterministicallyAndReported() {
        Inputs in = in();
        in.aod = List.of(aod("B Title", 100, 200, null), aod("A Title", 100, 201, null));
        Merger.Result r = in.merge();
        assertEquals(100, byTitle(r, "A Title").myanimelist(), "both native: the smaller title keeps it");
        assertNull(byTitle(r, "B Title").myanimelist());
        assertNull(byTitle(r, "B Title").shikimori());
        assertEquals(1, r.report().conflicts().count());
        assertTrue(r.report().conflicts().examples().getFirst().startsWith("myanimelist/100: kept by \"A Title\""));
        in.aod = List.of(in.aod.get(1), in.aod.get(0));
        assertEquals(100, byTitle(in.merge(), "A Title").myanimelist(), "input order does not matter");
    }

    @Test
    void sentinelsAreNeverPublished() {
        Inputs in = in();
        in.aod = List.of(new Records.AodAnime("X", "TV", 0, null, null, null, null, "javascript:;", null, null, null,
                1, "has space", null, List.of()));
        in.nautiljon = List.of(new External("X", "javascript:;", null, null));
        in.otakotaku = List.of(new External("X", "0", 0, null), new External("X", "unknown", null, null));
        Merger.Result r = in.merge();
        AnimeEntry e = r.entries().getFirst();
        assertNull(e.animeplanet());
        assertNull(e.notifyMoe());
        assertNull(e.nautiljon());
        assertNull(e.otakotaku());
        assertEquals(2, r.report().dropped().get("otakotaku invalid id").count());
        assertEquals(1, r.report().dropped().get("nautiljon invalid id").count());
        assertEquals(1, r.report().dropped().get("animeplanet invalid id").count());
        assertEquals(1, r.report().dropped().get("notify invalid id").count());
    }

    @Test
    void countsPerPlatform() {
        Inputs in = in();
        in.aod = List.of(aod("A", 1, 2, 3), aod("B", 4, null, null));
        Map<String, Integer> counts = in.merge().report().counts();
        assertEquals(2, counts.get("total"));
        assertEquals(2, counts.get("myanimelist"));
        assertEquals(2, counts.get("shikimori"));
        assertEquals(1, counts.get("anilist"));
        assertEquals(0, counts.get("kaize"));
    }

    @Test
    void aSequelNamedBySubtitleMatchesTheSitesNumberedTitleThroughItsTraktSeason() {
        Inputs in = in();
        in.aod = List.of(aod("Phi Brain: Kami no Puzzle", 9981, null, null),
                aod("Phi Brain: Kami no Puzzle - Orpheus Order-hen", 12753, null, null));
        in.tv = List.of(new Records.TraktEntry(9981, 42331, "shows", 1, "Phi Brain", "phi-brain"),
                new Records.TraktEntry(12753, 42331, "shows", 2, "Phi Brain", "phi-brain"));
        in.kaize = List.of(new External("Phi Brain: Kami no Puzzle 2", "phi-brain-2", 2, null),
                new External("Phi Brain: Kami no Puzzle", "phi-brain", 1, null));
        Merger.Result r = in.merge();
        assertEquals("phi-brain-2", byTitle(r, "Phi Brain: Kami no Puzzle - Orpheus Order-hen").kaize());
        assertEquals("phi-brain", byTitle(r, "Phi Brain: Kami no Puzzle").kaize());
    }

    @Test
    void anAnimeIsAlsoFoundByItsSynonyms() {
        Inputs in = in();
        in.aod = List.of(new Records.AodAnime("Shingeki no Kyojin", "TV", 0, null, null, null, null, null, null, null,
                null, 16498, null, null, List.of("進撃の巨人", "Attack on Titan")));
        in.kaize = List.of(new External("Attack on Titan", "attack-on-titan", 1, null));
        assertEquals("attack-on-titan", in.merge().entries().getFirst().kaize());
    }

    /** An anime-offline-database entry of unknown type with a MAL ID and an Anime-Planet slug. */
    private static Records.AodAnime planet(String title, int mal, String slug) {
        return new Records.AodAnime(title, "UNKNOWN", 0, null, null, null, null, slug, null, null, null, mal, null,
                null, List.of());
    }

    @Test
    void anAnimePlanetSlugReadsAsATitleWithItsYear() {
        assertEquals("astro boy (2003)", SpelledTitles.title(null, "astro-boy-2003"));
        assertEquals("grisaia phantom trigger tv", SpelledTitles.title(null, "grisaia-phantom-trigger-tv"));
        assertEquals("the devil is a part timer 2", SpelledTitles.title(null, "the-devil-is-a-part-timer-2"));
        assertNull(SpelledTitles.title(null, ""));
        assertNull(SpelledTitles.title("Kimi no Na wa.", "kimi-no-na-wa"), "a slug of the title adds nothing");
    }

    @Test
    void aRemakeIsFoundByTheYearInItsAnimePlanetSlug() {
        Inputs in = in();
        in.aod = List.of(planet("Kenpuu Denki Berserk", 33, "berserk"), planet("Berserk", 32379, "berserk-2016"));
        in.nautiljon = List.of(new External("Berserk (2016)", "berserk+(2016)", 1, null),
                new External("Berserk", "berserk", 2, null));
        Merger.Result r = in.merge();
        assertEquals("berserk+(2016)", byTitle(r, "Berserk").get("nautiljon"));
        assertEquals("berserk", byTitle(r, "Kenpuu Denki Berserk").get("nautiljon"));
    }

    @Test
    void anItemMarkedTvGoesToTheAnimeAnimePlanetMarksTvNotToItsNamesake() {
        Inputs in = in();
        in.aod = List.of(planet("Grisaia: Phantom Trigger The Animation", 35868, "grisaia-phantom-trigger"),
                planet("Grisaia: Phantom Trigger", 51119, "grisaia-phantom-trigger-tv"));
        in.kaize = List.of(new External("Grisaia: Phantom Trigger The Animation (TV)", "gpt-tv", 1, null));
        Merger.Result r = in.merge();
        assertNull(byTitle(r, "Grisaia: Phantom Trigger The Animation").kaize());
        assertEquals("gpt-tv", byTitle(r, "Grisaia: Phantom Trigger").kaize(), "X The Animation (TV) is also X (TV)");
        in.kaize = List.of(new External("Grisaia: Phantom Trigger The Animation (Movie)", "gpt-movie", 2, null));
        assertEquals("gpt-movie", byTitle(in.merge(), "Grisaia: Phantom Trigger The Animation").kaize());
    }

    @Test
    void theAnimationIsPartOfTheNameUnlessTheTitleMarksTheTvSeries() {
        Inputs in = in();
        in.aod = List.of(planet("CiTY", 40936, "city"));
        in.kaize = List.of(new External("City The Animation", "city-the-animation", 1, null));
        assertNull(in.merge().entries().getFirst().kaize());
    }

    @Test
    void aSecondListingOfOneAnimeLeavesItsItemToTheAnimeKeepingTheSharedIds() {
        Inputs in = in();
        in.aod = List.of(new Records.AodAnime("Porte", "UNKNOWN", 0, null, null, 111955, null, null, null, null,
                        null, 40152, null, null, List.of()),
                new Records.AodAnime("porte", "UNKNOWN", 0, null, null, 111955, null, null, null, 42483, null, 40152,
                        null, null, List.of()));
        in.kaize = List.of(new External("Porte", "porte", 1, null));
        Merger.Result r = in.merge();
        assertEquals("porte", byTitle(r, "porte").kaize());
        assertEquals(40152, byTitle(r, "porte").myanimelist());
        assertNull(byTitle(r, "Porte").kaize());
    }

    /** A Nautiljon item: title, slug, numeric ID and format, no second title or links. */
    private static External nautiljon(String title, String slug, int id, String format) {
        return new External(title, null, slug, id, format, Map.of());
    }

    @Test
    void aNumberedSequelWithASubtitleTheAnimeLeavesOutFindsItLast() {
        Inputs in = in();
        in.aod = List.of(planet("Long Zu", 44408, "dragon-raja"),
                planet("Long Zu Season 2", 59662, "long-zu-2nd-season"));
        in.nautiljon = List.of(nautiljon("Long Zu", "long+zu", 1, "Série"),
                nautiljon("Long Zu II - Dao Wang Zhe Zhi Tong", "long+zu+ii", 2, "Série"));
        Merger.Result r = in.merge();
        assertEquals("long+zu+ii", byTitle(r, "Long Zu Season 2").get("nautiljon"));
        assertEquals("long+zu", byTitle(r, "Long Zu").get("nautiljon"));
    }

    @Test
    void aShorterReadingNeverTakesTheAnimeTheFullTitleOfAnotherItemMeets() {
        Inputs in = in();
        in.aod = List.of(planet("Lupin III", 1412, "lupin-iii"),
                planet("Lupin III: The Last Job", 8097, "lupin-iii-the-last-job"));
        in.nautiljon = List.of(nautiljon("Lupin III - The Last Job", "lupin+iii+-+the+last+job", 1, "Spécial"),
                nautiljon("Lupin III - Cagliostro", "lupin+iii+-+cagliostro", 2, "Film"));
        Merger.Result r = in.merge();
        assertEquals("lupin+iii+-+the+last+job", byTitle(r, "Lupin III: The Last Job").get("nautiljon"));
        assertNull(byTitle(r, "Lupin III").get("nautiljon"), "a film's subtitle left out does not make it the series");
    }

    @Test
    void aSeasonTheDatabaseNamesByItsArcIsFoundByTheNumberItsAnimePlanetSlugGives() {
        Inputs in = in();
        String name = "Honzuki no Gekokujou: Shisho ni Naru Tame ni wa Shudan wo Erandeiraremasen";
        in.aod = List.of(planet(name, 39468, "ascendance-of-a-bookworm"),
                planet(name + " - Ryoushu no Youjo", 57466, "ascendance-of-a-bookworm-season-4"));
        in.nautiljon = List.of(nautiljon("Honzuki no Gekokujou : Shisho ni Naru Tame ni wa Shudan wo "
                + "Erandeiraremasen 4", "honzuki+4", 4, "Série"));
        assertEquals("honzuki+4", byTitle(in.merge(), name + " - Ryoushu no Youjo").get("nautiljon"));
    }

    @Test
    void anArcSlugNamingAKindGivesNoSeasonReading() {
        TitleKey title = TitleKey.of("Arifureta Shokugyou de Sekai Saikyou: Maboroshi no Bouken to Kiseki no Kaigou");
        TitleKey ova = TitleKey.of("arifureta from commonplace to worlds strongest 2nd season ova");
        TitleKey season = TitleKey.of("arifureta from commonplace to worlds strongest season 2");
        String written = "Arifureta Shokugyou de Sekai Saikyou: Maboroshi no Bouken to Kiseki no Kaigou";
        assertNull(SpelledTitles.arcSeason(title, written, java.util.Set.of(), null, ova));
        assertEquals(TitleKey.of("Arifureta Shokugyou de Sekai Saikyou 2").normalized(),
                SpelledTitles.arcSeason(title, written, java.util.Set.of(), null, season).normalized());
    }

    @Test
    void aCommercialTheSiteFilesAsSuchFindsItsUnmarkedAnime() {
        Inputs in = in();
        in.aod = List.of(planet("Yu-Gi-Oh! Card Game: The Chronicles", 58018, "yu-gi-oh-card-game-the-chronicles"),
                planet("Hataraku Saibou", 37141, "cells-at-work"));
        in.nautiljon = List.of(nautiljon("Yu-Gi-Oh! Card Game The Chronicles", "ygo", 1, "Publicité"),
                nautiljon("Hataraku Saibou CM", "hs-cm", 2, "Publicité"));
        Merger.Result r = in.merge();
        assertEquals("ygo", byTitle(r, "Yu-Gi-Oh! Card Game: The Chronicles").get("nautiljon"));
        assertNull(byTitle(r, "Hataraku Saibou").get("nautiljon"), "a title marked CM needs an anime marked so");
    }

    @Test
    void aNumberRestatingTheCountOfExclamationMarksNamesNoFurtherSeason() {
        Inputs in = in();
        in.aod = List.of(planet("Hataraku Maou-sama!", 15809, "the-devil-is-a-part-timer"),
                planet("Hataraku Maou-sama!!", 48413, "the-devil-is-a-part-timer-2"),
                planet("Hataraku Maou-sama!! 2nd Season", 53200, "the-devil-is-a-part-timer-2023"));
        in.nautiljon = List.of(nautiljon("Hataraku Maou-sama!", "hms", 1, "Série"),
                nautiljon("Hataraku Maou-sama!! 2", "hms2", 2, "Série"),
                nautiljon("Hataraku Maou-sama!! 2 2nd Season", "hms22", 3, "Série"));
        Merger.Result r = in.merge();
        assertEquals("hms2", byTitle(r, "Hataraku Maou-sama!!").get("nautiljon"));
        assertEquals("hms22", byTitle(r, "Hataraku Maou-sama!! 2nd Season").get("nautiljon"));
    }

    @Test
    void marksThatArePartOfAFirstSeasonsNameLeaveItsNumberASeason() {
        Inputs in = in();
        in.aod = List.of(planet("Haikyuu!!", 20583, "haikyuu"),
                planet("Haikyuu!! Second Season", 28891, "haikyuu-2"));
        in.nautiljon = List.of(nautiljon("Haikyuu!! 2", "haikyuu2", 1, "Série"));
        Merger.Result r = in.merge();
        assertEquals("haikyuu2", byTitle(r, "Haikyuu!! Second Season").get("nautiljon"));
        assertNull(byTitle(r, "Haikyuu!!").get("nautiljon"));
    }

    @Test
    void aSeriesGoesToItsNamesakeWhenTheDatabaseTypesTheSameSpelledClip() {
        Inputs in = in();
        in.aod = List.of(new Records.AodAnime("Bokurano", "SPECIAL", 0, null, null, 161981, null, "eve-bokurano",
                        null, null, null, 54624, null, null, List.of()),
                new Records.AodAnime("Bokura no", "TV", 0, null, 4861, 1690, null, "bokurano", null, null, null, 1690,
                        null, null, List.of()));
        in.nautiljon = List.of(nautiljon("Bokurano", "bokurano", 1, "Série"));
        in.kaize = List.of(new External("Bokurano", "bokurano", 1, null));
        Merger.Result r = in.merge();
        assertEquals("bokurano", byTitle(r, "Bokura no").get("nautiljon"));
        assertEquals("bokurano", byTitle(r, "Bokurano").kaize(), "without a format the spelling decides");
    }

    @Test
    void aSeriesTheProgrammeGuideListsTakesItsNamesakeFromAClipNoSeriesDatabaseKnows() {
        Merger.Result r = bokurano(List.of(new Records.ArmEntry(1690, 1690, 1972, 1100)), null).merge();
        assertEquals("bokurano", byTitle(r, "Bokura no").get("nautiljon"));
        assertEquals("bokurano", byTitle(r, "Bokurano").kaize(), "without a format the spelling decides");
    }

    @Test
    void whenTheGuideListsBothNamesakesTheSpellingDecides() {
        Merger.Result r = bokurano(List.of(new Records.ArmEntry(1690, 1690, 1972, 1100),
                new Records.ArmEntry(54624, 161981, null, 6000)), null).merge();
        assertEquals("bokurano", byTitle(r, "Bokurano").get("nautiljon"));
    }

    @Test
    void aNamesakeAniDbKnowsIsNoClipForTheGuideToOutrank() {
        Merger.Result r = bokurano(List.of(new Records.ArmEntry(1690, 1690, 1972, 1100)), 99999).merge();
        assertEquals("bokurano", byTitle(r, "Bokurano").get("nautiljon"));
    }

    /** A series and a same-spelled music clip, neither typed (as in the recorded anime-offline-database). */
    private Inputs bokurano(List<Records.ArmEntry> arm, Integer clipAnidb) {
        Inputs in = in();
        in.aod = List.of(new Records.AodAnime("Bokurano", "UNKNOWN", 0, null, clipAnidb, 161981, null, "eve-bokurano",
                        null, null, null, 54624, null, null, List.of()),
                new Records.AodAnime("Bokura no", "UNKNOWN", 0, null, 4861, 1690, null, "bokurano", null, null, null,
                        1690, null, null, List.of()));
        in.arm = arm;
        in.nautiljon = List.of(nautiljon("Bokurano", "bokurano", 1, "Série"));
        in.kaize = List.of(new External("Bokurano", "bokurano", 1, null));
        return in;
    }
}
