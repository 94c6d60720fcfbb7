package moe.ids.replay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The synthetic upstream: layout, validators, the zstd frame, determinism and its refusal to overwrite. */
class SyntheticUpstreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void writesTheRecordedLayoutWithValidators() throws IOException {
        Path root = SyntheticUpstream.write(tmp.resolve("upstream"));

        assertTrue(Files.isRegularFile(root.resolve("README.md")), "locateUpstream needs README.md");
        assertTrue(SyntheticUpstream.isSynthetic(root));
        List<IndexRow> rows = IndexTsv.read(root.resolve("b/index.tsv"));
        assertThat(rows.stream().map(IndexRow::key).toList(), containsInAnyOrder(
                "HEAD " + SyntheticUpstream.AOD_URL, "GET " + SyntheticUpstream.AOD_URL,
                "GET " + SyntheticUpstream.ARM_URL, "GET " + SyntheticUpstream.TRAKT_TV_URL,
                "GET " + SyntheticUpstream.TRAKT_MOVIES_URL, "GET " + SyntheticUpstream.FRIBB_URL));
        for (IndexRow row : rows) {
            assertEquals(200, row.status(), row.key());
            byte[] body = Files.readAllBytes(row.file());
            assertThat(row.key(), row.header("ETag").orElseThrow(),
                       is("\"" + SyntheticUpstream.sha256(body) + "\""));
            assertThat(row.key(), row.header("Last-Modified").orElseThrow(), containsString("GMT"));
            assertTrue(row.file().startsWith(root.resolve("b")), row.key());
        }
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
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String rel = root.relativize(f).toString();
                if (!rel.equals("CHECKSUMS.sha256")) {
                    actual.put(rel, SyntheticUpstream.sha256(Files.readAllBytes(f)));
                }
            }
        }
        assertEquals(actual, listed);
    }

    @Test
    void bodiesHaveTheirUpstreamsFormats() throws IOException {
        Path root = SyntheticUpstream.write(tmp);
        JsonNode aod = JSON.readTree(unzstd(Files.readAllBytes(
                root.resolve("b/aod/anime-offline-database-minified.json.zst"))));
        assertThat(aod.path("data").get(0).path("title").asText(), is("Cowboy Bebop"));
        assertTrue(aod.path("data").get(0).path("sources").toString().contains("https://anidb.net/anime/23"));
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
    void isDeterministicAndRewritesItsOwnOutput() throws IOException {
        Path first = SyntheticUpstream.write(tmp.resolve("one"));
        Path second = SyntheticUpstream.write(tmp.resolve("two"));
        SyntheticUpstream.write(first);
        for (String f : List.of("b/index.tsv", "b/aod/anime-offline-database-minified.json.zst", "manifest.json",
                                "CHECKSUMS.sha256")) {
            assertArrayEquals(Files.readAllBytes(first.resolve(f)), Files.readAllBytes(second.resolve(f)), f);
        }
    }

    @Test
    void refusesAFolderHoldingSomethingElse() throws IOException {
        Files.writeString(tmp.resolve("README.md"), "# Recorded upstream\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SyntheticUpstream.write(tmp));
        assertThat(e.getMessage(), containsString("refusing"));
        assertFalse(SyntheticUpstream.isSynthetic(tmp));
        assertThat(Files.readString(tmp.resolve("README.md")), is("# Recorded upstream\n"));
    }

    @Test
    void zstdFrameOfRawBlocks() {
        byte[] big = new byte[300 * 1024 + 7];
        Arrays.fill(big, (byte) 'x');
        for (byte[] data : List.of(new byte[0], "{}".getBytes(StandardCharsets.UTF_8), big)) {
            byte[] frame = SyntheticUpstream.zstdFrame(data);
            assertArrayEquals(data, unzstd(frame));
        }
        assertEquals(3, Math.ceilDiv(big.length, 128 * 1024), "three blocks, the last one flagged");
    }

    /** Reads back a single-segment frame of raw blocks (the only kind the generator writes), checking its header. */
    private static byte[] unzstd(byte[] frame) {
        ByteBuffer in = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xFD2FB528, in.getInt(), "magic number");
        assertEquals(0xA0, in.get() & 0xFF, "frame header descriptor");
        int size = in.getInt();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean last = false;
        while (!last) {
            int header = (in.get() & 0xFF) | (in.get() & 0xFF) << 8 | (in.get() & 0xFF) << 16;
            last = (header & 1) == 1;
            assertEquals(0, (header >> 1) & 3, "raw block");
            int blockSize = header >>> 3;
            assertTrue(blockSize <= 128 * 1024);
            byte[] block = new byte[blockSize];
            in.get(block);
            out.writeBytes(block);
        }
        assertFalse(in.hasRemaining(), "nothing after the last block");
        assertEquals(size, out.size(), "frame content size");
        return out.toByteArray();
    }
}
