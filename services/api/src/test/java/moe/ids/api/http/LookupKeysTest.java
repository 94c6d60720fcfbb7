package moe.ids.api.http;

import moe.ids.core.platform.Platforms;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing of what clients type: decoding once, platforms, ID forms, Trakt/TMDB, dump names, query strings. */
class LookupKeysTest {
    @Test
    void decodesOnceAndKeepsPlus() {
        assertEquals("cowboy+bebop", LookupKeys.decode("cowboy+bebop"));
        assertEquals("a/b", LookupKeys.decode("a%2Fb"));
        assertEquals("100%", LookupKeys.decode("100%25"));
        assertEquals("%2F", LookupKeys.decode("%252F"), "decoded exactly once");
        assertEquals("魔法", LookupKeys.decode("%E9%AD%94%E6%B3%95"));
        for (String bad : List.of("%", "%z1", "%C3%28", "%00", "a%0d%0ab", "%7F", "")) {
            assertThrows(ApiException.Invalid.class, () -> LookupKeys.decode(bad), bad);
        }
        assertThrows(ApiException.Invalid.class, () -> LookupKeys.decode("a".repeat(257)));
        assertEquals("1", LookupKeys.stripSuffix("1.json"));
        assertEquals("x", LookupKeys.stripSuffix("x.html"));
        assertEquals("x", LookupKeys.stripSuffix("x.html.json"));
    }

    @Test
    void plainKeys() {
        assertEquals("myanimelist/1", LookupKeys.plain(Platforms.resolve("MAL"), "0001").mappingKey());
        assertTrue(LookupKeys.plain(Platforms.resolve("mal"), "abc").impossible());
        assertTrue(LookupKeys.plain(Platforms.resolve("mal"), "99999999999").impossible(), "beyond int32");
        assertTrue(LookupKeys.plain(Platforms.resolve("mal"), "-1").impossible());
        assertEquals("shikimori/218", LookupKeys.plain(Platforms.resolve("shiki"), "z218").mappingKey());
        assertEquals("shikimori/218", LookupKeys.plain(Platforms.resolve("shiki"), "218").mappingKey());
        assertEquals("animeplanet/Cowboy-Bebop", LookupKeys.plain(Platforms.resolve("ap"), "Cowboy-Bebop").mappingKey());
        assertEquals("Platform myanimelist with ID x not found", LookupKeys.plain(Platforms.resolve("ma"), "x").notFound());
        assertEquals("kaize_id", LookupKeys.platform("KAIZE_ID").orElseThrow().name());
        assertTrue(LookupKeys.platform("nope").isEmpty());
    }

    @Test
    void traktAndTmdb() {
        assertEquals("trakt/shows/1", LookupKeys.trakt(List.of("show", "01")).mappingKey());
        assertEquals("trakt/shows/1/seasons/2", LookupKeys.trakt(List.of("Shows", "1", "Season", "2")).mappingKey());
        assertEquals("trakt/movies/7", LookupKeys.trakt(List.of("movie", "7")).mappingKey());
        assertEquals("Season ID cannot be 0", assertThrows(ApiException.Invalid.class,
                () -> LookupKeys.trakt(List.of("shows", "1", "seasons", "0"))).getMessage());
        for (List<String> bad : List.of(List.of("shows"), List.of("shows", "x"), List.of("tv", "1"),
                List.of("shows", "1", "seasons"), List.of("shows", "1", "episodes", "2"),
                List.of("movies", "1", "seasons", "1"), List.of("shows", "1", "seasons", "1", "x"))) {
            assertThrows(ApiException.Invalid.class, () -> LookupKeys.trakt(bad), bad.toString());
        }
        assertEquals("themoviedb/movie/5", LookupKeys.themoviedb(List.of("movie", "5")).mappingKey());
        assertEquals("themoviedb/movie/5", LookupKeys.themoviedb(List.of("5")).mappingKey());
        assertTrue(LookupKeys.themoviedb(List.of("movie", "x")).impossible());
        assertThrows(ApiException.Invalid.class, () -> LookupKeys.themoviedb(List.of("tv", "5")));
        assertThrows(ApiException.Invalid.class, () -> LookupKeys.themoviedb(List.of("movie", "5", "season", "1")));
    }

    @Test
    void dumpNames() {
        assertEquals("myanimelist.json", DumpService.target("MAL.json").name());
        assertEquals("myanimelist.json", DumpService.target("mal").name());
        assertEquals("myanimelist().json", DumpService.target("mal()").name());
        assertEquals("myanimelist().json", DumpService.target("myanimelist().json").name());
        assertEquals("animeapi.json", DumpService.target("aa").name());
        assertEquals("animeapi.json", DumpService.target("animeApi.json").name());
        assertEquals("animeapi.tsv", DumpService.target("animeapi.tsv").name());
        assertNull(DumpService.target("animeapi.json").platform());
        for (String bad : List.of("nope.json", "kurozora.json", "kaize_id.json", "mal.tsv", "favicon.ico")) {
            assertThrows(ApiException.Missing.class, () -> DumpService.target(bad), bad);
        }
    }

    @Test
    void queryStrings() {
        Map<String, String> q = RedirectService.query("platform=mal&id=cowboy+bebop&id=2&raw&T=AniList&x=&r=");
        assertEquals("mal", q.get("platform"));
        assertEquals("cowboy+bebop", q.get("id"), "first value wins; + is kept");
        assertEquals("", q.get("raw"));
        assertEquals("AniList", q.get("t"));
        assertEquals(Set.of("platform", "id", "raw", "t", "x", "r"), q.keySet(), "empty values are kept, as Go's Get");
        assertEquals("", q.get("x"));
        assertEquals("", RedirectService.query("platform=&platform=mal").get("platform"), "the first value, empty");
        assertThrows(ApiException.Invalid.class, () -> RedirectService.query("id=%0d%0a"));
        assertEquals(Map.of(), RedirectService.query(""));
    }

    @Test
    void metricRoutes() {
        assertEquals("lookup", ApiFilter.route("/mal/1", io.helidon.http.Method.GET));
        assertEquals("dump", ApiFilter.route("/mal.json", io.helidon.http.Method.GET));
        assertEquals("batch", ApiFilter.route("/mal", io.helidon.http.Method.POST));
        assertEquals("arm", ApiFilter.route("/api/v2/ids", io.helidon.http.Method.GET));
        assertEquals("landing", ApiFilter.route("/", io.helidon.http.Method.GET));
        assertEquals("status", ApiFilter.route("/status", io.helidon.http.Method.GET));
        assertEquals("options", ApiFilter.route("/x", io.helidon.http.Method.OPTIONS));
    }
}
