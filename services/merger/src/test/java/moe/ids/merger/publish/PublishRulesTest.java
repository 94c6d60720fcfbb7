package moe.ids.merger.publish;

import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Identity, shared-key resolution and diff rules. */
class PublishRulesTest {
    private static AnimeEntry e(String title, Integer mal, Integer anidb) {
        return AnimeEntry.builder(title).set("myanimelist", mal).set("anidb", anidb).build();
    }

    @Test
    void anAnimeKeepsItsIdWhileAStrongIdSurvives() {
        Map<String, Long> identity = Map.of("myanimelist/1", 10L, "anidb/23", 10L, "myanimelist/2", 11L);
        long[] ids = IdentityResolver.assign(List.of(
                e("Bebop renamed", 999, 23),   // MAL changed, AniDB survived → 10
                e("New", 5, null),             // unknown → new
                e("Two", 2, null)), identity);  // → 11
        assertArrayEquals(new long[] {10, -1, 11}, ids);
    }

    @Test
    void twoAnimeNeverShareAnId() {
        Map<String, Long> identity = Map.of("myanimelist/1", 10L, "anidb/23", 10L, "anilist/1", 10L);
        long[] ids = IdentityResolver.assign(List.of(e("Split A", 1, null), e("Split B", null, 23)
                .toBuilder().set("anilist", 1).build()), identity);
        assertEquals(10, ids[1], "two votes beat one");
        assertEquals(-1, ids[0]);
    }

    @Test
    void traktShowKeyGoesToSeasonOneThenLowestSeason() {
        AnimeEntry s2 = AnimeEntry.builder("S2").set("trakt", 1420).set("trakt_type", "shows").set("trakt_season", 2).build();
        AnimeEntry s1 = AnimeEntry.builder("S1").set("trakt", 1420).set("trakt_type", "shows").set("trakt_season", 1).build();
        AnimeEntry s3 = AnimeEntry.builder("S3").set("trakt", 77).set("trakt_type", "shows").set("trakt_season", 3).build();
        AnimeEntry s4 = AnimeEntry.builder("S4").set("trakt", 77).set("trakt_type", "shows").set("trakt_season", 4).build();
        Map<String, Long> m = Differ.mapping(new long[] {1, 2, 3, 4}, List.of(s2, s1, s4, s3));
        assertEquals(2L, m.get("trakt/shows/1420"));
        assertEquals(1L, m.get("trakt/shows/1420/seasons/2"));
        assertEquals(2L, m.get("trakt/shows/1420/seasons/1"));
        assertEquals(4L, m.get("trakt/shows/77"), "no season 1: the lowest season");
    }

    @Test
    void sharedKeysGoToTheLowestInternalId() {
        AnimeEntry a = AnimeEntry.builder("A").set("imdb", "tt1").set("annict", 5).build();
        AnimeEntry b = AnimeEntry.builder("B").set("imdb", "tt1").set("annict", 5).build();
        Map<String, Long> m = Differ.mapping(new long[] {9, 4}, List.of(a, b));
        assertEquals(4L, m.get("imdb/tt1"));
        assertEquals(4L, m.get("annict/5"));
    }

    @Test
    void diffDeletesStaleKeysAndMovesKeys() {
        AnimeEntry a = e("A", 1, 23);
        AnimeEntry b = e("B", 2, null);
        long[] ids = {10, 11};
        List<AnimeEntry> entries = List.of(a, b);
        String[] hashes = {CanonicalJson.hash(a), CanonicalJson.hash(b)};
        Map<String, Long> mapping = Differ.mapping(ids, entries);
        // Published: A had MAL 1 and AniDB 24; anidb/23 belonged to C (id 12), which is gone.
        Map<Long, String> published = Map.of(10L, "old", 11L, CanonicalJson.hash(b), 12L, "c");
        Map<String, Long> publishedMapping = Map.of("myanimelist/1", 10L, "shikimori/1", 10L, "anidb/24", 10L,
                "anidb/23", 12L, "myanimelist/2", 11L);
        ChangeSet cs = Differ.diff(5, 4, Instant.EPOCH, published, publishedMapping, ids, entries, hashes, mapping);
        assertEquals(List.of(10L), cs.upsert().stream().map(ChangeSet.Upsert::id).toList());
        assertEquals(List.of(12L), cs.delete());
        assertEquals(Map.of("anidb/23", 10L), cs.mapSet(), "moved key");
        assertEquals(List.of("anidb/24", "shikimori/1"), cs.mapDel(), "stale keys never survive");
        assertTrue(Differ.diff(6, 5, Instant.EPOCH, Map.of(10L, hashes[0], 11L, hashes[1]), mapping, ids, entries,
                hashes, mapping).isEmpty());
    }
}
