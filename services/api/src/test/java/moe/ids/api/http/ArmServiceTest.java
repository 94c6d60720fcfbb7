package moe.ids.api.http;

import moe.ids.core.entry.AnimeEntry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** arm-server's validation rules and relation shape. */
class ArmServiceTest {
    @Test
    void numbersFollowJavaScriptNumberThenIntegerRange() {
        assertEquals(1337, ArmService.number("1337"));
        assertEquals(1000, ArmService.number("1e3"));
        assertEquals(16, ArmService.number("0x10"));
        assertEquals(50_000_000, ArmService.number("50000000"));
        assertEquals(8, ArmService.number("0o10"));
        assertEquals(5, ArmService.number("0b101"));
        assertEquals(12, ArmService.number(" 12\n"));
        assertEquals(12, ArmService.number("\u00a012\ufeff"), "JavaScript trims NBSP and the BOM too");
        assertEquals(12, ArmService.number("+12"));
        assertEquals(12, ArmService.number("12."));
        assertEquals(120, ArmService.number(".12e3"));
        // Java's parser accepts these, JavaScript's Number() gives NaN: arm-server answers 400
        for (String bad : List.of("1d", "1f", "1D", "0x+10", "0x-1", "-0x10", "0x", "0x1p3", "1_000", "1e", "e3", "0b2",
                "0o8", "٣", "1 2")) {
            assertThrows(IllegalArgumentException.class, () -> ArmService.number(bad), bad);
        }
        assertEquals(16, ArmService.number("0x" + "0".repeat(100_000) + "10"), "leading zeros are not significant");
        assertEquals(7, ArmService.number("0".repeat(100_000) + "7"));
        assertThrows(IllegalArgumentException.class, () -> ArmService.number("\u001f12"), "not JavaScript white space");
        // a quarter of a megabyte of digits that is no number must fail fast (a backtracking pattern took minutes)
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(2), () -> {
            assertThrows(IllegalArgumentException.class, () -> ArmService.number("1".repeat(262_000) + "x"));
            String fraction = "1".repeat(131_000) + "." + "1".repeat(131_000) + "x";
            assertThrows(IllegalArgumentException.class, () -> ArmService.number(fraction));
            assertThrows(IllegalArgumentException.class, () -> ArmService.number("0x" + "f".repeat(262_000)));
        });
        for (String bad : List.of("0", "-1", "1.5", "50000001", "abc", "", " ", "NaN", "Infinity", "-Infinity",
                "0x" + "f".repeat(40))) {
            assertThrows(IllegalArgumentException.class, () -> ArmService.number(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> ArmService.number(null));
    }

    @Test
    void includeIsValidatedDedupedAndFiltered() {
        assertEquals(Set.of(), ArmService.include(null));
        assertEquals(List.of("anilist", "anidb"), List.copyOf(ArmService.include("anilist,anidb,anilist,unknown")));
        assertEquals(Set.of("\0none"), ArmService.include("unknown"));
        for (String bad : List.of("AniList", "a b", ",", "anilist;drop", "x".repeat(3) + "1", "")) {
            assertThrows(ApiException.ArmValidation.class, () -> ArmService.include(bad), bad);
        }
    }

    @Test
    void relationKeysAndMapping() {
        AnimeEntry e = AnimeEntry.builder("t").set("simkl", 5).set("animeplanet", "x").set("themoviedb", 7)
                .set("themoviedb_tv", 8).build();
        var r = ArmService.relation(e, Set.of());
        assertEquals(ArmService.RELATION_KEYS, List.copyOf(r.keySet()));
        assertEquals(5, r.get("animecountdown"));
        assertEquals(5, r.get("simkl"));
        assertEquals("x", r.get("anime-planet"));
        assertEquals(8, r.get("themoviedb"), "the TV ID first, as arm-server");
        assertEquals("animeplanet/x", ArmService.mappingKey("anime-planet", "x"));
        assertEquals("simkl/5", ArmService.mappingKey("animecountdown", "5"));
    }
}
