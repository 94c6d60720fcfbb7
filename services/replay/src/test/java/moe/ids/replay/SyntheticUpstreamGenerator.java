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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;

/**
 * Writes the files of the synthetic upstream that {@link SyntheticUpstream} ships and copies out
 * ({@value #OUTPUT}) from its description ({@value #DESCRIPTION}: {@code upstream.jsonc}, the data, and
 * {@code README.md}, copied as it is). The description holds the entries; this class knows each source's URL and
 * the format of its file upstream: the anime-offline-database minified and compressed with zstd, ARM and AniTrakt
 * as Python's {@code json.dump(rows, f, indent=2)} writes them, Fribb's file with Jackson's default pretty printer.
 * It adds {@code index.tsv} (with {@code ETag} and {@code Last-Modified} on every row), {@code manifest.json} and
 * {@code CHECKSUMS.sha256}.
 * <p>
 * Run it after changing the description, from the repository root (one line; {@code docs/upstream-snapshots.md}):
 * <pre>{@code
 * mvn -B -q -pl services/replay test-compile dependency:build-classpath -Dmdep.includeScope=test
 *   -Dmdep.outputFile=target/test.classpath && java -cp "services/replay/target/test-classes:
 *   services/replay/target/classes:$(cat services/replay/target/test.classpath)"
 *   moe.ids.replay.SyntheticUpstreamGenerator
 * }</pre>
 * The zstd frame already committed is kept when it decompresses to the same JSON, so that regenerating changes no
 * bytes unless the data did (another zstd-jni version may compress differently). {@code SyntheticUpstreamTest}
 * fails while the committed files differ from what this class writes.
 */
public final class SyntheticUpstreamGenerator {

    /** The description, relative to the replay module. */
    static final String DESCRIPTION = "src/test/resources/moe/ids/replay/synthetic-upstream";
    /** The generated files, relative to the replay module; {@link SyntheticUpstream} copies them out. */
    static final String OUTPUT = "src/main/resources/moe/ids/replay/" + SyntheticUpstream.RESOURCES;

    static final String AOD_URL = "https://github.com/manami-project/anime-offline-database/releases/download/"
            + "latest/anime-offline-database-minified.json.zst";
    static final String ARM_URL = "https://raw.githubusercontent.com/kawaiioverflow/arm/master/arm.json";
    static final String TRAKT_TV_URL = "https://raw.githubusercontent.com/rensetsu/db.trakt.anitrakt/main/db/tv.json";
    static final String TRAKT_MOVIES_URL =
            "https://raw.githubusercontent.com/rensetsu/db.trakt.anitrakt/main/db/movies.json";
    static final String FRIBB_URL =
            "https://raw.githubusercontent.com/Fribb/anime-lists/master/anime-lists-reduced.json";
    /** Where the anime-offline-database's body lies in the upstream. */
    static final String AOD_FILE = "b/aod/anime-offline-database-minified.json.zst";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper DESCRIPTION_READER =
            JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();
    private static final String GITHUB_RAW_TYPE = "text/plain; charset=utf-8";
    private static final int ZSTD_LEVEL = 19;
    /** Fields every anime-offline-database entry has and the description leaves out (all empty here). */
    private static final List<String> AOD_EMPTY_TEXT = List.of("picture", "thumbnail");
    private static final List<String> AOD_EMPTY_LISTS = List.of("synonyms", "studios", "producers", "relatedAnime",
            "tags");

    private SyntheticUpstreamGenerator() {
    }

