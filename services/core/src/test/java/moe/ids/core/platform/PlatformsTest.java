package moe.ids.core.platform;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The registry against its documentation: {@code docs/platforms.md} holds the registry as two Markdown tables (lookup
 * platforms and redirect-only targets), and this test fails when a row, a code, an alias, an ID type, a URL template or
 * a redirect target's source differs from {@link Platforms}, so the page and the code cannot drift apart.
 */
class PlatformsTest {

    /** One row of a table in {@code docs/platforms.md}: the backticked values of its cells, cell by cell. */
    private record Row(List<List<String>> cells) {
        String one(int cell) {
            List<String> values = cells.get(cell);
            assertEquals(1, values.size(), "cell " + cell + " of " + cells);
            return values.getFirst();
        }
    }

    private static final Pattern TICK = Pattern.compile("`([^`]+)`");

    /** {@code docs/platforms.md}, found from the module's directory upwards (the repository root holds {@code docs/}). */
    private static Path platformsDoc() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path doc = dir.resolve("docs").resolve("platforms.md");
            if (Files.isRegularFile(doc)) {
                return doc;
            }
        }
        return fail("docs/platforms.md not found above " + Path.of("").toAbsolutePath());
    }

    /**
     * @param heading the {@code ## } heading the table follows
     * @return the table's data rows (rows whose first cell is a backticked name), in order
     */
    private static List<Row> table(String heading) throws IOException {
        List<String> lines = Files.readAllLines(platformsDoc());
        int at = lines.indexOf("## " + heading);
        assertTrue(at >= 0, "docs/platforms.md has no section '## " + heading + "'");
        List<Row> rows = new ArrayList<>();
        for (int i = at + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            String line = lines.get(i);
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.substring(1, line.length() - (line.endsWith("|") ? 1 : 0)).split(" \\| ", -1);
            List<List<String>> parsed = new ArrayList<>();
            for (String cell : cells) {
                List<String> values = new ArrayList<>();
                Matcher m = TICK.matcher(cell.replace("|", ""));
                while (m.find()) {
                    values.add(m.group(1));
                }
                parsed.add(values);
            }
            rows.add(new Row(parsed));
        }
        return rows;
    }

    private static String idType(IdType t) {
        return t == IdType.INT ? "int" : "string";
    }

    @Test
    void lookupPlatformsTableIsTheRegistry() throws IOException {
        List<Row> rows = table("Lookup platforms");
        List<Platform> registry = Platforms.lookupPlatforms();
        assertEquals(registry.stream().map(Platform::name).toList(), rows.stream().map(r -> r.one(0)).toList(),
                "lookup platforms of docs/platforms.md, in registry order");
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            Platform p = registry.get(i);
            assertEquals(p.code(), row.one(1), "code of " + p.name());
            assertEquals(Set.copyOf(p.aliases()), Set.copyOf(row.cells().get(2)), "aliases of " + p.name());
            assertEquals(p.aliases().size(), row.cells().get(2).size(), "aliases of " + p.name() + " listed once");
            assertEquals(idType(p.idType()), row.one(3), "ID type of " + p.name());
            assertEquals(p.urlTemplate(), row.one(4), "page URL template of " + p.name());
        }
    }

    @Test
    void redirectTargetsTableIsTheRegistry() throws IOException {
        List<Row> rows = table("Redirect-only targets");
        List<Platform> registry = Platforms.all().stream().filter(Platform::redirectOnly).toList();
        assertEquals(registry.stream().map(Platform::name).toList(), rows.stream().map(r -> r.one(0)).toList(),
                "redirect-only targets of docs/platforms.md, in registry order");
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            Platform p = registry.get(i);
            assertEquals(p.code(), row.one(1), "code of " + p.name());
            assertEquals(Set.copyOf(p.aliases()), Set.copyOf(row.cells().get(2)), "aliases of " + p.name());
            assertEquals(p.aliases().size(), row.cells().get(2).size(), "aliases of " + p.name() + " listed once");
            assertEquals(p.builtFrom().orElseThrow(), row.one(3), "source platform of " + p.name());
            assertEquals(p.urlTemplate(), row.one(4), "page URL template of " + p.name());
        }
    }

    /** Every spelling the page lists (name, code, each alias) resolves to its row's platform, in either case. */
    @Test
    void everyNameOfTheDocumentedTablesResolves() throws IOException {
        List<Row> rows = new ArrayList<>(table("Lookup platforms"));
        rows.addAll(table("Redirect-only targets"));
        int names = 0;
        for (Row row : rows) {
            String canonical = row.one(0);
            List<String> spellings = new ArrayList<>(List.of(canonical, row.one(1)));
            spellings.addAll(row.cells().get(2));
            for (String s : spellings) {
                assertEquals(canonical, Platforms.resolve(s).name(), s);
                assertEquals(canonical, Platforms.resolve(s.toUpperCase(Locale.ROOT)).name(), s.toUpperCase(Locale.ROOT));
                names++;
            }
        }
        assertEquals(23, rows.size(), "platform rows in docs/platforms.md");
        assertThat(names > 100, is(true));
    }

    @ParameterizedTest
    @CsvSource({"MAL,myanimelist", "mal,myanimelist", "Ma,myanimelist", "anime-planet,animeplanet",
            "TMDB,themoviedb", "themoviedb.org,themoviedb", "syobocal,shoboi", "kitsu.app,kitsu",
            "' al ',anilist", "myani.li,myanili", "LB,letterboxd"})
    void resolvesCaseInsensitively(String given, String expected) {
        assertEquals(expected, Platforms.resolve(given).name());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"foo", "mal2", "my anime list", "anidb/", "trakt.tv.", "aa", "animeapi", "kaize_id"})
    void unknownNamesAreRejected(String name) {
        UnknownPlatformException ex = assertThrows(UnknownPlatformException.class, () -> Platforms.resolve(name));
        assertEquals(name, ex.name());
        assertTrue(Platforms.find(name).isEmpty());
    }

    @Test
    void registryHasTwentyLookupPlatformsAndThreeRedirectTargets() {
        assertEquals(23, Platforms.all().size());
        assertEquals(20, Platforms.lookupPlatforms().size());
        Set<String> redirectOnly = Platforms.all().stream().filter(Platform::redirectOnly)
                .map(Platform::name).collect(Collectors.toSet());
        assertEquals(Set.of("kurozora", "letterboxd", "myanili"), redirectOnly);
        assertEquals("myanimelist", Platforms.resolve("kurozora").builtFrom().orElseThrow());
        assertEquals("themoviedb", Platforms.resolve("letterboxd").builtFrom().orElseThrow());
    }

    @ParameterizedTest
    @CsvSource({
            "anidb,23,https://anidb.net/anime/23",
            "anidb,2095944,https://anidb.net/anime/2095944",
            "myanimelist,1000000,https://myanimelist.net/anime/1000000",
            "animenewsnetwork,13,https://www.animenewsnetwork.com/encyclopedia/anime.php?id=13",
            "simkl,37089,https://simkl.com/anime/37089",
            "themoviedb,2147483647,https://www.themoviedb.org/movie/2147483647",
            "kurozora,1,https://kurozora.app/myanimelist.net/anime/1",
            "letterboxd,4934,https://letterboxd.com/tmdb/4934",
            "myanili,1,https://myani.li/#/anime/details/1",
            "shoboi,538,https://cal.syoboi.jp/tid/538"})
    void integerUrlsArePlain(String platform, long id, String url) {
        assertEquals(url, Platforms.resolve(platform).pageUrl(id));
        assertEquals(url, Platforms.resolve(platform).pageUrl(Long.toString(id)));
    }

    @ParameterizedTest
    @CsvSource({
            "animeplanet,cowboy-bebop,https://www.anime-planet.com/anime/cowboy-bebop",
            "nautiljon,cowboy+bebop,https://www.nautiljon.com/animes/cowboy+bebop.html",
            "nautiljon,-deji-+meets+girl,https://www.nautiljon.com/animes/-deji-+meets+girl.html",
            "notify,Tk3ccKimg,https://notify.moe/anime/Tk3ccKimg",
            "imdb,tt0213338,https://www.imdb.com/title/tt0213338",
            "kaize,cowboy-bebop,https://kaize.io/anime/cowboy-bebop",
            "animeplanet,../../evil,https://www.anime-planet.com/anime/..%2F..%2Fevil",
            "kaize,a?b#c%d,https://kaize.io/anime/a%3Fb%23c%25d",
            "nautiljon,café,https://www.nautiljon.com/animes/caf%C3%A9.html"})
    void stringUrlsAreEncodedSafely(String platform, String id, String url) {
        assertEquals(url, Platforms.resolve(platform).pageUrl(id));
    }

    @Test
    void noControlCharacterReachesAUrl() {
        String url = Platforms.resolve("notify").pageUrl("x\r\nSet-Cookie: a=b");
        assertEquals("https://notify.moe/anime/x%0D%0ASet-Cookie%3A%20a=b".replace("%3A", ":"), url);
        assertTrue(url.chars().allMatch(c -> c > ' ' && c < 127));
    }

    @Test
    void traktUrls() {
        assertEquals("https://trakt.tv/shows/30857", Platforms.traktUrl("shows", 30857, null));
        assertEquals("https://trakt.tv/shows/1420/seasons/2", Platforms.traktUrl("shows", 1420, 2));
        assertEquals("https://trakt.tv/movies/1000001", Platforms.traktUrl("movies", 1000001, null));
        assertThrows(IllegalArgumentException.class, () -> Platforms.traktUrl("tv", 1, null));
    }
}
