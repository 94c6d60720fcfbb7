package moe.ids.merger.merge;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One-to-one title matching on evidence, with synthetic titles for each pattern it must get right. */
class TitleMatcherTest {

    /** Matches items to anime and returns item title → anime title (absent when unmatched). */
    private static Map<String, String> match(List<String> anime, List<TitleMatcher.Item> items, int threshold) {
        TitleMatcher m = new TitleMatcher(anime, anime.stream().map(TitleKey::of).toList());
        TitleMatcher.Result r = m.match(items, threshold, Set.of());
        Map<String, String> out = new TreeMap<>();
        r.matches().forEach(x -> out.put(items.get(x.item()).titles().getFirst(), anime.get(x.anime())));
        return out;
    }

    private static TitleMatcher.Item item(String title) {
        return item(title, null, null);
    }

    private static TitleMatcher.Item item(String title, String alt, String format) {
        List<String> titles = alt == null ? List.of(title) : List.of(title, alt);
        return new TitleMatcher.Item(titles,
                titles.stream().map(t -> TitleKey.of(t, TitleKey.Kind.ofLabel(format), null)).toList());
    }

    @Test
    void titlesDifferingOnlyBySymbolsGoToTheirOwnAnime() {
        List<String> anime = List.of("Teppen!!!!!!!!!!!!!!!", "Teppen", "Working!!!", "Working!!");
        List<TitleMatcher.Item> items = List.of(item("Teppen"), item("Teppen!!!!!!!!!!!!!!!"), item("Working!!"),
                item("Working!!!"));
        assertEquals(Map.of("Teppen", "Teppen", "Teppen!!!!!!!!!!!!!!!", "Teppen!!!!!!!!!!!!!!!",
                "Working!!", "Working!!", "Working!!!", "Working!!!"), match(anime, items, 85));
    }

    @Test
    void aPunctuatedTitleDoesNotTakeThePlainOnesAnime() {
        Map<String, String> m = match(List.of("Free", "Free!"), List.of(item("Free!")), 85);
        assertEquals(Map.of("Free!", "Free!"), m);
    }

    @Test
    void theSitesFormatSendsTvAndOvaToTheirOwnAnime() {
        List<String> anime = List.of("Kidou Shinsengumi Moeyo Ken", "Kidou Shinsengumi Moeyo Ken TV");
        List<TitleMatcher.Item> items = List.of(item("Kidou Shinsengumi Moeyo Ken OAV", null, "OAV"),
                item("Kidou Shinsengumi Moeyo Ken", null, "Série"));
        assertEquals(Map.of("Kidou Shinsengumi Moeyo Ken OAV", "Kidou Shinsengumi Moeyo Ken",
                "Kidou Shinsengumi Moeyo Ken", "Kidou Shinsengumi Moeyo Ken TV"), match(anime, items, 90));
    }

    @Test
    void aPromotionalVideoDoesNotTakeTheSeries() {
        Map<String, String> m = match(List.of("Fate/strange Fake PV"), List.of(item("Fate/strange Fake")), 85);
        assertEquals(Map.of(), m);
    }

    @Test
    void sequelNumbersAreAConstraintOnLongTitles() {
        Map<String, String> m = match(List.of("Shu Ling Ji 2nd Season"), List.of(item("Shu Ling Ji 3")), 85);
        assertEquals(Map.of(), m);
    }

    @Test
    void yearsAreAConstraint() {
        Map<String, String> m = match(List.of("DD Hokuto no Ken (2011)"), List.of(item("DD Hokuto no Ken (2013)")),
                85);
        assertEquals(Map.of(), m);
    }

    @Test
    void spellingVariantsOfAWordAreFound() {
        Map<String, String> m = match(List.of("Gokushufudou", "Nazotoki-hime wa Meitantei"),
                List.of(item("Gokushufudo"), item("Nazotokihime wa Meitantei")), 90);
        assertEquals(Map.of("Gokushufudo", "Gokushufudou", "Nazotokihime wa Meitantei", "Nazotoki-hime wa Meitantei"),
                m);
    }

