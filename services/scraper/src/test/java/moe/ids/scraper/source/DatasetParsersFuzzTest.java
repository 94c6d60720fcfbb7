package moe.ids.scraper.source;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.github.luben.zstd.Zstd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import moe.ids.core.snapshot.Records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the parse step of every source ({@link Source#parse}): the nine dataset files, and the read-back of the
 * three web sources' stored records. The first line of an input names the source ({@code arm}, {@code fribb}, …;
 * {@code aod} gets the rest zstd-compressed first, {@code aod-zstd} gets it as it is); an unknown name picks a
 * source by its hash, so every input reaches one. The documented contract: content of the wrong shape fails with
 * {@link InvalidSourceException} only, anything else (a NumberFormatException, an index or cast error, a
 * StackOverflowError, an OutOfMemoryError) is a finding. Parsed records must hold what their normalisation
 * promises: positive IDs, no blank titles, IMDb IDs of the form {@code tt} + digits.
 */
class DatasetParsersFuzzTest {
    private static final List<Source> SOURCES = Sources.all();
    private static final Pattern IMDB = Pattern.compile("tt\\d{5,10}");

    @FuzzTest(maxDuration = "5m")
    void parse(byte[] data) {
        int nl = indexOf(data, (byte) '\n');
        String name = new String(data, 0, Math.max(nl, 0), StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOfRange(data, nl + 1, data.length);
        Source source = source(name.equals("aod-zstd") ? "aod" : name);
        byte[] raw = source.name().equals("aod") && !name.equals("aod-zstd") ? Zstd.compress(body) : body;
        List<?> records;
        try {
            records = source.parse(raw);
        } catch (InvalidSourceException documented) {
            return;
        }
        assertNotNull(records);
        for (Object r : records) {
            assertEquals(source.recordType(), r.getClass(), source.name());
            check(source.name(), r);
        }
    }

    private static void check(String source, Object record) {
        switch (record) {
            case Records.AodAnime a -> {
                notBlank(a.title());
                positive(a.year(), a.anidb(), a.anilist(), a.animenewsnetwork(), a.anisearch(), a.kitsu(),
                        a.livechart(), a.myanimelist(), a.simkl());
                assertTrue(a.animeplanet() == null || !a.animeplanet().isEmpty() && !a.animeplanet().contains("/"));
                assertTrue(a.notifyMoe() == null || !a.notifyMoe().isEmpty() && !a.notifyMoe().contains("/"));
            }
            case Records.ArmEntry a -> {
                assertFalse(a.myanimelist() == null && a.anilist() == null && a.annict() == null
                        && a.shoboi() == null, "a row with no ID is dropped");
                positive(a.myanimelist(), a.anilist(), a.annict(), a.shoboi());
            }
            case Records.TraktEntry t -> {
                positive(t.myanimelist(), t.trakt());
                assertEquals(source.equals("anitrakt-tv") ? "shows" : "movies", t.type());
                assertTrue(t.season() == null || t.season() >= 0 && t.type().equals("shows"));
            }
            case Records.SilveryashaEntry s -> {
                positive(s.id(), s.myanimelist());
                notBlank(s.title());
            }
            case Records.FribbEntry f -> {
                positive(f.anidb(), f.thetvdb());
                f.imdb().forEach(id -> assertTrue(IMDB.matcher(id).matches(), id));
                f.themoviedbMovie().forEach(DatasetParsersFuzzTest::positive);
                f.themoviedbTv().forEach(DatasetParsersFuzzTest::positive);
                assertEquals(f.imdb().size(), new HashSet<>(f.imdb()).size(), "IMDb IDs without duplicates");
                assertEquals(f.themoviedbMovie().size(), Set.copyOf(f.themoviedbMovie()).size());
            }
            case Records.ManualEntry m -> {
                assertFalse(m.title().isEmpty());
                assertEquals(m.title(), m.title().strip());
                notBlank(m.id());
                positive(m.numericId());
            }
            default -> {
                // the web sources' records read back as they were stored: any values
            }
        }
    }

    private static Source source(String name) {
        for (Source s : SOURCES) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return SOURCES.get(Math.floorMod(name.hashCode(), SOURCES.size()));
    }

    private static void positive(Integer... values) {
        for (Integer v : values) {
            assertTrue(v == null || v > 0, () -> "not positive: " + v);
        }
    }

    private static void notBlank(String s) {
        assertNotNull(s);
        assertFalse(s.isBlank());
        assertEquals(s, s.strip());
    }

    private static int indexOf(byte[] data, byte b) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
