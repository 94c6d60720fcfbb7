package moe.ids.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Real HTTP over loopback against the recorded upstream; skipped when the folder is absent.
 */
class ReplayServerIT {

    private static final String AOD = "https://github.com/manami-project/anime-offline-database/releases/download/"
            + "latest/anime-offline-database-minified.json.zst";
    private static final String ARM = "https://raw.githubusercontent.com/kawaiioverflow/arm/master/arm.json";
    private static final String KAIZE_LOGIN = "https://kaize.io/login";
    private static final String KAIZE_PAGE = "https://kaize.io/anime/top?page=";
    private static final String OTAKOTAKU_API = "https://otakotaku.com/api/anime/view/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path upstream;
    private static ReplayServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() {
        upstream = ReplayServer.locateUpstream().orElse(null);
        Assumptions.assumeTrue(upstream != null, "recorded upstream not found at "
                + System.getProperty(ReplayServer.UPSTREAM_PROPERTY, "../shared/upstream"));
        server = ReplayServer.start(upstream, "a");
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (client != null) {
            client.close();
        }
    }

    @BeforeEach
    void snapshotA() {
        server.snapshot("a");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "b", "faults"})
    void everyRowIsServedExactly(String snapshot) throws Exception {
        server.snapshot(snapshot);
        List<IndexRow> rows = IndexTsv.read(upstream.resolve(snapshot).resolve("index.tsv"));
        int checked = 0;
        for (IndexRow row : rows) {
            if (row.isPattern()) {
                continue;
            }
            for (int n = 1; n < row.seq(); n++) {
                send(row.method(), row.url(), Map.of());
            }
            HttpResponse<byte[]> res = send(row.method(), row.url(), Map.of());
            String what = snapshot + " " + row.key();
            assertThat(what, res.statusCode(), is(row.status()));
            assertThat(what, res.headers().firstValue("Content-Type").orElse(""), is(row.contentType()));
            Map<String, List<String>> expected = row.responseHeaders().stream().collect(Collectors.groupingBy(
                    IndexRow.HeaderField::name, Collectors.mapping(IndexRow.HeaderField::value, Collectors.toList())));
            expected.forEach((name, values) -> assertThat(what + " " + name, res.headers().allValues(name),
                                                           is(values)));
            assertThat(what, res.headers().map().keySet().stream()
                    .filter(h -> h.toLowerCase().startsWith("x-fixture-")).toList(), is(empty()));
            long size = Files.size(row.file());
            assertThat(what, res.headers().firstValueAsLong("Content-Length").orElse(-1), is(size));
            if (row.method().equals("HEAD")) {
                assertThat(what, res.body().length, is(0));
            } else {
                assertThat(what, sha256(res.body()), is(sha256(Files.readAllBytes(row.file()))));
            }
            checked++;
        }
        assertThat(checked, is(rows.size() - (snapshot.equals("faults") ? 0 : 1)));
    }

    @Test
    void kaizeLoginSendsBothCookies() throws Exception {
        HttpResponse<byte[]> get = get(KAIZE_LOGIN, Map.of());
        HttpResponse<byte[]> post = send("POST", KAIZE_LOGIN, Map.of());

        assertThat(get.statusCode(), is(200));
        assertThat(get.headers().allValues("Set-Cookie"), hasSize(2));
        assertThat(get.headers().allValues("Set-Cookie").get(0), startsWith("XSRF-TOKEN="));
        assertThat(get.headers().allValues("Set-Cookie").get(1), startsWith("kaize_session="));
        assertThat(post.statusCode(), is(302));
        assertThat(post.headers().firstValue("Location").orElseThrow(), is("https://kaize.io/"));
        assertThat(post.headers().allValues("Set-Cookie"), hasSize(2));
    }

    @Test
    void headAnswersHeadersAndLengthWithoutBody() throws Exception {
        IndexRow head = row("a", "HEAD " + AOD);
        HttpResponse<byte[]> aod = send("HEAD", AOD, Map.of());
        HttpResponse<byte[]> page = send("HEAD", KAIZE_PAGE + "3", Map.of());

        assertThat(aod.statusCode(), is(200));
        assertThat(aod.headers().firstValue("ETag"), is(head.header("ETag")));
        assertThat(aod.headers().firstValueAsLong("Content-Length").orElseThrow(), is(Files.size(head.file())));
        assertThat(aod.body().length, is(0));
        // no HEAD row: answered from the GET row
        assertThat(page.statusCode(), is(200));
        assertThat(page.headers().firstValueAsLong("Content-Length").orElseThrow(),
                   is(Files.size(row("a", "GET " + KAIZE_PAGE + "3").file())));
        assertThat(page.body().length, is(0));
    }

    @Test
    void conditionalRequests() throws Exception {
        IndexRow row = row("a", "GET " + ARM);
        String etag = row.header("ETag").orElseThrow();
        String lastModified = row.header("Last-Modified").orElseThrow();

        HttpResponse<byte[]> match = get(ARM, Map.of("If-None-Match", etag));
        assertThat(match.statusCode(), is(304));
        assertThat(match.headers().firstValue("ETag").orElseThrow(), is(etag));
        assertThat(match.headers().firstValue("Last-Modified").orElseThrow(), is(lastModified));
        assertThat(match.body().length, is(0));
        assertThat(get(ARM, Map.of("If-None-Match", "\"other\", W/" + etag)).statusCode(), is(304));
        assertThat(get(ARM, Map.of("If-None-Match", "*")).statusCode(), is(304));

        HttpResponse<byte[]> wrong = get(ARM, Map.of("If-None-Match", "\"nope\""));
        assertThat(wrong.statusCode(), is(200));
        assertThat(sha256(wrong.body()), is(sha256(Files.readAllBytes(row.file()))));
        // If-None-Match decides alone
        assertThat(get(ARM, Map.of("If-None-Match", "\"nope\"", "If-Modified-Since", lastModified)).statusCode(),
                   is(200));

        assertThat(get(ARM, Map.of("If-Modified-Since", lastModified)).statusCode(), is(304));
        assertThat(get(ARM, Map.of("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")).statusCode(), is(304));
        assertThat(get(ARM, Map.of("If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT")).statusCode(), is(200));
        assertThat(get(ARM, Map.of("If-Modified-Since", "garbage")).statusCode(), is(200));
        assertThat(send("HEAD", AOD, Map.of("If-None-Match", row("a", "HEAD " + AOD).header("ETag").orElseThrow()))
                           .statusCode(), is(304));
    }

    @Test
    void sequencesAdvanceAndLastRepeats() throws Exception {
        server.snapshot("faults");
        HttpResponse<byte[]> first = get(ARM, Map.of());
        assertThat(first.statusCode(), is(503));
        assertThat(first.headers().map().keySet().stream().filter(h -> h.toLowerCase().startsWith("x-fixture"))
                           .toList(), is(empty()));
        assertThat(get(ARM, Map.of()).statusCode(), is(200));
        assertThat(get(ARM, Map.of()).statusCode(), is(200));
        assertThat(server.requestCount("GET", ARM), is(3));

        server.resetSequences();
        assertThat(get(ARM, Map.of()).statusCode(), is(503));

        assertThat(get(KAIZE_PAGE + "2", Map.of()).statusCode(), is(429));
        assertThat(get(KAIZE_PAGE + "2", Map.of()).statusCode(), is(200));
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> page5 = get(KAIZE_PAGE + "5", Map.of());
            assertThat(page5.statusCode(), is(429));
            assertThat(page5.headers().firstValue("Retry-After").orElseThrow(), is("2"));
        }
    }

    @Test
    void otakOtakuPatternRow() throws Exception {
        Path jsonl = upstream.resolve("a/otakotaku/otakotaku-api.jsonl");
        String firstLine;
        int lines;
        try (BufferedReader reader = Files.newBufferedReader(jsonl)) {
            firstLine = reader.readLine();
            lines = 1 + (int) reader.lines().count();
        }
        JsonNode node = JSON.readTree(firstLine);
        byte[] compact = JSON.writeValueAsBytes(node.get("body"));
        String rawBody = firstLine.substring("{\"id\":1,\"body\":".length(), firstLine.length() - 1);

        HttpResponse<byte[]> one = get(OTAKOTAKU_API + "1", Map.of());
        assertThat(one.statusCode(), is(200));
        assertThat(one.headers().firstValue("Content-Type").orElseThrow(), is("application/json; charset=utf-8"));
        assertThat(one.body(), is(compact));
        assertThat(new String(one.body(), StandardCharsets.UTF_8), is(rawBody));
        assertThat(new String(get(OTAKOTAKU_API + "2", Map.of()).body(), StandardCharsets.UTF_8),
                   is("{\"status\":false,\"data\":null}"));
        assertThat(get(OTAKOTAKU_API + lines, Map.of()).statusCode(), is(200));
        for (String bad : new String[] {String.valueOf(lines + 1), "1abc", "0", "01", "-1", "1/", "1?x=1", ""}) {
            assertThat(bad, get(OTAKOTAKU_API + bad, Map.of()).statusCode(), is(404));
        }
        assertThat(get(OTAKOTAKU_API + "1149", Map.of()).headers().firstValue("Content-Type").orElseThrow(),
                   startsWith("application/json"));

        server.snapshot("faults");
        HttpResponse<byte[]> fault = get(OTAKOTAKU_API + "1149", Map.of());
        assertThat(fault.statusCode(), is(200));
        assertThat(fault.headers().firstValue("Content-Type").orElseThrow(), startsWith("text/html"));
        assertThat(fault.body(), is(Files.readAllBytes(upstream.resolve("faults/otakotaku/api-view-1149.html"))));
        assertThat(get(OTAKOTAKU_API + "1150", Map.of()).headers().firstValue("Content-Type").orElseThrow(),
                   startsWith("application/json"));
    }

    @Test
    void switchingSnapshotChangesAodEtag() throws Exception {
        String etagA = send("HEAD", AOD, Map.of()).headers().firstValue("ETag").orElseThrow();
        server.snapshot("b");
        String etagB = get(AOD, Map.of()).headers().firstValue("ETag").orElseThrow();

        assertThat(etagA, is(row("a", "HEAD " + AOD).header("ETag").orElseThrow()));
        assertThat(etagB, is(row("b", "GET " + AOD).header("ETag").orElseThrow()));
        assertThat(etagB, is(not(etagA)));
        assertThat(server.snapshot(), is("b"));
    }

    @Test
    void enablingOnlySomeFaults() throws Exception {
        server.enableFaults(Set.of("arm-503-then-200", "kaize-429-always"));

        assertThat(server.snapshot(), is("faults"));
        assertThat(server.enabledFaults(), is(Set.of("arm-503-then-200", "kaize-429-always")));
        assertThat(get(ARM, Map.of()).statusCode(), is(503));
        assertThat(get(KAIZE_PAGE + "5", Map.of()).statusCode(), is(429));
        assertThat(get(KAIZE_PAGE + "2", Map.of()).statusCode(), is(200));
        assertThat(get(OTAKOTAKU_API + "1149", Map.of()).headers().firstValue("Content-Type").orElseThrow(),
                   startsWith("application/json"));
        assertThat(get("https://kaize.io/account/settings", Map.of()).statusCode(), is(200));
        assertThat(get(AOD, Map.of()).headers().firstValue("ETag"), is(row("b", "GET " + AOD).header("ETag")));

        server.enableFaults(Set.of());
        assertThat(get(ARM, Map.of()).statusCode(), is(200));
        assertThrows(IllegalArgumentException.class, () -> server.enableFaults(Set.of("no-such-fault")));
        assertThrows(IllegalArgumentException.class, () -> server.snapshot("c"));
    }

    @Test
    void unknownRequestsAre404() throws Exception {
        HttpResponse<byte[]> missing = get("https://kaize.io/nope", Map.of());
        assertThat(missing.statusCode(), is(404));
        assertThat(new String(missing.body(), StandardCharsets.UTF_8), containsString("not recorded"));
        assertThat(get(KAIZE_PAGE + "3&x=1", Map.of()).statusCode(), is(404));
        assertThat(send("DELETE", ARM, Map.of()).statusCode(), is(404));
        assertThat(send("POST", ARM, Map.of()).statusCode(), is(404));
        assertThat(server.requestCount("GET", "https://kaize.io/nope"), is(1));
    }

    @Test
    void adminEndpoints() throws Exception {
        HttpResponse<byte[]> switched = admin("POST", "snapshot?name=faults&faults=kaize-429-always");
        assertThat(switched.statusCode(), is(200));
        assertThat(JSON.readTree(switched.body()).get("faults").get(0).asText(), is("kaize-429-always"));
        assertThat(get(KAIZE_PAGE + "5", Map.of()).statusCode(), is(429));
        assertThat(get(ARM, Map.of()).statusCode(), is(200));

        JsonNode counts = JSON.readTree(admin("GET", "requests").body());
        assertThat(counts.get("snapshot").asText(), is("faults"));
        assertThat(counts.get("requests").get("GET " + KAIZE_PAGE + "5").asInt(), is(1));

        assertThat(admin("POST", "reset").statusCode(), is(200));
        assertThat(server.requestCount("GET", KAIZE_PAGE + "5"), is(0));
        assertThat(admin("POST", "snapshot?name=nope").statusCode(), is(400));
        assertThat(admin("POST", "snapshot?name=faults&faults=bogus").statusCode(), is(400));
        assertThat(admin("GET", "snapshot?name=a").statusCode(), is(400));
        assertThat(admin("POST", "snapshot?name=b").statusCode(), is(200));
        assertThat(server.snapshot(), is("b"));
        assertThat(server.enabledFaults(), is(Set.of()));
    }

    @Test
    void urlMapping() {
        assertThat(server.url("https://www.nautiljon.com/animes/?dbt=30"),
                   is(server.baseUri() + "/www.nautiljon.com/animes/?dbt=30"));
        assertThat(server.baseUri().toString(), is("http://127.0.0.1:" + server.port()));
        assertThrows(IllegalArgumentException.class, () -> server.url("ftp://x/y"));
        assertThat(ReplayServer.locateUpstream().orElseThrow().resolve("README.md").toFile().isFile(), is(true));
        assertThat(List.of(server.url("https://a/b")), contains(server.baseUri() + "/a/b"));
    }

    private static IndexRow row(String snapshot, String key) throws IOException {
        return IndexTsv.read(upstream.resolve(snapshot).resolve("index.tsv")).stream()
                .filter(r -> r.key().equals(key)).findFirst().orElseThrow();
    }

    private static HttpResponse<byte[]> get(String upstreamUrl, Map<String, String> headers) throws Exception {
        return send("GET", upstreamUrl, headers);
    }

    private static HttpResponse<byte[]> send(String method, String upstreamUrl, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url(upstreamUrl)))
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("_token=t&email=e")
                        : HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<byte[]> admin(String method, String pathAndQuery) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.baseUri().resolve("/_replay/" + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