    @Test
    void aMovieNumberTheSiteLeavesOutStillMatches() {
        Map<String, String> m = match(List.of("Meiji Tokyo Renka Movie 2: Hanakagami no Fantasia"),
                List.of(item("Meiji Tokyo Renka: Hanakagami no Fantasia", null, "Film")), 90);
        assertEquals(1, m.size());
    }

    @Test
    void theSecondTitleIsUsed() {
        Map<String, String> m = match(List.of("Bride of Deimos"),
                List.of(item("Deimos no Hanayome", "Bride of Deimos", "OAV")), 90);
        assertEquals(Map.of("Deimos no Hanayome", "Bride of Deimos"), m);
    }

    @Test
    void aTieIsLeftUnmatchedAndReported() {
        List<String> anime = List.of("Darling");
        List<TitleMatcher.Item> items = List.of(item("Darling"), item("Darling"));
        TitleMatcher m = new TitleMatcher(anime, anime.stream().map(TitleKey::of).toList());
        TitleMatcher.Result r = m.match(items, 85, Set.of());
        assertEquals(List.of(), r.matches());
        assertEquals(List.of(0, 1), r.ambiguous());
    }

    @Test
    void theOutcomeDoesNotDependOnInputOrder() {
        List<String> anime = List.of("Hataraku Saibou", "Hataraku Saibou!!", "Hataraku Saibou Black");
        List<TitleMatcher.Item> items = List.of(item("Hataraku Saibou!!"), item("Hataraku Saibou"),
                item("Hataraku Saibou Black"));
        Map<String, String> forward = match(anime, items, 85);
        Map<String, String> backward = match(anime.reversed(), items.reversed(), 85);
        assertEquals(forward, backward);
        assertEquals(3, forward.size());
    }

    @Test
    void vetoedItemsAreReported() {
        TitleMatcher m = new TitleMatcher(List.of("Shu Ling Ji 2"), List.of(TitleKey.of("Shu Ling Ji 2")));
        TitleMatcher.Result r = m.match(List.of(item("Shu Ling Ji 3")), 85, Set.of());
        assertEquals(Map.of(0, TitleKey.Veto.SEASON), r.vetoed());
    }

    @Test
    void takenAnimeAreNotMatched() {
        TitleMatcher m = new TitleMatcher(List.of("Toradora!"), List.of(TitleKey.of("Toradora!")));
        assertEquals(List.of(), m.match(List.of(item("Toradora!")), 85, Set.of(0)).matches());
    }

    @Test
    void aPromotionalItemGoesToTheAnimeOfItsOwnWord() {
        Map<String, String> m = match(List.of("Dungeon Meshi CM", "Dungeon Meshi PVs", "Dungeon Meshi"),
                List.of(item("Dungeon Meshi PV")), 85);
        assertEquals(Map.of("Dungeon Meshi PV", "Dungeon Meshi PVs"), m);
    }

    @Test
    void anUnmarkedAnimeBesideOneMarkedTvIsTheFilmOrOva() {
        List<String> anime = List.of("Little Witch Academia", "Little Witch Academia (TV)");
        Map<String, String> m = match(anime, List.of(item("Little Witch Academia (Movie)"),
                item("Little Witch Academia")), 90);
        assertEquals("Little Witch Academia", m.get("Little Witch Academia (Movie)"));
        Map<String, String> commercial = match(List.of("Mob Psycho 100", "Mob Psycho 100 TV CM"),
                List.of(item("Mob Psycho 100", null, "Série"), item("Mob Psycho Mini", "Mob Psycho 100 Specials",
                        "Spécial")), 90);
        assertEquals(Map.of("Mob Psycho 100", "Mob Psycho 100"), commercial, "a TV CM is not the TV series");
    }

