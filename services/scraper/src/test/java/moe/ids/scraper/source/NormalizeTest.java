package moe.ids.scraper.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import moe.ids.core.snapshot.Records;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Normalization rules on small real-shaped documents. */
class NormalizeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void idsInEveryUpstreamSpelling() throws Exception {
        assertEquals(List.of(1, 2, 3), Normalize.intList(JSON.readTree("\"1, 2,3\"")));
        assertEquals(List.of(4, 5), Normalize.intList(JSON.readTree("[4, \"5\", \"unknown\", 0, -1, \"\", null, 4]")));
        assertEquals(List.of(7), Normalize.intList(JSON.readTree("7")));
        assertEquals(List.of(), Normalize.intList(JSON.readTree("\"unknown\"")));
        assertNull(Normalize.positiveInt(JSON.readTree("\"javascript:;\"")));
        assertNull(Normalize.positiveInt(JSON.readTree("4294967296")));
        assertNull(Normalize.positiveInt(JSON.readTree("1.5")));
        assertEquals(2147483647, Normalize.positiveInt(JSON.readTree("\"2147483647\"")));
        assertEquals(List.of("tt0213338", "tt1"), List.of("tt0213338", "tt1").subList(0, 2));
        assertEquals(List.of("tt0213338", "tt12345678"),
                Normalize.imdbList(JSON.readTree("[\"tt0213338\", \"unknown\", \"nm000001\", \"tt12345678\", \"\"]")));
        assertEquals(List.of("tt0112159", "tt0213338"), Normalize.imdbList(JSON.readTree("\"tt0112159,tt0213338\"")));
    }

    @Test
    void fribbOldAndNewFormats() {
        List<Records.FribbEntry> r = new FribbSource().parse(bytes("""
                [{"anidb_id": 1, "themoviedb_id": {"tv": 26209}, "tvdb_id": 72025},
                 {"anidb_id": 11, "imdb_id": ["tt7941838"], "themoviedb_id": {"movie": [1390599, 1390600]}},
                 {"anidb_id": 23, "imdb_id": "tt0213338,tt0112159", "themoviedb_id": "unknown", "thetvdb_id": "76885"},
                 {"anidb_id": 24, "imdb_id": "unknown", "themoviedb_id": "4934,4935", "tvdb_id": ""},
                 {"anidb_id": "unknown", "imdb_id": ["tt1"]},
                 {"anidb_id": 25, "themoviedb_id": 8392}]"""));
        assertEquals(5, r.size(), "a row without a usable AniDB ID is dropped");
        assertEquals(new Records.FribbEntry(1, List.of(), List.of(), List.of(26209), 72025), r.get(0));
        assertEquals(new Records.FribbEntry(11, List.of("tt7941838"), List.of(1390599, 1390600), List.of(), null),
                r.get(1));
        assertEquals(new Records.FribbEntry(23, List.of("tt0213338", "tt0112159"), List.of(), List.of(), 76885),
                r.get(2));
        assertEquals(new Records.FribbEntry(24, List.of(), List.of(4934, 4935), List.of(), null), r.get(3));
        assertEquals(List.of(8392), r.get(4).themoviedbMovie(), "a plain TMDB value is a movie ID");
    }

    @Test
    void aodSourceUrlsForEveryPlatform() {
        AodSource.Ids ids = new AodSource.Ids();
        for (String u : List.of("https://anidb.net/anime/23", "https://anilist.co/anime/1",
                "https://www.animenewsnetwork.com/encyclopedia/anime.php?id=13", "https://anime-planet.com/anime/cowboy-bebop",
                "https://www.anisearch.com/anime/1572", "https://kitsu.io/anime/1", "https://livechart.me/anime/3418",
                "https://myanimelist.net/anime/1", "https://notify.moe/anime/Tk3ccKimg", "https://simkl.com/anime/37089",
                "https://example.com/anime/5")) {
            ids.add(u);
        }
        assertEquals(23, ids.anidb);
        assertEquals(1, ids.anilist);
        assertEquals(13, ids.ann);
        assertEquals("cowboy-bebop", ids.animeplanet);
        assertEquals(1572, ids.anisearch);
        assertEquals(1, ids.kitsu);
        assertEquals(3418, ids.livechart);
        assertEquals(1, ids.mal);
        assertEquals("Tk3ccKimg", ids.notify);
        assertEquals(37089, ids.simkl);

        AodSource.Ids app = new AodSource.Ids();
        app.add("https://kitsu.app/anime/47450");
        app.add("https://kitsu.app/anime/cowboy-bebop");
        app.add("https://myanimelist.net/anime/9");
        app.add("https://myanimelist.net/anime/5");
        assertEquals(47450, app.kitsu, "kitsu.app, numeric only");
        assertEquals(5, app.mal, "two IDs of one platform: the lowest wins");
    }

    @Test
    void aodSynonymsAreKeptWithoutTheTitleRepeatsOrBlanks() {
        byte[] json = bytes("""
                {"data": [{"title": "Shingeki no Kyojin", "type": "TV", "sources": ["https://myanimelist.net/anime/16498"],
                  "synonyms": ["Attack on Titan", "Shingeki no Kyojin", "", "Attack on Titan", "進撃の巨人"]},
                 {"title": "No Synonyms", "sources": []}]}""");
        List<Records.AodAnime> aod = new AodSource().parse(com.github.luben.zstd.Zstd.compress(json));
        assertEquals(List.of("Attack on Titan", "進撃の巨人"), aod.get(0).synonyms());
        assertEquals(List.of(), aod.get(1).synonyms());
    }

    @Test
    void aodRecordsStoredWithoutSynonymsReadBackWithNone() throws Exception {
        Records.AodAnime a = new ObjectMapper().readValue("{\"title\": \"X\", \"episodes\": 0}", Records.AodAnime.class);
        assertEquals(List.of(), a.synonyms());
    }

    @Test
    void silveryashaStringMalIds() {
        List<Records.SilveryashaEntry> r = new SilveryashaSource().parse(bytes("""
                {"draw": 0, "recordsTotal": 3, "recordsFiltered": 3, "data": [
                 {"id": 388, "mal_id": "40602", "title": "7 Seeds 2nd Season", "title_alt": null,
                  "type": "<img src=\\"x.png\\">", "episodes": "12"},
                 {"id": 389, "mal_id": "", "title": "No MAL"},
                 {"id": 390, "mal_id": null, "title": "Null MAL", "episodes": null}]}"""));
        assertEquals(new Records.SilveryashaEntry(388, 40602, "7 Seeds 2nd Season", null), r.get(0));
        assertNull(r.get(1).myanimelist());
        assertNull(r.get(2).myanimelist());
    }

    @Test
    void aniTraktSeasonAndType() {
        List<Records.TraktEntry> tv = AniTraktSource.tv().parse(bytes("""
                [{"title": "Cowboy Bebop", "mal_id": 1, "trakt_id": 30857, "guessed_slug": "cowboy-bebop",
                  "season": 1, "type": "shows"}]"""));
        assertEquals(new Records.TraktEntry(1, 30857, "shows", 1, "Cowboy Bebop", "cowboy-bebop"), tv.getFirst());
        List<Records.TraktEntry> movies = AniTraktSource.movies().parse(bytes("""
                [{"title": "Cowboy Bebop: Tengoku no Tobira", "mal_id": 5, "trakt_id": 6398,
                  "guessed_slug": "cowboy-bebop-the-movie", "type": "movies"}]"""));
        assertEquals(new Records.TraktEntry(5, 6398, "movies", null, "Cowboy Bebop: Tengoku no Tobira",
                "cowboy-bebop-the-movie"), movies.getFirst());
        InvalidSourceException ex = assertThrows(InvalidSourceException.class, () -> AniTraktSource.movies().parse(
                bytes("[{\"mal_id\": 1, \"trakt_id\": 2, \"type\": \"shows\"}]")));
        assertTrue(ex.getMessage().contains("expected movies"), ex.getMessage());
    }

    @Test
    void manualFilesInEveryValueShape() {
        List<Records.ManualEntry> kaize = ManualSource.kaize().parse(bytes("""
                {"Amagami": {"kaize": "amagami-ss", "kaize_id": 12}, "Two": [{"kaize": "two-a"}, {"kaize": "two-b"}],
                 "Bare": "bare-slug", "Empty": {"kaize": ""}}"""));
        assertEquals(List.of(new Records.ManualEntry("Amagami", "amagami-ss", 12),
                new Records.ManualEntry("Two", "two-a", null), new Records.ManualEntry("Bare", "bare-slug", null)), kaize);
        List<Records.ManualEntry> oo = ManualSource.otakotaku().parse(bytes("{\"Big Order\": [265], \"Ajin\": 202, \"X\": \"unknown\"}"));
        assertEquals(List.of(new Records.ManualEntry("Big Order", "265", 265), new Records.ManualEntry("Ajin", "202", 202)), oo);
    }

    @Test
    void malformedDocumentsNameTheCause() {
        InvalidSourceException json = assertThrows(InvalidSourceException.class, () -> new ArmSource().parse(bytes("[{\"mal_id\": 1,")));
        assertTrue(json.getMessage().startsWith("malformed JSON"), json.getMessage());
        InvalidSourceException html = assertThrows(InvalidSourceException.class, () -> new ArmSource().parse(bytes("<html>503</html>")));
        assertTrue(html.getMessage().startsWith("malformed JSON"), html.getMessage());
        InvalidSourceException shape = assertThrows(InvalidSourceException.class, () -> new ArmSource().parse(bytes("{\"a\": 1}")));
        assertTrue(shape.getMessage().contains("expected a JSON array"), shape.getMessage());
        InvalidSourceException zst = assertThrows(InvalidSourceException.class, () -> new AodSource().parse(bytes("not zstd")));
        assertTrue(zst.getMessage().startsWith("zstd decompression failed"), zst.getMessage());
        InvalidSourceException empty = assertThrows(InvalidSourceException.class, () -> new ArmSource().parse(new byte[0]));
        assertTrue(empty.getMessage().contains("empty") || empty.getMessage().contains("malformed"), empty.getMessage());
    }
}
