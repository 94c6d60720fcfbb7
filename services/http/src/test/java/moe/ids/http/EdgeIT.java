package moe.ids.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A web server built with {@link Edge}, driven over raw sockets: what Helidon alone gets wrong at the HTTP edge,
 * and the timeouts, each with settings short enough to run in seconds.
 */
class EdgeIT {
    private static final Duration TIMEOUT = Duration.ofMillis(800);
    private static Edge edge;
    private static WebServer server;
    private static int port;

    @BeforeAll
    static void start() {
        Config cfg = Config.just(ConfigSources.create(Map.of(
                "host", "127.0.0.1",
                "idle-timeout", "PT0.8S", "header-timeout", "PT0.8S", "read-timeout", "PT0.8S",
                "write-timeout", "PT0.8S", "linger-timeout", "PT0.2S")));
        edge = Edge.create(EdgeConfig.from(cfg, 0, 0), "edge-test");
        WebServerConfig.Builder b = edge.apply(WebServer.builder().config(cfg), Edge.http1(cfg), new TransportErrors());
        server = edge.start(b.routing(EdgeIT::routing)
                .routing(Edge.OBSERVE, r -> r.get("/observe/health", (req, res) -> res.send("UP"))));
        port = server.port();
    }

    private static void routing(HttpRouting.Builder r) {
        r.get("/echo", (req, res) -> res.send(req.prologue().protocolVersion() + " " + req.path().rawPath() + " "
                        + req.headers().first(io.helidon.http.HeaderNames.HOST).orElse("-") + " "
                        + req.query().rawValue()))
                .post("/echo", (req, res) -> res.send(req.content().as(String.class)))
                .get("/big", (req, res) -> res.send(new byte[32 << 20]))
                .get("/boom", (req, res) -> {
                    throw new IllegalStateException("a bug");
                });
    }

    @AfterAll
    static void stop() {
        server.stop();
        edge.close();
    }

