package moe.ids.replay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.logging.common.LogConfig;

/**
 * Writes a small, hand-made upstream in the layout of a recorded one ({@code docs/upstream-snapshots.md}):
 * {@code README.md}, {@code manifest.json}, {@code CHECKSUMS.sha256}, {@code b/index.tsv} and the bodies under
 * {@code b/<source>/}. It holds six anime (Cowboy Bebop is MyAnimeList 1 ↔ AniDB 23 ↔ AniList 1 ↔ Kitsu 1 ↔ Trakt
 * shows/30857 season 1) in only the sources named by {@link #SOURCES}, each file in its upstream's real format
 * (the anime-offline-database as a zstd frame, the GitHub raw files as JSON with their upstream's formatting)
 * and every row with {@code ETag: "<sha256 of the body>"} and {@code Last-Modified}, so conditional requests work.
 * <p>
 * It exists for places where the recorded upstream is not available and must not be copied to, such as the
 * GitHub workflow's k3s end-to-end test. The output is deterministic (same bytes on every run). IDs other than
 * Cowboy Bebop's MyAnimeList, AniDB, AniList, Kitsu and Trakt ones and the MyAnimeList/AniList IDs of the other
 * titles are invented (90000 and up).
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

    static final String AOD_URL = "https://github.com/manami-project/anime-offline-database/releases/download/"
            + "latest/anime-offline-database-minified.json.zst";
    static final String ARM_URL = "https://raw.githubusercontent.com/kawaiioverflow/arm/master/arm.json";
    static final String TRAKT_TV_URL = "https://raw.githubusercontent.com/rensetsu/db.trakt.anitrakt/main/db/tv.json";
    static final String TRAKT_MOVIES_URL =
            "https://raw.githubusercontent.com/rensetsu/db.trakt.anitrakt/main/db/movies.json";
    static final String FRIBB_URL =
            "https://raw.githubusercontent.com/Fribb/anime-lists/master/anime-lists-reduced.json";

    private static final System.Logger LOG = System.getLogger(SyntheticUpstream.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LAST_MODIFIED = "Mon, 05 Jan 2026 05:00:00 GMT";
    private static final String GITHUB_RAW_TYPE = "text/plain; charset=utf-8";
    /** Largest block of a zstd frame (128 KiB). */
    private static final int ZSTD_BLOCK = 128 * 1024;

    /**
     * One anime of the anime-offline-database, with the IDs it lists as source URLs.
     *
     * @param title    title
     * @param type     TV, MOVIE, OVA, …
     * @param episodes episode count, 0 when unknown
     * @param status   FINISHED, ONGOING, …
     * @param season   SPRING, SUMMER, FALL, WINTER or UNDEFINED
     * @param year     year, or null
     * @param sources  platform URLs
     */
    private record Aod(String title, String type, int episodes, String status, String season, Integer year,
                       List<String> sources) {
    }

    private static final List<Aod> AOD = List.of(
            new Aod("Cowboy Bebop", "TV", 26, "FINISHED", "SPRING", 1998, List.of(
                    "https://anidb.net/anime/23", "https://anilist.co/anime/1",
                    "https://anime-planet.com/anime/cowboy-bebop", "https://kitsu.app/anime/1",
                    "https://myanimelist.net/anime/1")),
            new Aod("Cowboy Bebop: Tengoku no Tobira", "MOVIE", 1, "FINISHED", "SUMMER", 2001, List.of(
                    "https://anidb.net/anime/90011", "https://anilist.co/anime/5",
                    "https://anime-planet.com/anime/cowboy-bebop-the-movie", "https://kitsu.app/anime/90012",
                    "https://myanimelist.net/anime/5")),
            new Aod("Naruto", "TV", 220, "FINISHED", "FALL", 2002, List.of(
                    "https://anidb.net/anime/90021", "https://anilist.co/anime/20", "https://kitsu.app/anime/90022",
                    "https://myanimelist.net/anime/20")),
            new Aod("Naruto: Shippuuden", "TV", 500, "FINISHED", "WINTER", 2007, List.of(
                    "https://anidb.net/anime/90031", "https://anilist.co/anime/1735",
                    "https://myanimelist.net/anime/1735")),
            new Aod("One Piece", "TV", 0, "ONGOING", "FALL", 1999, List.of(
                    "https://anidb.net/anime/90041", "https://anilist.co/anime/21", "https://kitsu.app/anime/90042",
                    "https://myanimelist.net/anime/21")),
            // only on AniDB: an entry whose other platforms are all null
            new Aod("Ids Moe Fixture OVA", "OVA", 1, "FINISHED", "UNDEFINED", null, List.of(
                    "https://anidb.net/anime/90051")));

    /** kawaiioverflow ARM rows; keys are omitted when unknown, as upstream. */
    private static final List<Map<String, Object>> ARM = List.of(
            row("mal_id", 1, "anilist_id", 1, "annict_id", 90001, "syobocal_tid", 90002),
            row("mal_id", 5, "anilist_id", 5, "annict_id", 90013),
            row("mal_id", 20, "anilist_id", 20, "annict_id", 90023, "syobocal_tid", 90024),
            row("mal_id", 21, "anilist_id", 21, "syobocal_tid", 90043),
            // a row matching no anime (upstream has many Syoboi-only rows)
            row("syobocal_tid", 90099));

    /** AniTrakt shows: one Trakt show holds several MyAnimeList entries as seasons. */
    private static final List<Map<String, Object>> TRAKT_TV = List.of(
            row("title", "Cowboy Bebop", "mal_id", 1, "trakt_id", 30857, "guessed_slug", "cowboy-bebop",
                "season", 1, "type", "shows"),
            row("title", "Naruto", "mal_id", 20, "trakt_id", 90025, "guessed_slug", "naruto", "season", 1,
                "type", "shows"),
            row("title", "Naruto: Shippuuden", "mal_id", 1735, "trakt_id", 90025, "guessed_slug", "naruto",
                "season", 2, "type", "shows"));

    /** AniTrakt movies. */
    private static final List<Map<String, Object>> TRAKT_MOVIES = List.of(
            row("title", "Cowboy Bebop: Tengoku no Tobira", "mal_id", 5, "trakt_id", 90014,
                "guessed_slug", "cowboy-bebop-the-movie", "type", "movies"));

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
            Map<String, byte[]> files = new TreeMap<>();
            List<String> index = new ArrayList<>();
            index.add(IndexTsv.HEADER);
            byte[] aod = zstdFrame(aodJson());
            String aodHeaders = validators(aod) + " | Content-Disposition: attachment; filename="
                    + "anime-offline-database-minified.json.zst";
            files.put("b/aod/anime-offline-database-minified.json.zst", aod);
            index.add(String.join("\t", "HEAD", AOD_URL, "200", "application/octet-stream",
                    "aod/anime-offline-database-minified.json.zst", aodHeaders));
            index.add(String.join("\t", "GET", AOD_URL, "200", "application/octet-stream",
                    "aod/anime-offline-database-minified.json.zst", aodHeaders));
            githubRaw(files, index, ARM_URL, "arm/arm.json", pythonIndent(ARM, true));
            githubRaw(files, index, TRAKT_TV_URL, "anitrakt/tv.json", pythonIndent(TRAKT_TV, false));
            githubRaw(files, index, TRAKT_MOVIES_URL, "anitrakt/movies.json", pythonIndent(TRAKT_MOVIES, false));
            githubRaw(files, index, FRIBB_URL, "fribb/anime-lists-reduced.json", fribbJson());
            files.put("b/index.tsv", utf8(String.join("\n", index) + "\n"));
            // One fault, named as in the recorded upstream: Fribb answers an empty array (below the count floor).
            byte[] empty = utf8("[]\n");
            files.put("faults/fribb/anime-lists-reduced.json", empty);
            files.put("faults/index.tsv", utf8(IndexTsv.HEADER + "\n" + String.join("\t", "GET", FRIBB_URL, "200",
                    GITHUB_RAW_TYPE, "fribb/anime-lists-reduced.json",
                    validators(empty) + " | X-Fixture-Fault: " + FRIBB_EMPTY_FAULT) + "\n"));
            files.put("manifest.json", manifest(index.size() - 1));
            files.put("README.md", utf8(README));
            StringBuilder checksums = new StringBuilder();
            files.forEach((path, bytes) -> checksums.append(sha256(bytes)).append("  ").append(path).append('\n'));
            files.put("CHECKSUMS.sha256", utf8(checksums.toString()));
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

    /**
     * A zstd frame holding {@code data} in raw (stored) blocks: valid for every zstd decoder, no compression
     * library needed. Single-segment frame with a 4-byte content size, no checksum, no dictionary.
     *
     * @param data content, below 4 GiB
     * @return the frame
     */
    static byte[] zstdFrame(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 16 + data.length / ZSTD_BLOCK * 3);
        writeLittleEndian(out, 0xFD2FB528L, 4);
        out.write(0xA0); // Frame_Header_Descriptor: Frame_Content_Size_flag 2 (4 bytes), Single_Segment_flag
        writeLittleEndian(out, data.length, 4);
        int at = 0;
        do {
            int size = Math.min(ZSTD_BLOCK, data.length - at);
            boolean last = at + size == data.length;
            writeLittleEndian(out, ((long) size << 3) | (last ? 1 : 0), 3); // Block_Type 0 = Raw_Block
            out.write(data, at, size);
            at += size;
        } while (at < data.length);
        return out.toByteArray();
    }

    private static void writeLittleEndian(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)) & 0xFF);
        }
    }

    private static byte[] aodJson() throws JsonProcessingException {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://raw.githubusercontent.com/manami-project/anime-offline-database/refs/tags/"
                + "2026-01/schemas/anime-offline-database-minified.schema.json");
        ObjectNode license = root.putObject("license");
        license.put("name", "Open Data Commons Open Database License (ODbL) v1.0 + Database Contents License (DbCL)"
                + " v1.0");
        license.put("url", "https://github.com/manami-project/anime-offline-database/blob/2026-01/LICENSE");
        root.put("repository", "https://github.com/manami-project/anime-offline-database");
        ObjectNode scoreRange = root.putObject("scoreRange");
        scoreRange.put("minInclusive", 1.0);
        scoreRange.put("maxInclusive", 10.0);
        root.put("lastUpdate", "2026-01-05");
        ArrayNode data = root.putArray("data");
        for (Aod a : AOD) {
            ObjectNode e = data.addObject();
            ArrayNode sources = e.putArray("sources");
            a.sources().forEach(sources::add);
            e.put("title", a.title());
            e.put("type", a.type());
            e.put("episodes", a.episodes());
            e.put("status", a.status());
            ObjectNode season = e.putObject("animeSeason");
            season.put("season", a.season());
            if (a.year() != null) {
                season.put("year", a.year());
            }
            e.put("picture", "");
            e.put("thumbnail", "");
            for (String empty : List.of("synonyms", "studios", "producers", "relatedAnime", "tags")) {
                e.putArray(empty);
            }
        }
        return JSON.writeValueAsBytes(root);
    }

    /** Fribb's file as upstream writes it: Jackson's default pretty printer ({@code [ {}, {} ]}, "key" : value). */
    private static byte[] fribbJson() throws JsonProcessingException {
        ArrayNode rows = JSON.createArrayNode();
        ObjectNode bebop = rows.addObject();
        bebop.put("anidb_id", 23);
        bebop.putObject("themoviedb_id").put("tv", 90003);
        bebop.put("tvdb_id", 90004);
        ObjectNode bebopSeason = bebop.putObject("season");
        bebopSeason.put("tvdb", 1);
        bebopSeason.put("tmdb", 1);
        ObjectNode movie = rows.addObject();
        movie.put("anidb_id", 90011);
        movie.putArray("imdb_id").add("tt9001101");
        movie.putObject("themoviedb_id").putArray("movie").add(90015);
        ObjectNode naruto = rows.addObject();
        naruto.put("anidb_id", 90021);
        naruto.putObject("themoviedb_id").put("tv", 90026);
        naruto.put("tvdb_id", 90027);
        ObjectNode shippuuden = rows.addObject();
        shippuuden.put("anidb_id", 90031);
        shippuuden.putObject("themoviedb_id").put("tv", 90026);
        shippuuden.put("tvdb_id", 90027);
        ObjectNode shippuudenSeason = shippuuden.putObject("season");
        shippuudenSeason.put("tvdb", 2);
        shippuudenSeason.put("tmdb", 2);
        ObjectNode offset = shippuuden.putObject("episode_offset");
        offset.put("tmdb", 220);
        rows.addObject().put("anidb_id", 90051); // upstream lists AniDB IDs without any mapping too
        DefaultIndenter lf = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withObjectIndenter(lf);
        return JSON.writer(printer).writeValueAsBytes(rows);
    }

    /** The JSON that Python's {@code json.dump(rows, f, indent=2)} writes (ARM, AniTrakt). */
    private static byte[] pythonIndent(List<Map<String, Object>> rows, boolean trailingNewline)
            throws JsonProcessingException {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < rows.size(); i++) {
            s.append(i == 0 ? "\n" : ",\n").append("  {");
            int j = 0;
            for (Map.Entry<String, Object> field : rows.get(i).entrySet()) {
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
                                  byte[] body) {
        files.put("b/" + file, body);
        index.add(String.join("\t", "GET", url, "200", GITHUB_RAW_TYPE, file, validators(body)));
    }

    private static String validators(byte[] body) {
        return "ETag: \"" + sha256(body) + "\" | Last-Modified: " + LAST_MODIFIED;
    }

    private static byte[] manifest(int rows) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.put("description", "Synthetic upstream fixture (hand-made, written by moe.ids.replay.SyntheticUpstream);"
                + " see README.md");
        m.put(MARKER, true);
        m.putObject("index_rows").put("b", rows);
        ArrayNode names = m.putArray("scraper_sources");
        SOURCES.forEach(names::add);
        ObjectNode sources = m.putObject("sources");
        putSource(sources, "aod", AOD_URL + " (GET and HEAD)", AOD.size());
        putSource(sources, "arm", ARM_URL, ARM.size());
        putSource(sources, "anitrakt-tv", TRAKT_TV_URL, TRAKT_TV.size());
        putSource(sources, "anitrakt-movies", TRAKT_MOVIES_URL, TRAKT_MOVIES.size());
        putSource(sources, "fribb", FRIBB_URL, JSON.readTree(fribbJson()).size());
        ObjectNode lookups = m.putObject("expected_lookups");
        ObjectNode bebop = lookups.putObject("myanimelist/1");
        bebop.put("title", "Cowboy Bebop");
        bebop.put("anidb", 23);
        bebop.put("anilist", 1);
        bebop.put("kitsu", 1);
        bebop.put("trakt", 30857);
        bebop.put("trakt_type", "shows");
        bebop.put("trakt_season", 1);
        lookups.putObject("trakt/shows/90025/seasons/2").put("title", "Naruto: Shippuuden");
        lookups.putObject("themoviedb/movie/90015").put("title", "Cowboy Bebop: Tengoku no Tobira");
        lookups.putObject("anidb/90051").put("title", "Ids Moe Fixture OVA");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
        return utf8(JSON.writer(printer).writeValueAsString(m) + "\n");
    }

    private static void putSource(ObjectNode sources, String name, String url, int entries) {
        ObjectNode s = sources.putObject(name);
        s.putArray("urls").add(url);
        s.putObject("entries").put("b", entries);
    }

    private static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
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

    private static final String README = """
            # Synthetic upstream (hand-made test fixture)

            Written by `moe.ids.replay.SyntheticUpstream` (`bin/ids-moe fixture DIR`). It has the layout of the
            recorded upstream (`shared/upstream`, see its README) so that the replay server serves it unchanged,
            but only snapshot `b` and only five sources, with six invented-for-testing anime:

            | source (`--source`) | URL | body |
            |---|---|---|
            | `aod` | the anime-offline-database release asset (GET and HEAD) | minified JSON in a zstd frame |
            | `arm` | kawaiioverflow/arm `arm.json` | JSON array, keys omitted when unknown |
            | `anitrakt-tv` | rensetsu/db.trakt.anitrakt `db/tv.json` | JSON array (one show, two seasons) |
            | `anitrakt-movies` | rensetsu/db.trakt.anitrakt `db/movies.json` | JSON array |
            | `fribb` | Fribb/anime-lists `anime-lists-reduced.json` | JSON array, 2026 format |

            Every row carries `ETag: "<sha256 of the body>"` and a fixed `Last-Modified`, so a second refresh
            finds every source unchanged. Any other URL (the web scrapers, the manual mappings, Silveryasha) is a
            404: refresh with `--source` for the five sources above, e.g.
            `bin/ids-moe refresh --mirror DIR/b --source aod --source arm --source anitrakt-tv
            --source anitrakt-movies --source fribb`.

            Expected after a refresh: `myanimelist/1` is Cowboy Bebop with AniDB 23, AniList 1, Kitsu 1 and
            Trakt shows/30857 season 1 (see `expected_lookups` in `manifest.json`). IDs other than those and the
            MyAnimeList/AniList IDs of the other titles are invented (90000 and up). The files are regenerated,
            byte for byte, by the same command; do not edit them.
            """;
}