    /**
     * Regenerates the files: reads the description and rewrites {@value #OUTPUT}, deleting files no longer
     * generated.
     *
     * @param args {@code [MODULE_DIR]}, the replay module; by default {@code services/replay} when the working
     *             folder is the repository root, else the working folder
     * @throws IOException when a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        Path module = args.length > 0 ? Path.of(args[0])
                : Files.isDirectory(Path.of("services/replay")) ? Path.of("services/replay") : Path.of(".");
        Path description = module.resolve(DESCRIPTION);
        Path output = module.resolve(OUTPUT);
        Path aod = output.resolve(AOD_FILE);
        Map<String, byte[]> files = files(Files.readString(description.resolve("upstream.jsonc")),
                Files.readString(description.resolve("README.md")),
                Files.isRegularFile(aod) ? Files.readAllBytes(aod) : null);
        if (Files.isDirectory(output)) {
            try (Stream<Path> existing = Files.walk(output)) {
                for (Path f : existing.filter(Files::isRegularFile).toList()) {
                    if (!files.containsKey(output.relativize(f).toString().replace('\\', '/'))) {
                        Files.delete(f);
                    }
                }
            }
        }
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path target = output.resolve(f.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, f.getValue());
        }
        System.out.println("wrote " + files.size() + " files to " + output.toAbsolutePath().normalize());
    }

    /**
     * The files of the synthetic upstream.
     *
     * @param description {@code upstream.jsonc}
     * @param readme      {@code README.md}
     * @param previousAod the zstd frame written before, kept when it holds the same JSON; null to compress anew
     * @return path relative to the upstream folder → content, {@code CHECKSUMS.sha256} included
     * @throws JsonProcessingException when the description is not valid
     */
    static Map<String, byte[]> files(String description, String readme, byte[] previousAod)
            throws JsonProcessingException {
        JsonNode d = DESCRIPTION_READER.readTree(description);
        String lastModified = d.required("last_modified").asText();
        Map<String, byte[]> files = new TreeMap<>();
        List<String> index = new ArrayList<>();
        index.add(IndexTsv.HEADER);

        byte[] aodJson = aodJson(d.required("aod"));
        byte[] aod = sameContent(previousAod, aodJson) ? previousAod : Zstd.compress(aodJson, ZSTD_LEVEL);
        files.put(AOD_FILE, aod);
        String aodHeaders = validators(aod, lastModified)
                + " | Content-Disposition: attachment; filename=anime-offline-database-minified.json.zst";
        for (String method : List.of("HEAD", "GET")) {
            index.add(String.join("\t", method, AOD_URL, "200", "application/octet-stream",
                    AOD_FILE.substring(2), aodHeaders));
        }
        githubRaw(files, index, ARM_URL, "arm/arm.json", pythonIndent(d.required("arm"), true), lastModified);
        githubRaw(files, index, TRAKT_TV_URL, "anitrakt/tv.json", pythonIndent(d.required("anitrakt-tv"), false),
                lastModified);
        githubRaw(files, index, TRAKT_MOVIES_URL, "anitrakt/movies.json",
                pythonIndent(d.required("anitrakt-movies"), false), lastModified);
        githubRaw(files, index, FRIBB_URL, "fribb/anime-lists-reduced.json", jacksonPretty(d.required("fribb")),
                lastModified);
        files.put("b/index.tsv", utf8(String.join("\n", index) + "\n"));

        // One fault, named as in the recorded upstream: Fribb answers an empty array (below the count floor).
        byte[] empty = utf8("[]\n");
        files.put("faults/fribb/anime-lists-reduced.json", empty);
        files.put("faults/index.tsv", utf8(IndexTsv.HEADER + "\n" + String.join("\t", "GET", FRIBB_URL, "200",
                GITHUB_RAW_TYPE, "fribb/anime-lists-reduced.json", validators(empty, lastModified)
                        + " | X-Fixture-Fault: " + SyntheticUpstream.FRIBB_EMPTY_FAULT) + "\n"));
        files.put("manifest.json", manifest(d, index.size() - 1));
        files.put("README.md", utf8(readme));
        StringBuilder checksums = new StringBuilder();
        files.forEach((path, bytes) -> checksums.append(SyntheticUpstream.sha256(bytes)).append("  ").append(path)
                .append('\n'));
        files.put(SyntheticUpstream.CHECKSUMS, utf8(checksums.toString()));
        return files;
    }

