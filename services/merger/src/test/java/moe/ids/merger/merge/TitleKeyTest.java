package moe.ids.merger.merge;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What a title's key says: name, kinds, sequel numbers, movie number, year, symbols. */
class TitleKeyTest {

    @Test
    void seasonSpellingsGiveOneNumber() {
        for (String t : List.of("Shingeki no Kyojin 2nd Season", "Shingeki no Kyojin Season 2",
                "Shingeki no Kyojin Second Season", "Shingeki no Kyojin II", "Shingeki no Kyojin S2",
                "Shingeki no Kyojin 02", "Shingeki no Kyojin Saison 2")) {
            TitleKey k = TitleKey.of(t);
            assertEquals("shingekinokyojin", k.name(), t);
            assertEquals(List.of(2), k.numbers(), t);
        }
    }

    @Test
    void theFirstSeasonNeedsNoNumber() {
        assertEquals(TitleKey.of("Toradora").normalized(), TitleKey.of("Toradora 1st Season").normalized());
    }

    @Test
    void markersAtTheEndOrInParenthesesAreKinds() {
        assertEquals(Set.of(TitleKey.Kind.TV), TitleKey.of("Kidou Shinsengumi Moeyo Ken TV").kinds());
        assertEquals(Set.of(TitleKey.Kind.OVA), TitleKey.of("Kidou Shinsengumi Moeyo Ken OAV").kinds());
        assertEquals(Set.of(TitleKey.Kind.TV), TitleKey.of("Piano no Mori (TV) 2nd Season").kinds());
        assertEquals(Set.of(TitleKey.Kind.PROMO), TitleKey.of("Fate/strange Fake PV").kinds());
        assertEquals(Set.of(TitleKey.Kind.RECAP), TitleKey.of("Jujutsu Kaisen 2nd Season Recap").kinds());
        assertEquals(Set.of(), TitleKey.of("TV Tokyo Special Hour Drama").kinds(), "only at the end");
    }

    @Test
    void movieNumberIsReadAnywhere() {
        TitleKey k = TitleKey.of("Meiji Tokyo Renka Movie 2: Hanakagami no Fantasia");
        assertEquals(2, k.movie());
        assertEquals("meijitokyorenkahanakagaminofantasia", k.name());
        assertEquals(Set.of(TitleKey.Kind.MOVIE), k.kinds());
    }

    @Test
    void parenthesisedYearIsAFact() {
        TitleKey k = TitleKey.of("DD Hokuto no Ken (2013)");
        assertEquals(2013, k.year());
        assertEquals("ddhokutonoken", k.name());
        assertNull(TitleKey.of("Tokyo 2020").year(), "a bare number is a number, not a year");
    }

    @Test
    void symbolsAreKeptApartFromTheName() {
        TitleKey a = TitleKey.of("Working!!");
        TitleKey b = TitleKey.of("Working!!!");
        assertEquals(a.name(), b.name());
        assertEquals("!!", a.marks());
        assertEquals("!!!", b.marks());
    }

    @Test
    void numeralsJoinedToAWordBelongToTheName() {
        assertEquals(TitleKey.of("5-toubun no Hanayome").name(), TitleKey.of("Go-Toubun no Hanayome").name());
        assertEquals(List.of(), TitleKey.of("5-toubun no Hanayome").numbers());
    }

    @Test
    void longVowelsFoldOnlyInTheCore() {
        TitleKey a = TitleKey.of("Gokushufudou");
        TitleKey b = TitleKey.of("Gokushufudo");
        assertEquals(a.core(), b.core());
        assertEquals(false, a.name().equals(b.name()), "normalized titles still differ");
    }

    @Test
    void ampersandReadsAsTo() {
        assertEquals(TitleKey.of("Robby to Kerobby").name(), TitleKey.of("Robby & Kerobby").name());
    }

