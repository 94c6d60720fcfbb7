package moe.ids.replay;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.logging.common.LogConfig;

/**
 * Writes a small, hand-made upstream in the layout of a recorded one ({@code docs/upstream-snapshots.md}):
 * {@code README.md}, {@code manifest.json}, {@code CHECKSUMS.sha256}, {@code b/index.tsv} and the bodies under
 * {@code b/<source>/}, and a {@code faults} overlay with {@link #FRIBB_EMPTY_FAULT}. It holds six anime (Cowboy Bebop
 * is MyAnimeList 1 ↔ AniDB 23 ↔ AniList 1 ↔ Kitsu 1 ↔ Trakt shows/30857 season 1) in only the sources named by
 * {@link #SOURCES}, each file in its upstream's real format, and every row with
 * {@code ETag: "<sha256 of the body>"} and {@code Last-Modified}, so conditional requests work.
 * <p>
 * The files are resources of this jar ({@code moe/ids/replay/synthetic/}, listed with their SHA-256 by its
 * {@code CHECKSUMS.sha256}), generated from a description by {@code SyntheticUpstreamGenerator} in this module's
 * tests; this class copies them out, byte for byte. It exists for places where the recorded upstream is not
 * available and must not be copied to, such as the GitHub workflow's k3s end-to-end test.
 * <pre>{@code
 * Path root = SyntheticUpstream.write(dir);
 * try (ReplayServer server = ReplayServer.start(root, "b")) { ... }
 * }</pre>
 * Command line: {@code java -cp ids-moe-replay.jar moe.ids.replay.SyntheticUpstream DIR} (or {@code bin/ids-moe
 * fixture DIR}).
 */
public final class SyntheticUpstream {

    /** The scraper sources this upstream serves; a refresh must name only these (the others answer 404). */
    public static final List<String> SOURCES = List.of("aod", "arm", "anitrakt-tv", "anitrakt-movies", "fribb");

    /** Marker in {@code manifest.json} telling a synthetic upstream from the recorded one. */
    public static final String MARKER = "synthetic";
    /** The one fault of the synthetic upstream (as in the recorded one): Fribb's file is an empty array. */
    public static final String FRIBB_EMPTY_FAULT = "fribb-empty-array";

    /** The folder of the files, relative to this class's package. */
    static final String RESOURCES = "synthetic/";
    /** The list of every other file ({@code <sha256>  <path>} lines), the last one written. */
    static final String CHECKSUMS = "CHECKSUMS.sha256";

    private static final System.Logger LOG = System.getLogger(SyntheticUpstream.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private SyntheticUpstream() {
    }

    /**
     * Writes (or rewrites) the synthetic upstream.
     *
     * @param root folder to write; created when missing; must be empty or hold a synthetic upstream already
     * @return {@code root}, absolute and normalised, ready for {@link ReplayServer#start(Path, String)}
     * @throws IllegalArgumentException when {@code root} holds something else (never overwrites a recorded upstream)
     * @throws UncheckedIOException     when a file cannot be written
     */
    public static Path write(Path root) {
        Path dir = root.toAbsolutePath().normalize();
        try {
            if (Files.isDirectory(dir) && !isSynthetic(dir)) {
                try (Stream<Path> entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new IllegalArgumentException(dir + " is not empty and holds no synthetic upstream;"
                                + " refusing to write into it");
                    }
                }
            }
            byte[] checksums = resource(CHECKSUMS);
            Map<String, byte[]> files = new LinkedHashMap<>();
            for (String line : new String(checksums, StandardCharsets.UTF_8).split("\n")) {
                String path = line.substring(66);
                byte[] bytes = resource(path);
                if (!sha256(bytes).equals(line.substring(0, 64))) {
                    throw new IllegalStateException("resource " + RESOURCES + path + " does not match "
                            + CHECKSUMS);
                }
                files.put(path, bytes);
            }
            files.put(CHECKSUMS, checksums);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path target = dir.resolve(f.getKey());
                Files.createDirectories(target.getParent());
                Files.write(target, f.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic upstream to " + dir, e);
        }
        return dir;
    }

    private static byte[] resource(String path) throws IOException {
        try (InputStream in = SyntheticUpstream.class.getResourceAsStream(RESOURCES + path)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCES + path + " is missing from the replay jar");
            }
            return in.readAllBytes();
        }
    }

    /**
     * Whether a folder holds a synthetic upstream (its {@code manifest.json} says {@code "synthetic": true}).
     *
     * @param root an upstream folder
     * @return true for one written by {@link #write(Path)}, false for the recorded upstream or anything else
     */
    public static boolean isSynthetic(Path root) {
        Path manifest = root.resolve("manifest.json");
        if (!Files.isRegularFile(manifest)) {
            return false;
        }
        try {
            return JSON.readTree(manifest.toFile()).path(MARKER).asBoolean(false);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Writes the synthetic upstream to the folder given as the only argument and logs how to use it; exits 1
     * with the reason when it cannot.
     *
     * @param args {@code DIR}
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        if (args.length != 1 || args[0].startsWith("-")) {
            LOG.log(System.Logger.Level.ERROR, "usage: SyntheticUpstream DIR");
            System.exit(64);
        }
        try {
            Path dir = write(Path.of(args[0]));
            LOG.log(System.Logger.Level.INFO, "Synthetic upstream written to {0} (sources {1}); replay it with"
                    + " --mirror {0}/b", dir, String.join(", ", SOURCES));
        } catch (IllegalArgumentException | UncheckedIOException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage());
            System.exit(1);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a refresh of a synthetic upstream must publish, from its {@code manifest.json}.
     *
     * @param root a folder written by {@link #write(Path)}
     * @return mapping key (e.g. {@code myanimelist/1}) → fields its entry must have (e.g. {@code "anidb": 23})
     * @throws IOException when the manifest cannot be read
     */
    public static Map<String, JsonNode> expectedLookups(Path root) throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        JSON.readTree(root.resolve("manifest.json").toFile()).path("expected_lookups").properties()
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
