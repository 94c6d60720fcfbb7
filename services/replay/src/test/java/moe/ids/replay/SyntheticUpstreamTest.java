package moe.ids.replay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The synthetic upstream: the files shipped are what {@link SyntheticUpstreamGenerator} writes from its description,
 * their layout, validators and formats, and the copy's refusal to overwrite anything else.
 */
class SyntheticUpstreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DESCRIPTION = Path.of(SyntheticUpstreamGenerator.DESCRIPTION);
    private static final String AOD = SyntheticUpstreamGenerator.AOD_FILE;

    @TempDir
    Path tmp;

    @Test
    void shipsWhatTheGeneratorWrites() throws IOException {
        Path root = SyntheticUpstream.write(tmp);
        Map<String, byte[]> written = files(root);
        assertSameFiles(generate(Files.readAllBytes(root.resolve(AOD))), written,
                   "differs from what SyntheticUpstreamGenerator writes: regenerate (see its javadoc)");
        // the files copied out are those of the source tree (not a stale copy on the classpath)
        assertSameFiles(files(Path.of(SyntheticUpstreamGenerator.OUTPUT)), written, "differs from the source tree");
    }

    @Test
    void compressingAnewHoldsTheSameContent() throws IOException {
        Path root = SyntheticUpstream.write(tmp);
        byte[] fresh = generate(null).get(AOD);
        assertArrayEquals(Zstd.decompress(fresh), Zstd.decompress(Files.readAllBytes(root.resolve(AOD))),
                          "the anime-offline-database differs from its description: regenerate");
        // a frame holding other content is not kept
        byte[] other = Zstd.compress("{}".getBytes(StandardCharsets.UTF_8));
        assertFalse(Arrays.equals(other, generate(other).get(AOD)));
    }

    @Test
    void writesTheRecordedLayoutWithValidators() throws IOException {
        Path root = SyntheticUpstream.write(tmp.resolve("upstream"));

        assertTrue(Files.isRegularFile(root.resolve("README.md")), "locateUpstream needs README.md");
        assertTrue(SyntheticUpstream.isSynthetic(root));
        List<IndexRow> rows = IndexTsv.read(root.resolve("b/index.tsv"));
        assertThat(rows.stream().map(IndexRow::key).toList(), containsInAnyOrder(
                "HEAD " + SyntheticUpstreamGenerator.AOD_URL, "GET " + SyntheticUpstreamGenerator.AOD_URL,
                "GET " + SyntheticUpstreamGenerator.ARM_URL, "GET " + SyntheticUpstreamGenerator.TRAKT_TV_URL,
                "GET " + SyntheticUpstreamGenerator.TRAKT_MOVIES_URL, "GET " + SyntheticUpstreamGenerator.FRIBB_URL));
        for (IndexRow row : rows) {
            assertEquals(200, row.status(), row.key());
            byte[] body = Files.readAllBytes(row.file());
            assertThat(row.key(), row.header("ETag").orElseThrow(),
                       is("\"" + SyntheticUpstream.sha256(body) + "\""));
            assertThat(row.key(), row.header("Last-Modified").orElseThrow(), containsString("GMT"));
            assertTrue(row.file().startsWith(root.resolve("b")), row.key());
        }
        List<IndexRow> faults = IndexTsv.read(root.resolve("faults/index.tsv"));
        assertThat(faults.getFirst().header("X-Fixture-Fault").orElseThrow(),
                   is(SyntheticUpstream.FRIBB_EMPTY_FAULT));
        JsonNode manifest = JSON.readTree(root.resolve("manifest.json").toFile());
        assertEquals(rows.size(), manifest.path("index_rows").path("b").asInt());
        assertEquals(SyntheticUpstream.SOURCES, JSON.convertValue(manifest.get("scraper_sources"), List.class));
        assertEquals(23, SyntheticUpstream.expectedLookups(root).get("myanimelist/1").get("anidb").asInt());
        // every file but the checksum list itself is listed with its SHA-256, as in the recorded upstream
        Map<String, String> listed = new TreeMap<>();
        for (String line : Files.readAllLines(root.resolve("CHECKSUMS.sha256"))) {
            listed.put(line.substring(66), line.substring(0, 64));
        }
        Map<String, String> actual = new TreeMap<>();
        files(root).forEach((rel, bytes) -> {
            if (!rel.equals("CHECKSUMS.sha256")) {
                actual.put(rel, SyntheticUpstream.sha256(bytes));
            }
        });
        assertEquals(actual, listed);
        // the README written out names no place outside the repository
        assertThat(Files.readString(root.resolve("README.md")), not(containsString("shared/")));
    }

    @Test
    void bodiesHaveTheirUpstreamsFormats() throws IOException {
        Path root = SyntheticUpstream.write(tmp);
        JsonNode aod = JSON.readTree(Zstd.decompress(Files.readAllBytes(root.resolve(AOD))));
        assertThat(aod.path("data").get(0).path("title").asText(), is("Cowboy Bebop"));
        assertTrue(aod.path("data").get(0).path("sources").toString().contains("https://anidb.net/anime/23"));
        assertThat(aod.path("data").get(5).toString(), is("{\"sources\":[\"https://anidb.net/anime/90051\"],"
                + "\"title\":\"Ids Moe Fixture OVA\",\"type\":\"OVA\",\"episodes\":1,\"status\":\"FINISHED\","
                + "\"animeSeason\":{\"season\":\"UNDEFINED\"},\"picture\":\"\",\"thumbnail\":\"\",\"synonyms\":[],"
                + "\"studios\":[],\"producers\":[],\"relatedAnime\":[],\"tags\":[]}"));
        String arm = Files.readString(root.resolve("b/arm/arm.json"));
        assertThat(arm, startsWith("[\n  {\n    \"mal_id\": 1,\n    \"anilist_id\": 1,"));
        assertTrue(arm.endsWith("\n  }\n]\n"));
        String fribb = Files.readString(root.resolve("b/fribb/anime-lists-reduced.json"));
        assertThat(fribb, startsWith("[ {\n  \"anidb_id\" : 23,\n  \"themoviedb_id\" : {\n    \"tv\" : 90003\n  },"));
        assertTrue(fribb.contains("\"imdb_id\" : [ \"tt9001101\" ]"), fribb);
        JsonNode tv = JSON.readTree(root.resolve("b/anitrakt/tv.json").toFile());
        assertThat(tv.get(0).toString(), is("{\"title\":\"Cowboy Bebop\",\"mal_id\":1,\"trakt_id\":30857,"
                + "\"guessed_slug\":\"cowboy-bebop\",\"season\":1,\"type\":\"shows\"}"));
    }

    @Test
    void rewritesItsOwnOutput() throws IOException {
        Path first = SyntheticUpstream.write(tmp.resolve("one"));
        Files.writeString(first.resolve("b/arm/arm.json"), "[]\n");
        SyntheticUpstream.write(first);
        Path second = SyntheticUpstream.write(tmp.resolve("two"));
        assertSameFiles(files(second), files(first), "differs after a rewrite");
    }

    @Test
    void refusesAFolderHoldingSomethingElse() throws IOException {
        Files.writeString(tmp.resolve("README.md"), "# Recorded upstream\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SyntheticUpstream.write(tmp));
        assertThat(e.getMessage(), containsString("refusing"));
        assertFalse(SyntheticUpstream.isSynthetic(tmp));
        assertThat(Files.readString(tmp.resolve("README.md")), is("# Recorded upstream\n"));
    }

    /** What the generator writes from the description in the source tree (the working folder is the module). */
    private static Map<String, byte[]> generate(byte[] previousAod) throws IOException {
        return SyntheticUpstreamGenerator.files(Files.readString(DESCRIPTION.resolve("upstream.jsonc")),
                Files.readString(DESCRIPTION.resolve("README.md")), previousAod);
    }

    /** Asserts the same paths with the same bytes (text files shown as text when they differ, for a readable diff). */
    private static void assertSameFiles(Map<String, byte[]> expected, Map<String, byte[]> actual, String message) {
        assertEquals(expected.keySet(), actual.keySet(), message);
        List<String> paths = new ArrayList<>(expected.keySet());
        paths.remove(SyntheticUpstream.CHECKSUMS); // last: another file differing is the news
        paths.add(SyntheticUpstream.CHECKSUMS);
        for (String path : paths) {
            byte[] bytes = expected.get(path);
            if (!Arrays.equals(bytes, actual.get(path)) && !path.endsWith(".zst")) {
                assertEquals(new String(bytes, StandardCharsets.UTF_8),
                             new String(actual.get(path), StandardCharsets.UTF_8), path + " " + message);
                assertArrayEquals(bytes, actual.get(path), path + " " + message);
            }
        }
    }

    private static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
            }
        }
        return out;
    }
}
