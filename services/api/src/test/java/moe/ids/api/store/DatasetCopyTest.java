package moe.ids.api.store;

import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.store.Meta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The copy of one version in files: what the dumps and one-to-many lookups read from it. */
class DatasetCopyTest {
    private static final Meta META = new Meta(7, 3, 1, 1, java.time.Instant.EPOCH, null, Map.of(), Map.of());

    @TempDir
    Path dir;

    private DatasetCopy.Sink sink() {
        return new DatasetCopy.Sink(dir.resolve("entries"), dir.resolve("keys"));
    }

    private static byte[] json(AnimeEntry e) {
        return CanonicalJson.toBytes(e);
    }

    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> titles(List<AnimeEntry> entries) {
        return entries.stream().map(AnimeEntry::title).toList();
    }

    @Test
    void aFieldHandedOverTwiceIsKeptOnce() {
        // HSCAN repeats fields while Redis rehashes a hash: an object dump must not name a key twice
        DatasetCopy.Sink sink = sink();
        byte[] a = json(AnimeEntry.builder("A").set("myanimelist", 1).build());
        sink.entry(5, a);
        sink.entry(5, a);
        sink.mapping(key("myanimelist/1"), 5);
        sink.mapping(key("myanimelist/1"), 5);
        DatasetCopy copy = sink.finish(META);

        assertEquals(1, copy.entryCount());
        assertEquals(List.of(Map.entry("1", 5L)), copy.keysUnder("myanimelist/", Comparator.naturalOrder()));
    }

    @Test
    void keysUnderAPrefixAreThatPlatformsOnlyInTheGivenOrder() {
        DatasetCopy.Sink sink = sink();
        sink.mapping(key("myanimelist/10"), 1);
        sink.mapping(key("themoviedb/movie/4"), 2);
        sink.mapping(key("myanimelist/9"), 2);
        sink.mapping(key("myanimelist2/3"), 3);
        sink.mapping(key("themoviedb/8"), 3);
        DatasetCopy copy = sink.finish(META);

        assertEquals(List.of(Map.entry("9", 2L), Map.entry("10", 1L)),
                copy.keysUnder("myanimelist/", Comparator.comparingLong(Long::parseLong)));
        assertEquals(List.of(Map.entry("4", 2L)), copy.keysUnder("themoviedb/movie/", Comparator.naturalOrder()));
    }

    @Test
    void entriesAreReadInInternalIdOrderWhateverOrderTheyCameIn() {
        DatasetCopy.Sink sink = sink();
        for (long id : new long[] {30, 10, 20}) {
            sink.entry(id, json(AnimeEntry.builder("T" + id).build()));
        }
        DatasetCopy copy = sink.finish(META);

        List<Long> order = new ArrayList<>();
        for (int i = 0; i < copy.entryCount(); i++) {
            order.add(copy.id(i));
        }
        assertEquals(List.of(10L, 20L, 30L), order);
        assertArrayEquals(json(AnimeEntry.builder("T20").build()), copy.entry(20));
        assertNull(copy.entry(15));
    }

    @Test
    void oneToManyLookupsFindEveryEntryOfAnIdInInternalIdOrder() {
        DatasetCopy.Sink sink = sink();
        sink.entry(3, json(AnimeEntry.builder("C").set("imdb", "tt1").set("themoviedb", 40).set("thetvdb", 7)
                .build()));
        sink.entry(1, json(AnimeEntry.builder("A").set("imdb", "tt1").set("themoviedb_tv", 40).set("themoviedb", 99)
                .set("thetvdb", 7).build()));
        sink.entry(2, json(AnimeEntry.builder("B").set("imdb", "tt10").set("themoviedb", 41).build()));
        DatasetCopy copy = sink.finish(META);

        assertEquals(List.of("A", "C"), titles(copy.byImdb("tt1")));
        assertEquals(List.of("B"), titles(copy.byImdb("tt10")));
        assertEquals(List.of(), titles(copy.byImdb("tt2")));
        // the TV ID when an entry has one, else the movie ID: A is found by 40 (its TV ID), not by 99
        assertEquals(List.of("A", "C"), titles(copy.byThemoviedb(40)));
        assertEquals(List.of(), titles(copy.byThemoviedb(99)));
        assertEquals(List.of("A", "C"), titles(copy.byThetvdb(7)));
        assertEquals(List.of(), titles(copy.byThetvdb(8)));
    }

    @Test
    void aLaterAttemptWritesTheFilesAfreshAndClosingDeletesThem() {
        // the version moved during the first attempt: what it read must not show in the copy of the second
        DatasetCopy.Sink first = sink();
        first.entry(1, json(AnimeEntry.builder("Old").set("imdb", "tt9").build()));
        first.mapping(key("myanimelist/1"), 1);
        first.abandon();
        DatasetCopy.Sink second = sink();
        second.entry(2, json(AnimeEntry.builder("New").build()));
        second.mapping(key("myanimelist/2"), 2);
        DatasetCopy copy = second.finish(META);

        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < copy.entryCount(); i++) {
            ids.add(copy.id(i));
        }
        assertEquals(List.of(2L), ids);
        assertEquals(List.of(Map.entry("2", 2L)), copy.keysUnder("myanimelist/", Comparator.naturalOrder()));
        assertEquals(List.of(), copy.byImdb("tt9"));
        copy.close();
        assertFalse(Files.exists(dir.resolve("entries")));
        assertFalse(Files.exists(dir.resolve("keys")));
    }
}
