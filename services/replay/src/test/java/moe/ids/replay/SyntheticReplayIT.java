package moe.ids.replay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The synthetic upstream over real HTTP, with the server listening on every address as in the replay image:
 * bodies byte-exact with their validators, 304 on a matching {@code If-None-Match}, HEAD, 404 for the rest, and
 * the {@code faults} overlay.
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

            HttpResponse<byte[]> get = client.send(request(server, SyntheticUpstreamGenerator.ARM_URL).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, get.statusCode());
            assertArrayEquals(arm, get.body());
            assertThat(get.headers().firstValue("ETag").orElseThrow(), is(etag));

            HttpResponse<byte[]> conditional = client.send(request(server, SyntheticUpstreamGenerator.ARM_URL)
                    .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(304, conditional.statusCode());

            HttpResponse<Void> head = client.send(request(server, SyntheticUpstreamGenerator.AOD_URL)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(200, head.statusCode());
            assertThat(head.headers().firstValue("Content-Length").orElseThrow(), is(String.valueOf(
                    Files.size(root.resolve("b/aod/anime-offline-database-minified.json.zst")))));

            // every GET row answers its committed file, byte for byte, with the ETag index.tsv lists
            for (IndexRow row : IndexTsv.read(root.resolve("b/index.tsv"))) {
                if (row.method().equals("GET")) {
                    HttpResponse<byte[]> body = client.send(request(server, row.url()).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    assertEquals(200, body.statusCode(), row.key());
                    assertArrayEquals(Files.readAllBytes(row.file()), body.body(), row.key());
                    assertThat(row.key(), body.headers().firstValue("ETag"), is(row.header("ETag")));
                }
            }
            HttpResponse<byte[]> aod = client.send(request(server, SyntheticUpstreamGenerator.AOD_URL).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(new ObjectMapper().readTree(Zstd.decompress(aod.body())).path("data").get(0).path("title")
                    .asText(), is("Cowboy Bebop"));

            HttpResponse<String> missing = client.send(request(server, "https://kaize.io/login").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());

            // the faults overlay: Fribb's file is an empty array once its fault is enabled
            server.snapshot("faults");
            server.enableFaults(Set.of(SyntheticUpstream.FRIBB_EMPTY_FAULT));
            HttpResponse<String> fribb = client.send(request(server, SyntheticUpstreamGenerator.FRIBB_URL).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, fribb.statusCode());
            assertThat(fribb.body(), is("[]\n"));
        }
    }

    private static HttpRequest.Builder request(ReplayServer server, String upstreamUrl) {
        return HttpRequest.newBuilder(URI.create(server.url(upstreamUrl)));
    }
}