    @Test
    void theUnmarkedAnimeIsTheEarliestOnlyWhenEveryNamesakeHasAYear() {
        List<String> anime = List.of("Oz no Mahoutsukai", "Oz no Mahoutsukai (TV)", "Oz no Mahoutsukai (2006)");
        Map<String, String> m = match(anime, List.of(item("Oz no Mahoutsukai (Movie)"),
                item("Oz no Mahoutsukai (1986)")), 85);
        assertEquals("Oz no Mahoutsukai", m.get("Oz no Mahoutsukai (Movie)"));
        Map<String, String> remake = match(List.of("Tetsuwan Atom", "Tetsuwan Atom (1980)"),
                List.of(item("Tetsuwan Atom (1963)")), 85);
        assertEquals(Map.of("Tetsuwan Atom (1963)", "Tetsuwan Atom"), remake);
    }

    @Test
    void aClosingPinyinTwoIsTheSecondSeasonOfAnAnimeOfThatName() {
        List<String> anime = List.of("Tian Guan Cifu", "Tian Guan Cifu Er", "Yueya Er");
        Map<String, String> m = match(anime, List.of(item("Tian Guan Ci Fu 2nd Season"), item("Yueya 2")), 85);
        assertEquals(Map.of("Tian Guan Ci Fu 2nd Season", "Tian Guan Cifu Er"), m);
    }

    @Test
    void aPartNumberMayStandForASeasonNumber() {
        List<String> anime = List.of("Haikyuu!! To the Top", "Haikyuu!! To the Top Part 2");
        Map<String, String> m = match(anime, List.of(item("Haikyuu!!: To the Top Season 2")), 90);
        assertEquals(Map.of("Haikyuu!!: To the Top Season 2", "Haikyuu!! To the Top Part 2"), m);
        Map<String, String> both = match(List.of("Kaguya 2nd Season", "Kaguya Part 2"), List.of(item("Kaguya 2")),
                90);
        assertEquals(Map.of("Kaguya 2", "Kaguya 2nd Season"), both, "a season named as such comes first");
    }

    @Test
    void aSequelNamedByItsOwnYearFindsItsSeason() {
        List<String> anime = List.of("Urusei Yatsura", "Urusei Yatsura (2022)", "Urusei Yatsura (2022) 2nd Season");
        Map<String, String> m = match(anime, List.of(item("Urusei Yatsura"), item("Urusei Yatsura (2022)"),
                item("Urusei Yatsura (2024)")), 90);
        assertEquals("Urusei Yatsura (2022) 2nd Season", m.get("Urusei Yatsura (2024)"));
    }

    /**
     * The recorded case: the film "Oz no Mahoutsukai" is taken (a manual mapping), and no anime of the name carries
     * 1986, so the plain item is as near the TV series as the 2006 one, and "(1986)" can only be the TV series.
     */
    private static TitleMatcher.Result oz(List<TitleMatcher.Item> items) {
        List<String> anime = List.of("Oz no Mahoutsukai", "Oz no Mahoutsukai (TV)", "Oz no Mahoutsukai (2006)");
        return new TitleMatcher(anime, anime.stream().map(TitleKey::of).toList()).match(items, 85, Set.of(0));
    }

    @Test
    void aTiedItemWithOneCandidateTakesItWhileTheUndecidedOneStaysAmbiguous() {
        TitleMatcher.Result r = oz(List.of(item("Oz no Mahoutsukai"), item("Oz no Mahoutsukai (1986)")));
        assertEquals(List.of(1), r.matches().stream().map(TitleMatcher.Match::item).toList());
        assertEquals(List.of(1), r.matches().stream().map(TitleMatcher.Match::anime).toList());
        assertEquals(List.of(0), r.ambiguous());
    }

    @Test
    void twoItemsWithTheSameOnlyCandidateStayAmbiguous() {
        TitleMatcher.Result r = oz(List.of(item("Oz no Mahoutsukai"), item("Oz no Mahoutsukai (1986)"),
                item("Oz no Mahoutsukai (1985)")));
        assertEquals(List.of(), r.matches());
        assertEquals(List.of(0, 1, 2), r.ambiguous());
    }
}