    @Test
    void differentSequelNumbersAreVetoed() {
        assertEquals(TitleKey.Veto.SEASON, TitleKey.of("Shu Ling Ji 3").veto(TitleKey.of("Shu Ling Ji 2")));
        assertEquals(TitleKey.Veto.SEASON,
                TitleKey.of("Eureka Seven Hi-Evolution").veto(TitleKey.of("Eureka Seven Hi-Evolution 3")));
    }

    @Test
    void differentYearsAreVetoed() {
        assertEquals(TitleKey.Veto.YEAR, TitleKey.of("DD Hokuto no Ken (2013)").veto(TitleKey.of("DD Hokuto no Ken (2011)")));
        assertNull(TitleKey.of("DD Hokuto no Ken (2013)").veto(TitleKey.of("DD Hokuto no Ken")));
    }

    @Test
    void incompatibleKindsAreVetoed() {
        assertEquals(TitleKey.Veto.TYPE, TitleKey.of("Moeyo Ken TV").veto(TitleKey.of("Moeyo Ken OAV")));
        assertEquals(TitleKey.Veto.TYPE, TitleKey.of("Moeyo Ken", TitleKey.Kind.ofLabel("Série"), null)
                .veto(TitleKey.of("Moeyo Ken OAV")), "the site's format counts");
        assertNull(TitleKey.of("Moeyo Ken OAV").veto(TitleKey.of("Moeyo Ken Specials")), "OVA and special agree");
    }

    @Test
    void promotionalAndRecapKindsMustBeNamedOnBothSides() {
        assertEquals(TitleKey.Veto.TYPE, TitleKey.of("Fate/strange Fake PV").veto(TitleKey.of("Fate/strange Fake")));
        assertEquals(TitleKey.Veto.TYPE, TitleKey.of("Honzuki Recap").veto(TitleKey.of("Honzuki")));
        assertNull(TitleKey.of("Moeyo Ken OAV").veto(TitleKey.of("Moeyo Ken")), "an unmarked title may be an OVA");
    }

    @Test
    void movieNumberMayStandForAPlainNumber() {
        assertNull(TitleKey.of("Kara no Kyoukai Movie 2: Satsujin Kousatsu").veto(
                TitleKey.of("Kara no Kyoukai 2: Satsujin Kousatsu")));
        assertNull(TitleKey.of("Meiji Tokyo Renka Movie 2: Hanakagami no Fantasia").veto(
                TitleKey.of("Meiji Tokyo Renka: Hanakagami no Fantasia", TitleKey.Kind.ofLabel("Film"), null)));
        assertEquals(TitleKey.Veto.SEASON, TitleKey.of("Bleach Movie 2").veto(TitleKey.of("Bleach Movie 3")));
    }

    @Test
    void aBracketedMarkerGivesWayToOneAtTheEnd() {
        assertEquals(Set.of(TitleKey.Kind.OVA), TitleKey.of("Days (TV) OVA").kinds());
        assertEquals(Set.of(TitleKey.Kind.TV), TitleKey.of("Days (TV)").kinds());
    }

    @Test
    void theWordMovieIsAKindWhereverItStands() {
        assertEquals(TitleKey.of("Kara no Kyoukai Movie: Mirai Fukuin").name(),
                TitleKey.of("Kara no Kyoukai: Mirai Fukuin").name());
        assertEquals(Set.of(TitleKey.Kind.MOVIE), TitleKey.of("Gekijou-ban Hibike! Euphonium").kinds());
    }

    @Test
    void aNumberBeforeACounterBelongsToTheName() {
        assertEquals(TitleKey.of("Tezuka Osamu ga Kieta?! 20-seiki Saigo no Kaijiken").name(),
                TitleKey.of("Tezuka Osamu ga Kieta?! 20 Seiki Saigo no Kaijiken").name());
        assertEquals(List.of(), TitleKey.of("Tezuka Osamu ga Kieta?! 20 Seiki Saigo no Kaijiken").numbers());
    }