    private static boolean sameContent(byte[] frame, byte[] content) {
        if (frame == null) {
            return false;
        }
        try {
            return Arrays.equals(Zstd.decompress(frame), content);
        } catch (ZstdException e) {
            return false;
        }
    }

    /** The anime-offline-database: the description's document, each entry completed with its empty fields. */
    private static byte[] aodJson(JsonNode aod) throws JsonProcessingException {
        ObjectNode root = aod.deepCopy();
        for (JsonNode entry : root.required("data")) {
            ObjectNode e = (ObjectNode) entry;
            AOD_EMPTY_TEXT.forEach(f -> e.put(f, ""));
            AOD_EMPTY_LISTS.forEach(e::putArray);
        }
        return JSON.writeValueAsBytes(root);
    }

    /** Fribb's file as upstream writes it: Jackson's default pretty printer ({@code [ {}, {} ]}, "key" : value). */
    private static byte[] jacksonPretty(JsonNode rows) throws JsonProcessingException {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
        return JSON.writer(printer).writeValueAsBytes(rows);
    }

    /** The JSON that Python's {@code json.dump(rows, f, indent=2)} writes (ARM, AniTrakt): flat rows only. */
    private static byte[] pythonIndent(JsonNode rows, boolean trailingNewline) throws JsonProcessingException {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < rows.size(); i++) {
            s.append(i == 0 ? "\n" : ",\n").append("  {");
            int j = 0;
            for (Map.Entry<String, JsonNode> field : rows.get(i).properties()) {
                if (field.getValue().isContainerNode()) {
                    throw new IllegalArgumentException("nested value in a flat row: " + field.getKey());
                }
                s.append(j++ == 0 ? "\n" : ",\n").append("    ").append(JSON.writeValueAsString(field.getKey()))
                        .append(": ").append(JSON.writeValueAsString(field.getValue()));
            }
            s.append("\n  }");
        }
        s.append("\n]");
        if (trailingNewline) {
            s.append('\n');
        }
        return utf8(s.toString());
    }

    private static void githubRaw(Map<String, byte[]> files, List<String> index, String url, String file,
                                  byte[] body, String lastModified) {
        files.put("b/" + file, body);
        index.add(String.join("\t", "GET", url, "200", GITHUB_RAW_TYPE, file, validators(body, lastModified)));
    }

    private static String validators(byte[] body, String lastModified) {
        return "ETag: \"" + SyntheticUpstream.sha256(body) + "\" | Last-Modified: " + lastModified;
    }

    private static byte[] manifest(JsonNode d, int rows) throws JsonProcessingException {
        ObjectNode m = JSON.createObjectNode();
        m.put("description", "Synthetic upstream fixture (hand-made; generated by"
                + " moe.ids.replay.SyntheticUpstreamGenerator, written by moe.ids.replay.SyntheticUpstream);"
                + " see README.md");
        m.put(SyntheticUpstream.MARKER, true);
        m.putObject("index_rows").put("b", rows);
        ArrayNode names = m.putArray("scraper_sources");
        SyntheticUpstream.SOURCES.forEach(names::add);
        Map<String, String> urls = Map.of("aod", AOD_URL + " (GET and HEAD)", "arm", ARM_URL,
                "anitrakt-tv", TRAKT_TV_URL, "anitrakt-movies", TRAKT_MOVIES_URL, "fribb", FRIBB_URL);
        ObjectNode sources = m.putObject("sources");
        for (String name : SyntheticUpstream.SOURCES) {
            ObjectNode s = sources.putObject(name);
            s.putArray("urls").add(urls.get(name));
            JsonNode entries = d.required(name);
            s.putObject("entries").put("b", (entries.isArray() ? entries : entries.required("data")).size());
        }
        m.set("expected_lookups", d.required("expected_lookups"));
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
        return utf8(JSON.writer(printer).writeValueAsString(m) + "\n");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
