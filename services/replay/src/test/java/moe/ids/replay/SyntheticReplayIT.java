package moe.ids.replay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The synthetic upstream over real HTTP, with the server listening on every address as in the replay image:
 * bodies byte-exact with their validators, 304 on a matching {@code If-None-Match}, HEAD, 404 for the rest.
 * Runs everywhere (no recorded upstream needed).
 */
class SyntheticReplayIT {

    @TempDir
    Path tmp;

    @Test
    void servesTheSyntheticSnapshot() throws Exception {
        Path root = SyntheticUpstream.write(tmp);
        try (ReplayServer server = ReplayServer.start(root, "b", "0.0.0.0", 0);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            assertThat(server.baseUri().getHost(), is("127.0.0.1"));
            byte[] arm = Files.readAllBytes(root.resolve("b/arm/arm.json"));
            String etag = "\"" + SyntheticUpstream.sha256(arm) + "\"";

            HttpResponse<byte[]> get = client.send(request(server, SyntheticUpstream.ARM_URL).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, get.statusCode());
            assertArrayEquals(arm, get.body());
            assertThat(get.headers().firstValue("ETag").orElseThrow(), is(etag));

            HttpResponse<byte[]> conditional = client.send(request(server, SyntheticUpstream.ARM_URL)
                    .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(304, conditional.statusCode());

            HttpResponse<Void> head = client.send(request(server, SyntheticUpstream.AOD_URL)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(200, head.statusCode());
            assertThat(head.headers().firstValue("Content-Length").orElseThrow(), is(String.valueOf(
                    Files.size(root.resolve("b/aod/anime-offline-database-minified.json.zst")))));

            HttpResponse<String> missing = client.send(request(server, "https://kaize.io/login").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
        }
    }

    private static HttpRequest.Builder request(ReplayServer server, String upstreamUrl) {
        return HttpRequest.newBuilder(URI.create(server.url(upstreamUrl)));
    }
}
