package moe.ids.core.changeset;

import moe.ids.core.entry.AnimeEntry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeSetCodecTest {
    private static final Instant T = Instant.parse("2026-11-27T05:00:00.123Z");

    @Test
    void emptySetRoundTrips() {
        ChangeSet cs = new ChangeSet(1, 0, T, List.of(), List.of(), Map.of(), List.of());
        assertTrue(cs.isEmpty());
        assertEquals(cs, ChangeSetCodec.fromJson(ChangeSetCodec.toJson(cs)));
        assertEquals(cs, ChangeSetCodec.fromCompressed(ChangeSetCodec.toCompressed(cs)));
        assertEquals("{\"format\":1,\"version\":1,\"base\":0,\"created_at\":\"2026-11-27T05:00:00.123Z\","
                        + "\"upsert\":[],\"delete\":[],\"map_set\":{},\"map_del\":[]}",
                new String(ChangeSetCodec.toJson(cs), StandardCharsets.UTF_8));
    }

    @Test
    void smallSetRoundTripsWithOrder() {
        Map<String, Long> set = new LinkedHashMap<>();
        set.put("myanimelist/1", 7L);
        set.put("trakt/shows/30857/seasons/1", 7L);
        set.put("nautiljon/cowboy+bebop", 7L);
        ChangeSet cs = new ChangeSet(12, 11, T,
                List.of(new ChangeSet.Upsert(7, AnimeEntry.builder("Cowboy Bebop \u2606").set("myanimelist", 1).build())),
                List.of(3L, 9_000_000_000L), set, List.of("anidb/99", "kaize_id/5"));
        ChangeSet back = ChangeSetCodec.fromCompressed(ChangeSetCodec.toCompressed(cs));
        assertEquals(cs, back);
        assertEquals(List.copyOf(set.keySet()), List.copyOf(back.mapSet().keySet()));
    }

    @Test
    void hundredThousandEntriesRoundTrip() {
        List<ChangeSet.Upsert> ups = new ArrayList<>();
        Map<String, Long> set = new LinkedHashMap<>();
        List<String> del = new ArrayList<>();
        for (int i = 1; i <= 100_000; i++) {
            ups.add(new ChangeSet.Upsert(i, AnimeEntry.builder("Anime " + i).set("myanimelist", i).set("anidb", i + 1)
                    .set("animeplanet", "slug-" + i).set("trakt", i).set("trakt_type", "shows").set("trakt_season", 1)
                    .build()));
            set.put("myanimelist/" + i, (long) i);
            del.add("anidb/" + (i + 200_000));
        }
        ChangeSet cs = new ChangeSet(3, 2, T, ups, List.of(), set, del);
        byte[] gz = ChangeSetCodec.toCompressed(cs);
        ChangeSet back = ChangeSetCodec.fromCompressed(gz);
        assertEquals(cs, back);
        assertEquals(100_000, back.upsert().size());
        assertTrue(gz.length < ChangeSetCodec.toJson(cs).length / 4, "compressed " + gz.length);
    }

    @Test
    void malformedInputIsRejectedWithAReason() {
        assertThrows(IllegalArgumentException.class, () -> ChangeSetCodec.fromJson("{}".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> ChangeSetCodec.fromJson("not json".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> ChangeSetCodec.fromCompressed("plain".getBytes()));
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> ChangeSetCodec.fromJson(
                ("{\"format\":1,\"version\":2,\"base\":1,\"created_at\":\"2026-01-01T00:00:00Z\",\"upsert\":"
                        + "[{\"id\":1,\"entry\":{\"title\":\"x\",\"myanimelist\":\"one\"}}]}").getBytes()));
        assertTrue(ex.getMessage().contains("myanimelist"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChangeSetCodec.fromJson(
                "{\"format\":2,\"version\":2,\"base\":1,\"created_at\":\"2026-01-01T00:00:00Z\"}".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> new ChangeSet(1, 1, T, List.of(), List.of(), Map.of(),
                List.of()));
    }
}
