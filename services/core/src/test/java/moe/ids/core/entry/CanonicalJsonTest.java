package moe.ids.core.entry;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanonicalJsonTest {
    static AnimeEntry bebop() {
        return AnimeEntry.builder("Cowboy Bebop")
                .set("anidb", 23).set("anilist", 1).set("animenewsnetwork", 13).set("animeplanet", "cowboy-bebop")
                .set("anisearch", 1572).set("annict", 360).set("kaize", "cowboy-bebop").set("kaize_id", 265)
                .set("kitsu", 1).set("livechart", 3418).set("myanimelist", 1).set("notify", "Tk3ccKimg")
                .set("otakotaku", 1149).set("shikimori", 1).set("shoboi", 538).set("silveryasha", 2652)
                .set("simkl", 37089).set("trakt", 30857).set("trakt_type", "shows").set("trakt_season", 1)
                .build();
    }

    @Test
    void keysInFixedOrderWithNulls() throws Exception {
        String json = new String(CanonicalJson.toBytes(bebop()), StandardCharsets.UTF_8);
        assertEquals("{\"title\":\"Cowboy Bebop\",\"anidb\":23,\"anilist\":1,\"animenewsnetwork\":13,"
                + "\"animeplanet\":\"cowboy-bebop\",\"anisearch\":1572,\"annict\":360,\"imdb\":null,"
                + "\"kaize\":\"cowboy-bebop\",\"kaize_id\":265,\"kitsu\":1,\"livechart\":3418,\"myanimelist\":1,"
                + "\"nautiljon\":null,\"nautiljon_id\":null,\"notify\":\"Tk3ccKimg\",\"otakotaku\":1149,"
                + "\"shikimori\":1,\"shoboi\":538,\"silveryasha\":2652,\"simkl\":37089,\"themoviedb\":null,"
                + "\"trakt\":30857,\"trakt_type\":\"shows\",\"trakt_season\":1,\"thetvdb\":null,"
                + "\"themoviedb_tv\":null}", json);
        List<String> keys = new ArrayList<>();
        Iterator<String> it = new ObjectMapper().readTree(json).fieldNames();
        it.forEachRemaining(keys::add);
        assertEquals(AnimeEntry.KEYS, keys);
        assertEquals(List.of("title", "anidb", "anilist", "animenewsnetwork", "animeplanet", "anisearch", "annict",
                "imdb", "kaize", "kaize_id", "kitsu", "livechart", "myanimelist", "nautiljon", "nautiljon_id",
                "notify", "otakotaku", "shikimori", "shoboi", "silveryasha", "simkl", "themoviedb", "trakt",
                "trakt_type", "trakt_season"), AnimeEntry.KEYS.subList(0, 25), "the served key order");
    }

    @Test
    void onlyTitleGivesAllNulls() throws Exception {
        JsonNode node = new ObjectMapper().readTree(CanonicalJson.toBytes(AnimeEntry.builder("X").build()));
        assertEquals(AnimeEntry.KEYS.size(), node.size());
        node.properties().forEach(e -> assertTrue(e.getKey().equals("title") || e.getValue().isNull(), e.getKey()));
    }

    @Test
    void unicodeIsRawUtf8AndSurvives() {
        String title = "\u300c\u9b54\u6cd5\u5c11\u5973\u307e\u3069\u304b\u2606\u30de\u30ae\u30ab\u300d \"quoted\" \\ "
                + "zero\u200bwidth soft\u00adhyphen \u200e mark \uD83C\uDF38";
        AnimeEntry e = AnimeEntry.builder(title).set("nautiljon", "mahou+shoujo+madoka\u2606magica").build();
        byte[] bytes = CanonicalJson.toBytes(e);
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(text.contains("\u9b54\u6cd5"), "non-ASCII is written raw, not \\u-escaped");
        assertTrue(text.contains("\\\"quoted\\\""));
        assertEquals(e, CanonicalJson.parse(bytes));
    }

    @Test
    void roundTrip() {
        AnimeEntry e = bebop().toBuilder().set("imdb", "tt0213338").set("themoviedb", 2147483647)
                .set("thetvdb", 76885).set("nautiljon", "cowboy+bebop").set("nautiljon_id", 1).build();
        assertEquals(e, CanonicalJson.parse(CanonicalJson.toBytes(e)));
        assertArrayEquals(CanonicalJson.toBytes(e), CanonicalJson.toBytes(CanonicalJson.parse(CanonicalJson.toBytes(e))));
    }

    @Test
    void hashIsStableAcrossRunsAndSensitiveToValues() {
        // sha256sum of the literal JSON above; a change here means every stored hash changes, i.e. a full re-publish.
        assertEquals(CanonicalJson.sha256Hex(CanonicalJson.toBytes(bebop())), CanonicalJson.hash(bebop()));
        assertEquals("87981ccc6d79c34545e5cc4b1a618e7302c5d8d13a226c6bab72d2989c25d2c9", CanonicalJson.hash(bebop()));
        assertNotEquals(CanonicalJson.hash(bebop()), CanonicalJson.hash(bebop().toBuilder().set("kitsu", 2).build()));
        assertNotEquals(CanonicalJson.hash(bebop()),
                CanonicalJson.hash(bebop().toBuilder().set("kitsu", null).build()));
    }

    @Test
    void rejectsWhatIsNotAnEntry() {
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.parse("[]".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.parse("{\"anidb\":1}".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.parse("{\"title\":\"x\",\"anidb\":\"1\"}".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.parse("{\"title\":\"x\",\"data_hash\":\"a\"}".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.parse("{\"title\":\"x\",\"anidb\":1.5}".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.parse("{\"title\":\"x\",\"imdb\":\"unknown\"}".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.parse("{\"title\":\"x\",\"trakt_type\":\"tv\"}".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.parse("{\"title\":\"x\",\"anidb\":4294967296}".getBytes()));
    }

    @Test
    void mappingKeys() {
        AnimeEntry e = bebop().toBuilder().set("themoviedb", 4934).set("nautiljon", "cowboy+bebop").build();
        List<String> keys = MappingKeys.of(e);
        assertTrue(keys.containsAll(List.of("myanimelist/1", "anidb/23", "kaize_id/265", "kaize/cowboy-bebop",
                "nautiljon/cowboy+bebop", "themoviedb/movie/4934", "trakt/shows/30857",
                "trakt/shows/30857/seasons/1", "shikimori/1", "notify/Tk3ccKimg")), keys.toString());
        assertTrue(keys.stream().noneMatch(k -> k.startsWith("title") || k.startsWith("trakt_")), keys.toString());
        AnimeEntry movie = AnimeEntry.builder("M").set("trakt", 5).set("trakt_type", "movies").build();
        assertEquals(List.of("trakt/movies/5"), MappingKeys.of(movie));
    }
}
