package moe.ids.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.core.platform.IdType;
import moe.ids.core.platform.Platform;
import moe.ids.core.platform.Platforms;
import moe.ids.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every route against real Redis loaded by the ingestor classes (near cache on). */
class ApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TreeMap<Long, AnimeEntry> DATA = Fixture.data(300);
    private static final AnimeEntry BEBOP = DATA.get(Fixture.HAND);
    private static Fixture fixture;
    private static Http http;

    @BeforeAll
    static void start() {
        fixture = new Fixture();
        fixture.load(1, DATA);
        fixture.start(4L << 20);
        http = new Http(fixture.base());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static JsonNode json(Http.Res r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException ex) {
            throw new AssertionError("not JSON: " + r.text(), ex);
        }
    }

    private static void assertError(Http.Res r, int status, String error, String message) {
        assertEquals(status, r.status(), r.text());
        assertEquals("application/json", r.header("content-type"));
        assertEquals("*", r.header("access-control-allow-origin"));
        JsonNode n = json(r);
        assertEquals(error, n.get("error").asText(), r.text());
        assertEquals(status, n.get("code").asInt());
        if (message != null) {
            assertEquals(message, n.get("message").asText());
        }
    }

    private static byte[] bytes(long id) {
        return CanonicalJson.toBytes(DATA.get(id));
    }

    @Test
    void everyPlatformNameCodeAndAliasFindsTheEntry() {
        byte[] expected = bytes(Fixture.HAND);
        for (Platform p : Platforms.lookupPlatforms()) {
            if (p.name().equals("trakt") || p.name().equals("themoviedb")) {
                continue; // their own forms, below
            }
            String id = Platform.encodeSegment(String.valueOf(BEBOP.get(p.name())));
            List<String> names = new ArrayList<>(p.aliases());
            names.add(p.name());
            names.add(p.code());
            names.add(p.name().toUpperCase());
            for (String name : names) {
                Http.Res r = http.get("/" + name + "/" + id);
                assertEquals(200, r.status(), name + ": " + r.text());
                assertArrayEquals(expected, r.body(), name);
                assertEquals("application/json", r.header("content-type"));
                assertEquals("*", r.header("access-control-allow-origin"));
                assertThat(r.header("cache-control"), is("public, max-age=3600"));
                assertThat(r.header("etag"), startsWith("\"v1-" + Fixture.HAND + "-"));
            }
        }
        for (String alias : List.of("tmdb", "tm", "themoviedb.org", "tmdb.org")) {
            assertArrayEquals(expected, http.get("/" + alias + "/movie/1234567").body(), alias);
        }
        for (String alias : List.of("tr", "trk", "trakt.tv", "TRAKT")) {
            assertArrayEquals(expected, http.get("/" + alias + "/shows/30857").body(), alias);
        }
    }

    @Test
    void idForms() {
        byte[] bebop = bytes(Fixture.HAND);
        for (String p : List.of("/mal/1.json", "/mal/1.html", "/mal/001", "/shikimori/z1", "/shiki/1",
                "/nautiljon/cowboy+bebop", "/nautiljon/cowboy%2Bbebop", "/nautiljon/cowboy+bebop.html",
                "/kaize_id/265", "/nautiljon_id/1", "/notify/Tk3ccKimg", "/simkl/2095944", "/imdb/tt0213338",
                "/annict/360", "/mal/1/")) {
            Http.Res r = http.get(p);
            assertEquals(200, r.status(), p + ": " + r.text());
            assertArrayEquals(bebop, r.body(), p);
        }
        assertEquals(404, http.get("/notify/tk3ccKimg").status(), "IDs are case-sensitive");
        assertEquals(404, http.get("/nautiljon/cowboy%20bebop").status(), "+ is not a space");
        // every synthetic entry by its MyAnimeList ID
        DATA.forEach((id, e) -> {
            if (id < Fixture.HAND && id % 37 == 0) {
                assertArrayEquals(bytes(id), http.get("/myanimelist/" + e.myanimelist()).body());
            }
        });
    }

    @Test
    void notFoundMessages() {
        assertError(http.get("/mal/999999999"), 404, "Not found", "Platform myanimelist with ID 999999999 not found");
        assertError(http.get("/myanimelist/abc"), 404, "Not found", "Platform myanimelist with ID abc not found");
        assertError(http.get("/foo/1"), 404, "Not found", "Platform foo with ID 1 not found");
        assertError(http.get("/mal/1/2"), 404, "Not found", "Endpoint not found");
        assertError(http.get("/trakt/shows/1"), 404, "Not found", "Media type shows with ID 1 not found");
        assertError(http.get("/trakt/shows/30857/seasons/9"), 404, "Not found",
                "Media type shows with ID 30857 and season ID 9 not found");
        assertError(http.get("/themoviedb/movie/1"), 404, "Not found", "Media type movie with ID 1 not found");
        assertEquals("public, max-age=300", http.get("/mal/999999999").header("cache-control"));
        assertError(http.get("/kurozora/1"), 400, "Invalid platform", null);
    }

    @Test
    void traktAndTmdbForms() {
        assertArrayEquals(bytes(Fixture.HAND), http.get("/trakt/shows/30857").body(), "show → season 1");
        assertArrayEquals(bytes(Fixture.HAND), http.get("/trakt/show/30857/season/1").body());
        assertArrayEquals(bytes(Fixture.HAND + 1), http.get("/trakt/shows/30857/seasons/2").body());
        assertArrayEquals(bytes(Fixture.HAND + 3), http.get("/trakt/shows/99999").body(), "no season 1 → lowest");
        assertArrayEquals(bytes(Fixture.HAND + 2), http.get("/trakt/shows/99999/seasons/3").body());
        assertArrayEquals(bytes(Fixture.HAND + 4), http.get("/trakt/movies/777").body());
        assertArrayEquals(bytes(Fixture.HAND + 4), http.get("/trakt/movie/777.json").body());
        assertArrayEquals(bytes(Fixture.HAND + 4), http.get("/themoviedb/movie/2000001").body());
        assertArrayEquals(bytes(Fixture.HAND + 4), http.get("/themoviedb/2000001").body());
        assertError(http.get("/trakt/shows/30857/seasons/0"), 400, "Invalid season ID", "Season ID cannot be 0");
        assertError(http.get("/trakt/shows/30857/seasons/x"), 400, "Invalid season ID", null);
        assertError(http.get("/trakt/shows/cowboy-bebop"), 400, "Invalid Trakt ID", null);
        assertError(http.get("/trakt/foo/1"), 400, "Invalid request", null);
        assertError(http.get("/trakt/shows"), 400, "Invalid request", null);
        assertError(http.get("/themoviedb/tv/30991"), 400, "Invalid request", "Currently, only `movie` are supported");
        assertError(http.get("/themoviedb/xyz/1"), 400, "Invalid request", null);
        // the original's parity list: a malformed one-segment path is a 400, a well-formed unknown ID a 404
        assertError(http.get("/themoviedb/invalid"), 400, "Invalid request", null);
        assertError(http.get("/trakt/invalid"), 400, "Invalid request", null);
        assertError(http.get("/themoviedb/99999999999"), 404, "Not found", null);
        assertError(http.get("/themoviedb/movie/invalid"), 404, "Not found", "Media type movie with ID invalid not found");
    }

    @Test
    void ifNoneMatchWithTheEtagAnswers304() {
        Http.Res first = http.get("/anilist/1");
        String etag = first.header("etag");
        assertNotNull(etag);
        Http.Res again = http.get("/anilist/1", "If-None-Match", etag);
        assertEquals(304, again.status());
        assertEquals(0, again.body().length);
        assertEquals(etag, again.header("etag"));
        assertEquals(304, http.get("/anilist/1", "If-None-Match", "\"x\", " + etag).status());
        assertEquals(304, http.get("/anilist/1", "If-None-Match", "W/" + etag).status());
        assertEquals(200, http.get("/anilist/1", "If-None-Match", "\"other\"").status());
    }

    /** One path of every kind: lookup, status, redirect, dump, arm-server, robots.txt, landing page, no route. */
    private static final List<String> PATHS_OF_EVERY_KIND = List.of("/mal/1", "/status", "/redirect?from=mal&id=1",
            "/mal.json", "/api/v2/ids?source=anilist&id=1", "/robots.txt", "/", "/nope/1/2/3");

    @Test
    void headAnswersAsGetDoesWithoutABody() {
        for (String p : PATHS_OF_EVERY_KIND) {
            Http.Res get = http.get(p);
            Http.Res head = http.send("HEAD", p, null);
            assertEquals(get.status(), head.status(), p);
            assertEquals(0, head.body().length, p);
            assertEquals("*", head.header("access-control-allow-origin"), p);
        }
    }

    @Test
    void optionsNamesTheMethodsEachPathAnswers() {
        for (String p : PATHS_OF_EVERY_KIND) {
            Http.Res options = http.send("OPTIONS", p, null);
            assertEquals(204, options.status(), p);
            assertEquals(p.startsWith("/api/v2/ids") ? "GET, HEAD, POST, OPTIONS" : "GET, HEAD, OPTIONS",
                    options.header("allow"), "OPTIONS names what the path answers, as a 405 does: " + p);
            assertEquals("*", options.header("access-control-allow-origin"));
            assertThat(options.header("access-control-allow-methods"), containsString("GET"));
        }
    }

    @Test
    void otherMethodsAre405NamingTheAllowedOnes() {
        for (String p : PATHS_OF_EVERY_KIND) {
            for (String m : List.of("PUT", "DELETE", "PATCH")) {
                Http.Res r = http.send(m, p, "x");
                if (p.startsWith("/api/")) {
                    assertEquals(405, r.status());
                    assertEquals("Method Not Allowed", json(r).get("error").asText(), "arm-server's shape under /api");
                } else {
                    assertError(r, 405, "Method not allowed", null);
                }
                assertEquals(p.equals("/api/v2/ids?source=anilist&id=1") ? "GET, HEAD, POST, OPTIONS"
                        : "GET, HEAD, OPTIONS", r.header("allow"), m + " " + p);
            }
        }
        assertError(http.send("POST", "/status", "[]"), 405, "Method not allowed", null);
        assertEquals("GET, HEAD, OPTIONS", http.send("POST", "/status", "[]").header("allow"));
    }

    @Test
    void platformPathsAllowPostForBatches() {
        assertEquals("GET, HEAD, POST, OPTIONS", http.send("DELETE", "/mal", null).header("allow"));
        assertEquals("GET, HEAD, POST, OPTIONS", http.send("PUT", "/AniList", "x").header("allow"));
    }

    @Test
    void unknownOneSegmentNamesAre404ForEveryMethod() {
        // a one-segment name that is neither a route nor a dump is 404 for every method, like its GET
        assertError(http.send("PUT", "/kurozora", "x"), 404, "Not found", null);
        assertError(http.send("POST", "/nosuchplatform", "[1]"), 404, "Not found", null);
    }

    /**
     * HEAD on the wire: headers only, with the Content-Length a GET's body has, so that the next response on the
     * same keep-alive connection starts right after them (the JDK client above never reads a HEAD body).
     */
    @Test
    void headAnswersCarryNoBodyOnTheWire() throws IOException {
        for (String[] c : List.of(new String[]{"/mal/1", ""}, new String[]{"/mal/999999999", ""},
                new String[]{"/status", ""}, new String[]{"/robots.txt", ""}, new String[]{"/", ""},
                new String[]{"/redirect?from=mal&id=1&raw", ""}, new String[]{"/mal.json", ""},
                new String[]{"/mal.json", "Accept-Encoding: gzip\r\n"}, new String[]{"/animeapi.tsv", ""},
                new String[]{"/nope/1/2/3", ""}, new String[]{"/mal/%00", ""})) {
            String path = c[0];
            String[] gzip = c[1].isEmpty() ? new String[0] : new String[]{"Accept-Encoding", "gzip"};
            byte[] get = http.get(path, gzip).body();
            String wire = twoRequests("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n" + c[1] + "\r\n"
                    + "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            int end = wire.indexOf("\r\n\r\n");
            assertTrue(end > 0, wire);
            String head = wire.substring(0, end);
            assertThat(path, head.toLowerCase(java.util.Locale.ROOT), containsString("content-length: " + get.length));
            assertThat(path + " " + c[1] + ": the next answer must follow the HEAD headers at once",
                    wire.substring(end + 4), startsWith("HTTP/1.1 200"));
        }
    }

    /**
     * HTTP/1.1 connections persist without a {@code Connection: keep-alive} header (RFC 9112; the API does not send
     * it, so a lookup's headers fit Helidon's 256-byte reservation): a second request on the same socket is answered,
     * and {@code Connection: close} is still announced when the client asks for it.
     */
    @Test
    void connectionsPersistWithoutAKeepAliveHeader() throws IOException {
        String wire = exchange("GET /mal/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        int end = wire.indexOf("\r\n\r\n");
        assertTrue(end > 0, wire);
        String first = wire.substring(0, end).toLowerCase(java.util.Locale.ROOT);
        assertThat(first, startsWith("http/1.1 200"));
        assertFalse(first.contains("connection:"), first);
        assertTrue(end + 4 <= 256, "a lookup's headers take " + (end + 4) + " bytes");
        int second = wire.indexOf("HTTP/1.1 200", end);
        assertTrue(second > 0, "the second request on the connection must be answered: " + wire);
        assertThat(wire.substring(second).toLowerCase(java.util.Locale.ROOT), containsString("connection: close"));
    }

    /**
     * The API sets its own HTTP/1.1 protocol config (no keep-alive header); an operator's
     * {@code server.protocols.http_1_1} settings still apply on top of it (an explicit protocol replaces the
     * configured one unless it reads that node).
     */
    @Test
    void configuredHttp1SettingsStillApply() throws IOException {
        io.helidon.config.Config server = io.helidon.config.Config.just(io.helidon.config.ConfigSources.create(
                Map.of("protocols.http_1_1.max-prologue-length", "64")));
        try (Main.Api api = Main.Api.start(fixture.config(fixture.redisUrl, 1, 0), server)) {
            String longPath = "/mal/" + "1".repeat(80); // a 404 under the default 4096-byte prologue limit
            String wire = exchange("http://127.0.0.1:" + api.server().port(),
                    "GET /mal/1 HTTP/1.1\r\nHost: x\r\n\r\nGET " + longPath + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(wire, startsWith("HTTP/1.1 200"));
            int second = wire.indexOf("HTTP/1.1 ", 1);
            assertTrue(second > 0, wire);
            assertFalse(wire.substring(0, second).toLowerCase(java.util.Locale.ROOT).contains("connection:"), wire);
            assertThat(wire.substring(second), startsWith("HTTP/1.1 414"));
        }
    }

    private static String chunked(String path, String body) throws IOException {
        return exchange("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + body);
    }

    /**
     * Writes one raw request (ignoring a write the server cut short) and reads whatever comes back until the
     * server closes or stays quiet for a second.
     */
    private static String exchange(String request) throws IOException {
        return exchange(fixture.base(), request);
    }

    /** {@link #exchange(String)} with the API at {@code base}. */
    private static String exchange(String base, String request) throws IOException {
        java.net.URI u = java.net.URI.create(base);
        try (java.net.Socket s = new java.net.Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(1_000);
            try {
                s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException ex) {
                // the server answered and closed before taking the whole body: read its answer
            }
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = s.getInputStream().read(buf)) >= 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException quietOrReset) {
                // quiet for a second, or reset after the answer: what came so far is the answer
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Writes the requests on one connection and reads until the second answer's headers are complete (Helidon may
     * keep the socket open after {@code Connection: close}, so the end of the stream is not awaited).
     */
    private static String twoRequests(String requests) throws IOException {
        java.net.URI u = java.net.URI.create(fixture.base());
        try (java.net.Socket s = new java.net.Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
            java.io.InputStream in = s.getInputStream();
            StringBuilder got = new StringBuilder();
            byte[] buf = new byte[8192];
            while (true) {
                int first = got.indexOf("\r\n\r\n");
                if (first > 0 && got.length() >= first + 4 + 8
                        && (!got.substring(first + 4, first + 12).equals("HTTP/1.1")
                        || got.indexOf("\r\n\r\n", first + 4) > 0)) {
                    return got.toString(); // a body after the HEAD headers, or the whole second header block
                }
                int n = in.read(buf);
                if (n < 0) {
                    return got.toString();
                }
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void redirectsToEveryPlatformByNameCodeAndAlias() {
        for (Platform target : Platforms.all()) {
            String expected = switch (target.name()) {
                case "trakt" -> "https://trakt.tv/shows/30857/seasons/1";
                case "kurozora" -> "https://kurozora.app/myanimelist.net/anime/1";
                case "myanili" -> "https://myani.li/#/anime/details/1";
                case "letterboxd" -> "https://letterboxd.com/tmdb/1234567";
                default -> target.pageUrl(String.valueOf(BEBOP.get(target.name())));
            };
            Http.Res r = http.get("/redirect?platform=anilist&mediaid=1&target=" + target.name());
            assertEquals(302, r.status(), target.name() + ": " + r.text());
            assertEquals(expected, r.header("location"), target.name());
            Http.Res raw = http.get("/rd?from=al&id=1&to=" + target.code() + "&raw=true");
            assertEquals(200, raw.status());
            assertEquals(expected, raw.text());
            assertThat(raw.header("content-type"), startsWith("text/plain"));
            // every alias of the registry names the same target, also the redirect-only platforms' (krz, myani.li, …)
            for (String alias : target.aliases()) {
                assertEquals(expected, http.get("/rd?from=al&id=1&to=" + alias.toUpperCase() + "&raw").text(), alias);
            }
        }
    }

    @Test
    void redirectTakesShortParameterNamesAndEveryRawFlagForm() {
        assertEquals("https://www.animenewsnetwork.com/encyclopedia/anime.php?id=13",
                http.get("/rd?f=mal&i=1&t=ann&r").text());
        assertEquals("https://www.nautiljon.com/animes/cowboy+bebop.html", http.get("/rd?f=mal&i=1&t=nj&r=1").text());
        assertEquals("https://simkl.com/anime/2095944", http.get("/rd?f=mal&i=1&t=simkl&israw=yes").text());
        assertEquals("https://www.themoviedb.org/movie/1234567", http.get("/rd?f=mal&i=1&t=tmdb&r").text());
        assertEquals(302, http.get("/redirect?platform=mal&id=1&raw=false").status());
    }

    @Test
    void redirectTargetDefaultsToTheSource() {
        // default target: the source itself (from the entry, not from the request)
        assertEquals("https://shikimori.one/animes/1", http.get("/redirect?platform=shikimori&id=z1&r").text(),
                "target defaults to the source; shikimori prefix stripped");
        assertEquals("https://shikimori.one/animes/1", http.get("/redirect?platform=shikimori&id=z1&t=shikimori&r")
                .text());
        assertEquals("https://www.themoviedb.org/movie/1234567", http.get("/redirect?platform=tmdb&id=1234567&r").text());
        assertEquals("https://www.themoviedb.org/movie/1234567", http.get("/redirect?platform=tmdb&id=movie/1234567&r")
                .text());
        assertEquals("https://trakt.tv/shows/30857", http.get("/redirect?platform=trakt&id=shows/30857&r").text());
        assertEquals("https://trakt.tv/shows/30857/seasons/2",
                http.get("/redirect?platform=trakt&id=shows%2F30857%2Fseasons%2F2&raw").text());
        assertEquals("https://www.nautiljon.com/animes/cowboy+bebop.html",
                http.get("/redirect?platform=nautiljon&id=cowboy+bebop&raw").text());
    }

    @Test
    void redirectFromATraktSeasonReachesThatSeasonsEntry() {
        assertEquals("https://myanimelist.net/anime/50000001",
                http.get("/redirect?platform=trakt&id=shows/30857/seasons/2&target=mal&raw").text());
    }

    @Test
    void redirectFromNumericCompanionsDefaultsToTheirPlatformsPage() {
        // the numeric companions are lookup names, not pages: a redirect from them defaults to their platform's page
        assertEquals("https://kaize.io/anime/cowboy-bebop", http.get("/redirect?platform=kaize_id&id=265&raw").text());
        assertEquals("https://kaize.io/anime/cowboy-bebop",
                http.get("/redirect?platform=KAIZE_ID&id=265").header("location"));
        assertEquals("https://www.nautiljon.com/animes/cowboy+bebop.html",
                http.get("/redirect?platform=nautiljon_id&id=1&raw").text());
        assertEquals("https://myanimelist.net/anime/1", http.get("/redirect?platform=kaize_id&id=265&to=mal&raw").text());
    }

    @Test
    void numericCompanionsAreNoRedirectTarget() {
        assertError(http.get("/redirect?platform=mal&id=1&target=kaize_id"), 400, "Invalid target",
                "Target kaize_id not found");
    }

    @Test
    void redirectRejectsMissingOrUnsupportedParameters() {
        assertError(http.get("/redirect"), 400, "Invalid platform",
                "Platform not found, please specify platform by adding `platform` parameter.");
        assertError(http.get("/redirect?platform=mal"), 400, "Invalid platform ID", null);
        assertError(http.get("/redirect?platform=kurozora&id=1"), 400, "Invalid platform source",
                "Platform `kurozora` is not supported as redirect source (one-way)");
        assertError(http.get("/redirect?platform=mal&id=1&target=nope"), 400, "Invalid target", "Target nope not found");
        assertError(http.get("/redirect?platform=trakt&id=shows/slug&target=mal"), 400, "Invalid Trakt ID", null);
        assertError(http.get("/redirect?platform=tmdb&id=tv/1"), 400, "Invalid request", null);
    }

    @Test
    void redirectAnswers404ForAnUnknownIdOrAnEntryMissingOnTheTarget() {
        assertError(http.get("/redirect?platform=mal&id=999999999"), 404, "Not found",
                "Platform myanimelist with ID 999999999 not found");
        assertError(http.get("/redirect?platform=mal&id=50000001&target=anidb"), 404, "Not found",
                "Cowboy Bebop: Season 2 <&> does not exist on anidb using myanimelist with ID 50000001");
    }

    @Test
    void statusReportsCountsFreshnessAndSources() {
        JsonNode s = json(http.get("/status"));
        assertEquals(1, s.get("version").asLong());
        assertEquals(DATA.size(), s.get("counts").get("total").asLong());
        assertEquals(21, s.get("counts").size());
        assertEquals(DATA.values().stream().filter(e -> e.anidb() != null).count(), s.get("counts").get("anidb").asLong());
        assertEquals("2026-11-20T03:04:05Z", s.get("updated").get("iso").asText());
        assertEquals(1795143845L, s.get("updated").get("timestamp").asLong());
        assertEquals("Changed", s.get("sources").get("aod").get("result").asText());
        assertEquals(40000, s.get("sources").get("aod").get("records").asLong());
    }

    @Test
    void statusNamesTheLicenseAndRepository() {
        JsonNode s = json(http.get("/status"));
        assertEquals("AGPL-3.0-only", s.get("license").asText());
        assertTrue(s.get("repository").asText().startsWith("https://"));
    }

    @Test
    void heartbeatAndPingAnswerTheSameShape() {
        for (String p : List.of("/heartbeat", "/ping")) {
            JsonNode h = json(http.get(p));
            assertEquals(List.of("status", "code", "request_time", "response_time", "request_epoch"),
                    Fixture.names(h.fieldNames()));
            assertEquals("OK", h.get("status").asText());
            assertTrue(h.get("request_time").asText().matches("\\d+\\.\\d{3}s"));
        }
    }

    @Test
    void updatedTellsTheDataTimeInPlainText() {
        Http.Res u = http.get("/updated");
        assertEquals("Updated on 11/20/2026 03:04:05 UTC", u.text());
        assertThat(u.header("content-type"), startsWith("text/plain"));
    }

    @Test
    void robotsTxtDisallowsNothing() {
        assertEquals("User-agent: *\nDisallow:", http.get("/robots.txt").text());
    }

    @Test
    void schemaListsEveryEntryKeyUnderBothPaths() {
        JsonNode schema = json(http.get("/schema"));
        assertEquals(AnimeEntry.KEYS, Fixture.names(schema.get("properties").fieldNames()));
        assertEquals(schema, json(http.get("/schema.json")));
    }

    @Test
    void openapiDescribesEveryRoute() {
        JsonNode openapi = json(http.get("/openapi"));
        assertEquals("3.1.0", openapi.get("openapi").asText());
        for (String p : List.of("/{platform}/{id}", "/redirect", "/rd", "/status", "/ping", "/api/v2/ids",
                "/animeapi.tsv", "/themoviedb/{id}", "/robots.txt", "/")) {
            assertTrue(openapi.get("paths").has(p), p);
        }
    }

    @Test
    void openapiRequiresNoRedirectParameter() {
        JsonNode openapi = json(http.get("/openapi"));
        // the redirect's parameters have aliases, so none of them is required on its own
        for (JsonNode param : openapi.at("/paths/~1redirect/get/parameters")) {
            assertFalse(param.path("required").asBoolean(), param.toString());
        }
    }

    @Test
    void landingPageHasTheRedirectFormTheCountAndTheVersion() {
        Http.Res landing = http.get("/");
        assertThat(landing.header("content-type"), startsWith("text/html"));
        assertThat(landing.text(), containsString("<form action=\"/redirect\""));
        assertThat(landing.text(), containsString("<th>" + DATA.size() + "</th>"));
        assertThat(landing.text(), containsString("version 1"));
    }

    @Test
    void landingPageShowsTheFreshnessStatusReports() {
        Http.Res landing = http.get("/");
        String iso = json(http.get("/status")).get("updated").get("iso").asText(); // the freshness /status reports
        assertThat(landing.text(), containsString("version 1, data from " + iso));
    }

    @Test
    void readinessCheckPasses() {
        assertEquals(200, http.get("/observe/health/ready").status());
    }

    @Test
    void metricsTimeRequestsInBucketsWithoutQuantiles() {
        assertEquals(200, http.get("/ping").status()); // a request to count and time, whatever ran before
        String metrics = http.get("/observe/metrics").text();
        assertThat(metrics, containsString("api_requests"));
        // latency as Prometheus buckets only: per-replica quantiles cannot be aggregated and cost an HdrHistogram
        // update per request
        assertThat(metrics, containsString("api_request_seconds_bucket{"));
        assertTrue(metrics.lines().noneMatch(l -> l.startsWith("api_") && l.contains("quantile=")), metrics);
    }

    @Test
    void redisPipeCallsAreTimedAndCounted() {
        // calls through the Redis pipe are timed per round trip and counted
        String metrics = http.get("/observe/metrics").text();
        double timed = metricValue(metrics, "api_redis_call_seconds_count");
        double calls = metricValue(metrics, "api_redis_lookups_total");
        double scripts = metricValue(metrics, "api_redis_script_calls_total");
        double flushes = metricValue(metrics, "api_redis_flushes_total");
        assertEquals(200, http.send("POST", "/mal", "[1]").status()); // batches always ask Redis
        metrics = http.get("/observe/metrics").text();
        assertTrue(metricValue(metrics, "api_redis_call_seconds_count") > timed, metrics);
        assertEquals(calls + 1, metricValue(metrics, "api_redis_lookups_total"), metrics);
        assertEquals(scripts + 1, metricValue(metrics, "api_redis_script_calls_total"), metrics);
        assertEquals(flushes + 1, metricValue(metrics, "api_redis_flushes_total"), metrics);
    }

    @Test
    void requestsAreCountedByRouteAndStatus() {
        String metrics = http.get("/observe/metrics").text();
        double found = metricValue(metrics, "api_requests_total", "route=\"lookup\"", "status=\"200\"");
        double missing = metricValue(metrics, "api_requests_total", "route=\"lookup\"", "status=\"404\"");
        for (int i = 0; i < 3; i++) {
            assertEquals(200, http.get("/anilist/1").status());
        }
        assertEquals(404, http.get("/anilist/999999999").status());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> { // counted after the answer is written
            String m = http.get("/observe/metrics").text();
            assertEquals(found + 3, metricValue(m, "api_requests_total", "route=\"lookup\"", "status=\"200\""), m);
            assertEquals(missing + 1, metricValue(m, "api_requests_total", "route=\"lookup\"", "status=\"404\""), m);
        });
    }

    @Test
    void nearCacheHitsAndRatioFollowItsAnswers() {
        double hits = metricValue(http.get("/observe/metrics").text(), "api_near_cache_hits_total");
        for (int i = 0; i < 3; i++) {
            assertEquals(200, http.get("/anilist/1").status());
        }
        assertEquals(404, http.get("/anilist/999999999").status());
        String metrics = http.get("/observe/metrics").text();
        assertTrue(metricValue(metrics, "api_near_cache_hits_total") >= hits + 2, "two of three repeats hit: " + metrics);
        double ratio = metricValue(metrics, "api_near_cache_hit_ratio");
        double expected = metricValue(metrics, "api_near_cache_hits_total")
                / (metricValue(metrics, "api_near_cache_hits_total") + metricValue(metrics, "api_near_cache_misses_total"));
        assertEquals(expected, ratio, 0.01, metrics);
        assertTrue(ratio > 0 && ratio < 1, metrics);
    }

    @Test
    void anUncachedLookupIsOneScriptCallInOneWrite() {
        // one uncached lookup is one script call in one socket write (both tiers resolved in Redis)
        String metrics = http.get("/observe/metrics").text();
        double scriptsBefore = metricValue(metrics, "api_redis_script_calls_total");
        double flushesBefore = metricValue(metrics, "api_redis_flushes_total");
        long unknown = 800_000_000L + new java.util.Random().nextInt(100_000_000); // never asked: a near-cache miss
        assertEquals(404, http.get("/anidb/" + unknown).status());
        metrics = http.get("/observe/metrics").text();
        assertEquals(scriptsBefore + 1, metricValue(metrics, "api_redis_script_calls_total"), metrics);
        assertEquals(flushesBefore + 1, metricValue(metrics, "api_redis_flushes_total"), metrics);
    }

    @Test
    void eachNearCacheMissOfAFoundEntryIsOneScriptCall() {
        // a found entry too: each near-cache miss costs exactly one script call
        String metrics = http.get("/observe/metrics").text();
        double misses = metricValue(metrics, "api_near_cache_misses_total");
        double scriptsBefore = metricValue(metrics, "api_redis_script_calls_total");
        AnimeEntry some = DATA.values().stream().filter(e -> e.anidb() != null).skip(DATA.size() / 2).findFirst()
                .orElseThrow();
        assertEquals(200, http.get("/anidb/" + some.anidb()).status());
        metrics = http.get("/observe/metrics").text();
        assertEquals(metricValue(metrics, "api_near_cache_misses_total") - misses,
                metricValue(metrics, "api_redis_script_calls_total") - scriptsBefore, metrics);
    }

    @Test
    void dumpsAreBuiltOncePerVersion() {
        // dumps are built once per version, then served as built: more requests build nothing and read no snapshot
        for (String dump : List.of("/animeapi.tsv", "/mal.json", "/anilist().json")) {
            assertEquals(200, http.get(dump).status());
        }
        String metrics = http.get("/observe/metrics").text();
        double builds = metricValue(metrics, "api_dump_builds_total");
        double snapshots = metricValue(metrics, "api_dataset_snapshots_total");
        assertTrue(builds >= 3 && snapshots >= 1, metrics);
        for (int i = 0; i < 3; i++) {
            for (String dump : List.of("/animeapi.tsv", "/mal.json", "/anilist().json")) {
                assertEquals(200, http.get(dump).status());
                assertEquals(200, http.get(dump, "Accept-Encoding", "gzip").status());
            }
            assertEquals(200, http.get("/api/v2/imdb?id=tt0213338").status());
        }
        metrics = http.get("/observe/metrics").text();
        assertEquals(builds, metricValue(metrics, "api_dump_builds_total"), metrics);
        assertEquals(snapshots, metricValue(metrics, "api_dataset_snapshots_total"), metrics);
    }

    /**
     * The value of a metric's first sample in the Prometheus text whose tags contain every one of {@code tags}
     * ({@code key="value"}), or 0 when there is none.
     */
    private static double metricValue(String text, String name, String... tags) {
        for (String line : text.split("\n")) {
            if ((line.startsWith(name + " ") || line.startsWith(name + "{"))
                    && java.util.Arrays.stream(tags).allMatch(t -> line.contains(t))) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    @Test
    void batchKeepsOrderWithNulls() {
        Http.Res r = http.send("POST", "/mal", "[1, \"50000001\", null, 999999999, \"abc\", \"z1\", 1]",
                "Content-Type", "application/json");
        assertEquals(200, r.status(), r.text());
        JsonNode a = json(r);
        assertEquals(7, a.size());
        assertEquals("Cowboy Bebop", a.get(0).get("title").asText());
        assertEquals(50000001, a.get(1).get("myanimelist").asInt());
        assertTrue(a.get(2).isNull());
        assertTrue(a.get(3).isNull());
        assertTrue(a.get(4).isNull());
        assertTrue(a.get(5).isNull(), "batch IDs of integer platforms are plain integers");
        assertEquals(a.get(0), a.get(6));
        assertEquals(json(http.get("/shikimori/z1")), json(http.send("POST", "/shiki", "[\"z1\"]")).get(0));
        JsonNode t = json(http.send("POST", "/trakt", "[\"shows/30857\", \"shows/30857/seasons/2\", \"x\"]"));
        assertEquals(Fixture.HAND + 0, 900_001L);
        assertEquals("Cowboy Bebop", t.get(0).get("title").asText());
        assertEquals(2, t.get(1).get("trakt_season").asInt());
        assertTrue(t.get(2).isNull());
        assertEquals("[]", http.send("POST", "/anilist", "[]").text());
        StringBuilder big = new StringBuilder("[");
        for (int i = 0; i < 501; i++) {
            big.append(i == 0 ? "" : ",").append(i);
        }
        assertError(http.send("POST", "/mal", big + "]"), 400, "Invalid request", "At most 500 IDs per request");
        StringBuilder ok = new StringBuilder("[");
        for (int i = 0; i < 500; i++) {
            ok.append(i == 0 ? "" : ",").append(i);
        }
        assertEquals(500, json(http.send("POST", "/mal", ok + "]")).size());
        assertError(http.send("POST", "/mal", "{\"a\":1}"), 400, "Invalid request", null);
        assertError(http.send("POST", "/mal", "[1,"), 400, "Invalid request", null);
        assertError(http.send("POST", "/mal", "[{}]"), 400, "Invalid request", null);
        assertError(http.send("POST", "/mal", "[1.5]"), 400, "Invalid request", null);
        assertError(http.send("POST", "/mal", "not json"), 400, "Invalid request", null);
        assertError(http.send("POST", "/mal", ""), 400, "Invalid request", null);
    }

    @Test
    void armIdsAnswerEveryFieldInArmServersOrder() {
        JsonNode one = json(http.get("/api/v2/ids?source=anilist&id=1"));
        assertEquals(List.of("anidb", "anilist", "animecountdown", "animenewsnetwork", "anime-planet", "anisearch",
                "imdb", "kitsu", "livechart", "myanimelist", "media", "simkl", "themoviedb", "themoviedb-season",
                "thetvdb", "thetvdb-season"), Fixture.names(one.fieldNames()));
        assertEquals(23, one.get("anidb").asInt());
        assertEquals(2095944, one.get("animecountdown").asInt());
        assertEquals("cowboy-bebop", one.get("anime-planet").asText());
        assertEquals(30991, one.get("themoviedb").asInt());
    }

    @Test
    void armIncludeKeepsOnlyTheNamedFieldsOnce() {
        Http.Res r = http.get("/api/v2/ids?source=anilist&id=1&include=anilist,myanimelist,nothing,anilist");
        assertEquals("{\"anilist\":1,\"myanimelist\":1}", r.text());
        assertEquals("{}", http.get("/api/v2/ids?source=anilist&id=1&include=nothing").text());
    }

    @Test
    void armAnswersAreCachedForSixHours() {
        Http.Res r = http.get("/api/v2/ids?source=anilist&id=1&include=anilist,myanimelist,nothing,anilist");
        assertEquals("public, max-age=21600", r.header("cache-control"));
    }

    @Test
    void armIdsFindTheEntryFromOtherSources() {
        assertEquals(1, json(http.get("/api/v2/ids?source=anime-planet&id=cowboy-bebop")).get("anilist").asInt());
        assertEquals(1, json(http.get("/api/v2/ids?source=animecountdown&id=2095944")).get("anilist").asInt());
        assertEquals(1, json(http.get("/api/v2/ids?source=myanimelist&id=1e0")).get("anilist").asInt());
    }

    @Test
    void armUnknownIdAnswersJsonNull() {
        Http.Res missing = http.get("/api/v2/ids?source=anilist&id=49999999");
        assertEquals(200, missing.status());
        assertEquals("null", missing.text());
        assertEquals("application/json", missing.header("content-type"));
    }

    @Test
    void armInvalidQueriesAreFastifyValidationErrors() {
        for (String q : List.of("source=imdb&id=tt0213338", "source=anilist&id=0", "source=anilist&id=50000001",
                "source=anilist&id=abc", "source=anilist", "id=1", "source=anilist&id=1.5",
                "source=anilist&id=1&include=ANILIST", "source=anilist&id=1&include=,", "source=anilist&id=1&include=",
                "source=anilist&id=1d", "source=anilist&id=0x%2B10", "source=anilist&id=")) {
            Http.Res bad = http.get("/api/v2/ids?" + q);
            assertEquals(400, bad.status(), q);
            JsonNode b = json(bad);
            assertEquals("Validation error", b.get("message").asText());
            assertEquals("FST_ERR_VALIDATION", b.get("code").asText());
            assertEquals(400, b.get("statusCode").asInt());
            assertEquals("Bad Request", b.get("error").asText());
            assertTrue(b.get("details").isObject(), q);
        }
    }

    @Test
    void armBatchAnswersEachItemInOrderWithNulls() {
        JsonNode batch = json(http.send("POST", "/api/v2/ids?include=anilist",
                "[{\"anilist\":1},{\"myanimelist\":49999999},{\"anidb\":\"23\",\"kitsu\":999},{\"anime-planet\":\"cowboy-bebop\"}]"));
        assertEquals("[{\"anilist\":1},null,{\"anilist\":1},{\"anilist\":1}]", batch.toString());
    }

    @Test
    void armPostOfOneObjectAnswersOneObjectOrNull() {
        assertEquals("{\"anilist\":1}", http.send("POST", "/api/v2/ids?include=anilist", "{\"anidb\":23}").text());
        assertEquals("null", http.send("POST", "/api/v2/ids", "{\"anidb\":2}").text());
    }

    @Test
    void armBatchTakesAtMost100Items() {
        StringBuilder big = new StringBuilder("[");
        for (int i = 0; i < 101; i++) {
            big.append(i == 0 ? "" : ",").append("{\"anilist\":").append(i + 1).append('}');
        }
        Http.Res tooMany = http.send("POST", "/api/v2/ids", big + "]");
        assertEquals(400, tooMany.status());
        assertEquals("FST_ERR_VALIDATION", json(tooMany).get("code").asText());
        assertEquals(100, json(http.send("POST", "/api/v2/ids", big.substring(0, big.lastIndexOf(",{")) + "]")).size());
    }

    @Test
    void armBatchRejectsEmptyAndInvalidBodies() {
        Http.Res empty = http.send("POST", "/api/v2/ids", "[{}]");
        assertEquals(400, empty.status());
        assertEquals("At least one ID must be provided", json(empty).get("details").get("nested").get("0").get(0)
                .asText());
        assertEquals(400, http.send("POST", "/api/v2/ids", "[]").status());
        assertEquals(400, http.send("POST", "/api/v2/ids", "[{\"imdb\":\"tt1\"}]").status());
        assertEquals(400, http.send("POST", "/api/v2/ids", "nope").status());
    }

    @Test
    void armImdbListsEveryEntryOfTheId() {
        JsonNode imdb = json(http.get("/api/v2/imdb?id=tt0213338"));
        assertEquals(2, imdb.size());
        assertEquals(1, imdb.get(0).get("myanimelist").asInt());
        assertEquals(50000001, imdb.get(1).get("myanimelist").asInt());
        assertEquals("[]", http.get("/api/v2/imdb?id=tt404").text());
        assertEquals(400, http.get("/api/v2/imdb?id=nm1").status());
    }

    @Test
    void armThetvdbAndThemoviedbListEveryEntryOfTheId() {
        assertEquals(2, json(http.get("/api/v2/thetvdb?id=76885")).size());
        assertEquals(2, json(http.get("/api/v2/themoviedb?id=30991")).size());
        assertEquals("[{\"myanimelist\":50000004}]", http.get("/api/v2/themoviedb?id=2000001&include=myanimelist")
                .text());
        assertEquals(400, http.get("/api/v2/thetvdb?id=x").status());
    }

    @Test
    void malDumpHoldsEveryEntryUnderItsId() {
        JsonNode object = json(http.get("/mal.json"));
        long withMal = DATA.values().stream().filter(e -> e.myanimelist() != null).count();
        assertEquals(withMal, object.size());
        DATA.forEach((id, e) -> {
            try {
                assertEquals(JSON.readTree(CanonicalJson.toBytes(e)), object.get(String.valueOf(e.myanimelist())));
            } catch (IOException ex) {
                throw new AssertionError(ex);
            }
        });
    }

    @Test
    void dumpsAnswerToThePlatformsNamesAndAliases() {
        JsonNode object = json(http.get("/mal.json"));
        assertEquals(object, json(http.get("/myanimelist")));
        assertEquals(object, json(http.get("/MA.json")));
    }

    @Test
    void arrayDumpHoldsEveryEntryAlsoWithEncodedParentheses() {
        long withMal = DATA.values().stream().filter(e -> e.myanimelist() != null).count();
        JsonNode array = json(http.get("/mal().json"));
        assertEquals(withMal, array.size());
        assertEquals(array, json(http.get("/mal%28%29.json")));
    }

    @Test
    void traktAndThemoviedbDumpsAreKeyedByTheirIdPaths() {
        JsonNode trakt = json(http.get("/trakt.json"));
        assertEquals("Cowboy Bebop", trakt.get("shows/30857").get("title").asText());
        assertEquals(2, trakt.get("shows/30857/seasons/2").get("trakt_season").asInt());
        assertEquals("A Movie", json(http.get("/themoviedb.json")).get("2000001").get("title").asText());
    }

    @Test
    void animeapiDumpHoldsEveryEntryAlsoUnderItsCode() {
        JsonNode all = json(http.get("/animeapi.json"));
        assertEquals(DATA.size(), all.size());
        assertEquals(all, json(http.get("/aa")));
    }

    @Test
    void tsvDumpHasAHeaderOfTheKeysAndOneRowPerEntry() {
        String tsv = http.get("/animeapi.tsv").text();
        String[] lines = tsv.split("\n");
        assertEquals(String.join("\t", AnimeEntry.KEYS), lines[0]);
        assertEquals(DATA.size() + 1, lines.length);
        assertTrue(tsv.contains("Cowboy Bebop\t23\t1\t13\tcowboy-bebop\t"));
        assertEquals(AnimeEntry.KEYS.size(), lines[1].split("\t", -1).length);
    }

    @Test
    void dumpsAreGzippedOnlyWhenAsked() throws IOException {
        JsonNode object = json(http.get("/mal.json"));
        Http.Res gz = http.get("/mal.json", "Accept-Encoding", "gzip, deflate");
        assertEquals("gzip", gz.header("content-encoding"));
        assertEquals("Accept-Encoding", gz.header("vary"));
        byte[] inflated = new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes();
        assertEquals(object, JSON.readTree(inflated));
        assertNull(http.get("/mal.json").header("content-encoding"));
    }

    @Test
    void gzipAndPlainDumpsHaveTheirOwnValidators() {
        String etag = http.get("/mal.json", "Accept-Encoding", "gzip, deflate").header("etag");
        assertEquals(304, http.get("/mal.json", "If-None-Match", etag, "Accept-Encoding", "gzip").status());
        // the identity representation has its own strong validator (RFC 9110 §8.8.3)
        String plainTag = http.get("/mal.json").header("etag");
        assertFalse(plainTag.equals(etag), plainTag + " vs " + etag);
        assertEquals(304, http.get("/mal.json", "If-None-Match", plainTag).status());
        assertEquals(200, http.get("/mal.json", "If-None-Match", etag).status(), "a gzip validator for the plain body");
    }

    @Test
    void gzipFollowsTheAcceptEncodingQualities() {
        for (String refused : List.of("gzip;q=0", "gzip; q=0.0", "gzip;q=0.000, identity", "gzip;q=x", "gzip;q=0, *",
                "*, gzip;q=0")) {
            assertNull(http.get("/mal.json", "Accept-Encoding", refused).header("content-encoding"), refused);
        }
        for (String accepted : List.of("gzip;q=0.5", "deflate, gzip;q=1.0", "*", "x-gzip")) {
            assertEquals("gzip", http.get("/mal.json", "Accept-Encoding", accepted).header("content-encoding"), accepted);
        }
    }

    @Test
    void unknownDumpsAre404() {
        assertError(http.get("/nope.json"), 404, "Not found", null);
        assertError(http.get("/kurozora.json"), 404, "Not found", null);
        assertError(http.get("/mal.tsv"), 404, "Not found", null);
    }

    @Test
    void hostileInputIsAnsweredWithJson4xx() throws IOException {
        String longId = "9".repeat(5000);
        List<String> targets = List.of("/mal/" + longId, "/animeplanet/" + "a".repeat(300), "/mal/%00", "/mal/1%00",
                "/animeplanet/%2F..%2F..%2Fetc%2Fpasswd", "/mal/..%2F..%2Fstatus", "/mal/%0d%0a", "/mal/%0D%0ASet-Cookie:x",
                "/mal/%", "/mal/%zz", "/mal/%C3%28", "/%00/1", "/mal%00/1", "/trakt/shows/%00", "/trakt/shows/1/seasons/%0a",
                "/rd?f=mal&i=%0d%0a&t=anidb", "/rd?f=mal&i=1%0d%0aLocation:%20http://evil&t=anidb",
                "/redirect?platform=animeplanet&id=x%0d%0ay", "/redirect?platform=%00&id=1", "/api/v2/ids?source=anilist&id=%00",
                "/api/v2/imdb?id=tt%0d%0a", "/api/v2/ids?source=anime-planet&id=" + "a".repeat(151), "/%2e%2e/%2e%2e/etc/passwd",
                "/../../etc/passwd", "/mal/1?x=%zz", "/" + "a".repeat(3000) + ".json", "/rd?%zz=1");
        for (String t : targets) {
            Http.Res r = http.raw("GET", t, null);
            assertTrue(r.status() >= 400 && r.status() < 500, t + " → " + r.status() + " " + r.text());
            assertEquals("application/json", r.header("content-type"), t);
            json(r);
            assertNull(r.header("location"), t);
            assertFalse(r.headers().containsKey("set-cookie"), t);
        }
        byte[] mb = new byte[1 << 20];
        java.util.Arrays.fill(mb, (byte) '1');
        mb[0] = '[';
        for (String p : List.of("/mal", "/api/v2/ids")) {
            Http.Res r = http.raw("POST", p, mb);
            assertTrue(r.status() == 413 || r.status() == 400, p + " → " + r.status());
            json(r);
        }
        // chunked bodies Helidon cannot decode (400), or longer than the API's 256 KiB limit (413): one JSON answer,
        // the connection closed, and nothing of the body ever parsed as a next request
        String chunk = Integer.toHexString(1 << 16) + "\r\n" + "1".repeat(1 << 16) + "\r\n";
        for (String p : List.of("/mal", "/api/v2/ids")) {
            for (String body : List.of("zz\r\n[1]\r\n0\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\n\r\n",
                    "3\r\n[1]\r\nxyz\r\n\r\n", "1\r\n[\r\n" + chunk.repeat(5) + "0\r\n\r\n")) {
                String wire = chunked(p, body);
                String what = p + " " + body.substring(0, Math.min(20, body.length()));
                assertTrue(wire.startsWith(body.length() > (1 << 18) ? "HTTP/1.1 413 " : "HTTP/1.1 400 "),
                        what + "\n" + wire);
                assertThat(what, wire.toLowerCase(java.util.Locale.ROOT), containsString("connection: close"));
                assertEquals(1, wire.split("HTTP/1\\.1 ", -1).length - 1, what + ": one answer only\n" + wire);
                JSON.readTree(wire.substring(wire.indexOf("\r\n\r\n") + 4));
            }
            // past the server's own 4 MiB, or malformed after the API's limit: the rest cannot be drained, so the
            // close may reset the connection before the client reads the 413 (TCP discards it); what does arrive is
            // that one 413, never a 5xx or a second answer
            for (String body : List.of("1\r\n[\r\n" + chunk.repeat(80) + "0\r\n\r\n",
                    "1\r\n[\r\n" + chunk.repeat(5) + "zz\r\n")) {
                String wire = chunked(p, body);
                assertTrue(wire.isEmpty()
                        || wire.startsWith("HTTP/1.1 413 ") && wire.split("HTTP/1\\.1 ", -1).length == 2, p + "\n" + wire);
            }
        }
        for (String body : List.of("[\"" + "x".repeat(10_000) + "\"]", "[\"\\u0000\"]", "[\"a\\r\\nb\"]",
                "[[[[[[[[[[]]]]]]]]]]", "[" + "1,".repeat(10) + "]", "\"str\"", "null", "[true]")) {
            Http.Res r = http.send("POST", "/mal", body);
            assertTrue(r.status() == 200 || r.status() == 400, body + " → " + r.status());
            json(r);
        }
        for (String body : List.of("{\"anilist\": {\"x\": 1}}", "[null]", "[[]]", "{\"anilist\": null}",
                "{\"anime-planet\": \"" + "x".repeat(200) + "\"}", "{\"__proto__\": 1}")) {
            Http.Res r = http.send("POST", "/api/v2/ids", body);
            assertEquals(400, r.status(), body + " → " + r.text());
        }
        // every Location this API ever sends starts with a registry template
        List<String> prefixes = Platforms.all().stream().map(p -> p.urlTemplate().substring(0,
                p.urlTemplate().indexOf("{id}"))).toList();
        for (String id : List.of("1", "265", "z1", "cowboy-bebop", "%2F%2Fevil.com", "1%23x", "..%2F..", "tt0213338")) {
            for (String source : List.of("kaize_id", "nautiljon_id")) { // lookup names without a template of their own
                for (String to : List.of("", "&raw")) {
                    Http.Res r = http.get("/redirect?platform=" + source + "&id=" + id + to);
                    String loc = r.status() == 302 ? r.header("location") : r.status() == 200 ? r.text() : null;
                    assertTrue(r.status() < 500, r.text());
                    if (loc != null) {
                        assertTrue(prefixes.stream().anyMatch(loc::startsWith), source + " " + id + " → " + loc);
                    }
                }
            }
            for (Platform p : Platforms.all()) {
                Http.Res r = http.get("/redirect?platform=" + (p.redirectOnly() ? "mal" : p.name()) + "&id=" + id
                        + "&target=" + p.name());
                assertTrue(r.status() < 500, r.text());
                String loc = r.header("location");
                if (loc != null) {
                    assertTrue(prefixes.stream().anyMatch(loc::startsWith) || loc.startsWith("https://trakt.tv/"), loc);
                    assertFalse(loc.contains("\r") || loc.contains("\n") || loc.contains(" "), loc);
                }
            }
        }
    }

    @Test
    void animeplanetSlugWithEveryByteRoundTrips() {
        // IDs are decoded exactly once: %2F stays inside the ID, %25 is a literal percent
        assertError(http.get("/animeplanet/a%2Fb"), 404, "Not found", "Platform animeplanet with ID a/b not found");
        assertError(http.get("/animeplanet/100%25"), 404, "Not found", "Platform animeplanet with ID 100% not found");
        assertError(http.get("/animeplanet/%E9%AD%94"), 404, "Not found", "Platform animeplanet with ID 魔 not found");
        assertEquals(IdType.STRING, Platforms.resolve("ap").idType());
        assertEquals(BEBOP.animeplanet(), new String(json(http.get("/ap/cowboy-bebop")).get("animeplanet").asText()
                .getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }
}