    /** Sends bytes, reads until the server closes (or 5 s pass). */
    private static String exchange(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void http10IsServedAndTheConnectionCloses() throws IOException {
        String wire = exchange("GET /echo HTTP/1.0\r\n\r\n");
        assertThat(wire, startsWith("HTTP/1.1 200"));
        assertThat(wire, containsString("Connection: close"));
        assertThat(wire, containsString("1.1 /echo 127.0.0.1:" + port));
    }

    @Test
    void absoluteFormIsRoutedByItsPath() throws IOException {
        String wire = exchange("GET http://ids.example/echo?a=1 HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n");
        assertThat(wire, startsWith("HTTP/1.1 200"));
        assertThat(wire, containsString("/echo ids.example a=1"));
    }

    @Test
    void chunkExtensionsAndTrailersAreAccepted() throws IOException {
        String wire = exchange("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "3;name=value\r\nabc\r\n2 ; x\r\nde\r\n0;last\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n");
        assertThat(wire, startsWith("HTTP/1.1 200"));
        assertTrue(wire.endsWith("abcde"), wire);
    }

    @Test
    void anEndlessChunkSizeLineIsA400NotUnboundedMemory() throws IOException {
        String wire = exchange("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1".repeat(20_000) + "\r\n");
        assertThat(wire, startsWith("HTTP/1.1 400"));
    }

    @Test
    void connectionCloseFromTheClientEndsTheConnectionAfterTheAnswer() throws IOException {
        long t0 = System.nanoTime();
        String wire = exchange("GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(wire, startsWith("HTTP/1.1 200"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0), lessThan(TIMEOUT));
    }

    @Test
    void aControlByteInTheMethodIsA400WithAJsonBody() throws IOException {
        String wire = exchange("G\u0001T / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(wire, startsWith("HTTP/1.1 400"));
        assertThat(wire, containsString("application/json"));
    }

    @Test
    void firstRequestsOfOddProtocolsGetAnAnswerNotAReset() throws IOException {
        for (String req : new String[] {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", "GET / HTTP/1.2\r\nHost: x\r\n\r\n",
                "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "GET /\r\n\r\n", "GET /echo HTTP/1.1\nHost: x\n\n",
                "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /echo HTTP/1.1\r\nHost: x\r\nX: " + "b".repeat(20_000) + "\r\n\r\n"}) {
            String wire = exchange(req);
            assertThat(req.substring(0, Math.min(12, req.length())), wire, startsWith("HTTP/1.1 4"));
        }
    }

    @Test
    void anUnknownTransferCodingIs501SayingSo() throws IOException {
        String wire = exchange("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
        assertThat(wire, startsWith("HTTP/1.1 501"));
        assertThat(wire, containsString("Not implemented"));
        assertFalse(wire.contains("Internal server error"), wire);
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() throws IOException {
        assertClosedWithin(s -> { }, TIMEOUT.multipliedBy(3));
    }

    @Test
    void aHeaderSentSlowlyIsCutAtTheHeaderTimeout() throws IOException {
        assertClosedWithin(s -> {
            OutputStream out = s.getOutputStream();
            out.write("GET /echo HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            // one header byte every 100 ms: never idle for long, never done
            for (int i = 0; i < 40; i++) {
                try {
                    out.write('X');
                    out.flush();
                    Thread.sleep(100);
                } catch (IOException | InterruptedException closed) {
                    return;
                }
            }
        }, TIMEOUT.multipliedBy(3));
    }

    @Test
    void halfARequestIsAnswered408ThenClosed() throws IOException {
        String wire = exchange("GET /echo HTTP/1.1\r\nHost: x\r\nX-Half: ");
        assertThat(wire, startsWith("HTTP/1.1 408"));
        assertThat(wire, containsString("application/json"));
    }

    @Test
    void aBodyThatStopsIsCutAtTheReadTimeout() throws IOException {
        assertClosedWithin(s -> s.getOutputStream().write(
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII)),
                TIMEOUT.multipliedBy(3));
    }

    @Test
    void aClientThatNeverReadsItsAnswerIsCutAtTheWriteTimeout() throws IOException {
        await(() -> edge.openConnections() == 0, TIMEOUT.multipliedBy(4));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            await(() -> edge.openConnections() == 1, TIMEOUT);
            long t0 = System.nanoTime();
            // read nothing: the server's write blocks on a full window, then it gives up and ends the connection
            await(() -> edge.openConnections() == 0, TIMEOUT.multipliedBy(4));
            assertThat(Duration.ofNanos(System.nanoTime() - t0), lessThan(TIMEOUT.multipliedBy(3)));
        }
    }

    @Test
    void keepAliveConnectionsServeManyRequests() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            for (int i = 0; i < 3; i++) {
                s.getOutputStream().write(("GET /echo?" + i + " HTTP/1.1\r\nHost: x\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String head = readHead(s.getInputStream());
                assertThat(head, startsWith("HTTP/1.1 200"));
            }
        }
    }

    @Test
    void observeIsOnItsOwnPortOnly() throws IOException {
        String observe;
        try (Socket s = new Socket("127.0.0.1", server.port(Edge.OBSERVE))) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /observe/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            observe = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        assertThat(observe, startsWith("HTTP/1.1 200"));
        assertThat(exchange("GET /observe/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
                startsWith("HTTP/1.1 404"));
    }

    @Test
    void aTakenPortFailsTheStartNamingTheSetting() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Config cfg = Config.just(ConfigSources.create(Map.of("host", "127.0.0.1")));
            Edge other = Edge.create(EdgeConfig.from(cfg, taken.getLocalPort(), -1), "taken");
            try {
                ServerStartException e = assertThrows(ServerStartException.class, () -> other.start(
                        other.apply(WebServer.builder(), Edge.http1(cfg), new TransportErrors())
                                .routing(EdgeIT::routing)));
                assertThat(e.getMessage(), containsString("server.port 127.0.0.1:" + taken.getLocalPort()));
            } finally {
                other.close();
            }
        }
    }

    @Test
    void theConnectionCapFollowsTheOpenFileLimit() {
        assertTrue(edge.maxConnections() <= 1024);
        assertTrue(edge.maxConnections() >= 16);
    }

    @Test
    void aStatusOfTheServiceIsNotRewritten() throws IOException {
        String wire = exchange("GET /boom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(Status.INTERNAL_SERVER_ERROR_500.code(), Integer.parseInt(wire.substring(9, 12)), wire);
    }

    // ---- helpers

    /** What a test does on a fresh connection before waiting for the server to close it. */
    @FunctionalInterface
    private interface Client {
        void run(Socket s) throws IOException;
    }

    private static void assertClosedWithin(Client client, Duration limit) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            long t0 = System.nanoTime();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    client.run(s);
                } catch (IOException closed) {
                    // the server closed first
                }
            });
            s.setSoTimeout((int) limit.toMillis() + 2000);
            try {
                InputStream in = s.getInputStream();
                while (in.read() >= 0) {
                    // an answer (408-like) may come first; wait for the close
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("still open after " + limit, e);
            } catch (IOException reset) {
                // closed
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(took, lessThan(limit));
            writer.interrupt();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int contentLength = 0;
        String head;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed");
            }
            b.write(c);
            head = b.toString(StandardCharsets.ISO_8859_1);
            if (head.endsWith("\r\n\r\n")) {
                break;
            }
        }
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                contentLength = Integer.parseInt(line.substring(15).strip());
            }
        }
        in.readNBytes(contentLength);
        return head;
    }

    private static void await(java.util.function.BooleanSupplier cond, Duration limit) {
        org.awaitility.Awaitility.await().atMost(limit).pollInterval(Duration.ofMillis(20)).until(cond::getAsBoolean);
    }
}
