package moe.ids.core.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
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
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlatformsTest {

    private static Path shared(String file) {
        String upstream = System.getProperty("ids.moe.upstream", "../../../shared/upstream");
        return Path.of(upstream).resolveSibling(file);
    }

    /** Every row of the recorded platform table (outside the repository, read when present): name, code and each alias resolve to the name. */
    @Test
    void everyAliasOfTheSeedTableResolves() throws IOException {
        Path table = shared("PLATFORMS.md");
        Assumptions.assumeTrue(Files.exists(table), "seed table not found at " + table);
        Pattern row = Pattern.compile("^\\| `([a-z]+)` \\| `([a-z]{2})` \\| (.*?) \\|");
        Pattern tick = Pattern.compile("`([^`]+)`");
        int rows = 0;
        int names = 0;
        for (String line : Files.readAllLines(table)) {
            Matcher m = row.matcher(line);
            if (!m.find()) {
                continue;
            }
            rows++;
            String canonical = m.group(1);
            List<String> spellings = new ArrayList<>(List.of(canonical, m.group(2)));
            Matcher a = tick.matcher(m.group(3));
            while (a.find()) {
                spellings.add(a.group(1));
            }
            for (String s : spellings) {
                assertEquals(canonical, Platforms.resolve(s).name(), s);
                assertEquals(canonical, Platforms.resolve(s.toUpperCase()).name(), s.toUpperCase());
                names++;
            }
            Platform p = Platforms.resolve(canonical);
            assertEquals(m.group(2), p.code());
            assertEquals(spellings.size() - 2, p.aliases().size(), "aliases of " + canonical);
        }
        assertEquals(23, rows, "platform rows in the seed table");
        assertThat(names > 100, is(true));
    }

    /** The original API's alias map (from the recorded notes on it, read when present) is a subset of the registry. */
    @Test
    void everyAliasOfTheOriginalApiResolves() throws IOException {
        Path original = shared("ORIGINAL.md");
        Assumptions.assumeTrue(Files.exists(original), "ORIGINAL.md not found at " + original);
        String text = Files.readString(original);
        int start = text.indexOf("```json", text.indexOf("Platform alias map"));
        String json = text.substring(start + 7, text.indexOf("```", start + 7));
        JsonNode map = new ObjectMapper().readTree(json);
        int checked = 0;
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            assertEquals(e.getKey(), Platforms.resolve(e.getKey()).name());
            for (JsonNode alias : e.getValue()) {
                assertEquals(e.getKey(), Platforms.resolve(alias.asText()).name(), alias.asText());
                checked++;
            }
        }
        assertEquals(23, map.size());
        assertThat(checked > 70, is(true));
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