    @Test
    void theTitlesKindOutranksTheSitesFormat() {
        TitleKey special = TitleKey.of("Taiho Shichau zo Special", TitleKey.Kind.ofLabel("Série"), null);
        assertEquals(Set.of(TitleKey.Kind.SPECIAL), special.allKinds());
        assertNull(special.veto(TitleKey.of("Taiho Shichau zo Special")));
    }

    @Test
    void pluralMarkersAreTheKindOfTheSingular() {
        TitleKey recaps = TitleKey.of("Jujutsu Kaisen 2nd Season Recaps");
        assertEquals(Set.of(TitleKey.Kind.RECAP), recaps.kinds());
        assertEquals(TitleKey.of("Jujutsu Kaisen 2nd Season Recap").normalized(), recaps.normalized());
        assertEquals(Set.of(TitleKey.Kind.RECAP), TitleKey.of("Kemono no Souja Erin (Recaps)").kinds());
    }

    @Test
    void markerWordsAreSpelledOneWay() {
        assertEquals(TitleKey.of("Dungeon Meshi PV").spelled(), TitleKey.of("Dungeon Meshi PVs").spelled());
        assertEquals(false, TitleKey.of("Dungeon Meshi PV").spelled().equals(TitleKey.of("Dungeon Meshi CM").spelled()),
                "a PV and a CM are one kind but not one word");
        assertEquals(TitleKey.of("Yakuindomo* OAV").spelled(), TitleKey.of("Yakuindomo* OVA").spelled());
    }

    @Test
    void aNumeralWrittenTogetherWithItsCounterIsADigit() {
        assertEquals(TitleKey.of("5-toubun no Hanayome∽").name(), TitleKey.of("Gotoubun no Hanayome∽").name());
        assertEquals(List.of(), TitleKey.of("Gotoubun no Hanayome").numbers());
        assertEquals("gotoushinohanayome", TitleKey.of("Gotoushi no Hanayome").name(), "only before a counter");
    }

    @Test
    void theSmallOmegaReadsDouble() {
        TitleKey omega = TitleKey.of("Uzaki-chan wa Asobitai! ω");
        assertEquals(TitleKey.of("Uzaki-chan wa Asobitai! Double").raw(), omega.raw());
        assertEquals("!", omega.marks());
        assertEquals("isekaimaoutoshoukanshoujonodoreimajutsuω",
                TitleKey.of("Isekai Maou to Shoukan Shoujo no Dorei Majutsu Ω").name(), "the capital is Omega");
    }

    @Test
    void aSequelMayBeNamedByItsOwnLaterYear() {
        TitleKey site = TitleKey.of("Urusei Yatsura (2024)");
        assertNull(site.veto(TitleKey.of("Urusei Yatsura (2022) 2nd Season")));
        assertNull(TitleKey.of("Urusei Yatsura (2022) 2nd Season").veto(site), "either way round");
        assertEquals(TitleKey.Veto.YEAR, site.veto(TitleKey.of("Urusei Yatsura (2022)")), "no number, no sequel");
        assertEquals(TitleKey.Veto.YEAR, TitleKey.of("Urusei Yatsura (2020)").veto(
                TitleKey.of("Urusei Yatsura (2022) 2nd Season")), "the sequel comes later");
        assertEquals(TitleKey.Veto.YEAR, TitleKey.of("Urusei Yatsura (2031)").veto(
                TitleKey.of("Urusei Yatsura (2022) 2nd Season")), "within a few years");
        assertEquals(TitleKey.Veto.YEAR, TitleKey.of("Urusei Yatsura (2024) 2nd Season").veto(
                TitleKey.of("Urusei Yatsura (2022) 2nd Season")));
        assertEquals(TitleKey.Veto.YEAR, TitleKey.of("Urusei Yatsura (2024)").veto(
                TitleKey.of("Urusei Yatsura 2nd Season", Set.of(), 2022)),
                "a year from the data is the anime's own");
    }
}
