package moe.ids.api;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A running API (its own process, with a low open-file limit, as a container may have) driven by a hostile client
 * over raw sockets: odd protocols and garbage on a connection's first bytes, a flood of malformed requests, and
 * far more slow or idle connections than the process has file descriptors. Every connection gets an answer or a
 * timely close, nothing is answered 500, the log stays short, and the listener keeps accepting.
 *
 * <p>{@code -Dids.hostile.connections=N} sets how many slow connections are opened and closed (default 3,000; the
 * figure in the docs is 21,000, opened in rounds the test JVM's own descriptor limit allows);
 * {@code -Dids.hostile.jar=PATH} runs that API jar instead of this build's classes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileClientIT {
    private static final int FD_LIMIT = 1024;
    private static final int SLOW = Integer.getInteger("ids.hostile.connections", 3000);
    private static final int ROUND = 8000;
    private static final int FLOOD = Integer.getInteger("ids.hostile.flood", 2000);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
    private static final int FLOOD_IN_FLIGHT = Integer.getInteger("ids.hostile.flood-in-flight", 256);

    private static Fixture fixture;
    private static Process api;
    private static Path log;
    private static int port;
    private static int observePort;

    @BeforeAll
    static void start() throws IOException {
        fixture = new Fixture();
        fixture.load(1, Fixture.data(50));
        port = freePort();
        observePort = freePort();
        log = Files.createTempFile("hostile-api", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + FD_LIMIT + " && exec \"$@\"", "api",
                java, "-Dserver.port=" + port, "-Dserver.observe-port=" + observePort, "-Dserver.host=127.0.0.1",
                "-Dserver.header-timeout=PT1S", "-Dserver.idle-timeout=" + IDLE_TIMEOUT, "-Dserver.read-timeout=PT1S"));
        String jar = System.getProperty("ids.hostile.jar");
        if (jar != null) {
            cmd.addAll(List.of("-jar", jar));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("REDIS_URL", Fixture.REDIS);
        pb.environment().put("REDIS_PREFIX", fixture.prefix);
        api = pb.start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> status(exchange(port, "GET /mal/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                        == 200);
    }

    @AfterAll
    static void stop() throws IOException {
        if (api != null) {
            api.destroy();
        }
        if (fixture != null) {
            fixture.close();
        }
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    @Test
    @Order(1)
    void everyOddFirstRequestGetsAnAnswerAndNone500() throws IOException {
        String[] requests = {
            "GET /mal/1 HTTP/1.0\r\n\r\n",
            "GET /mal/1 HTTP/1.0\r\nHost: ids.moe\r\n\r\n",
            "GET /mal/1\r\n",
            "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
            "GET / HTTP/1.2\r\nHost: x\r\n\r\n",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            "GET /mal/1 HTTP/1.1\nHost: x\n\n",
            "GET /mal/" + "1".repeat(8191) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /mal/1?" + "q".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "G\u0001T / HTTP/1.1\r\nHost: x\r\n\r\n",
            "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003",
            "POST /mal HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "POST /mal HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "3;ext=1\r\n[1]\r\n0\r\nX-Trailer: y\r\n\r\n",
            "GET http://ids.moe/mal/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "OPTIONS /mal/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "POST /nosuchplatform HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\n[1]",
            "GET /mal/1 HTTP/1.1\r\nHost: x\r\nX: " + "h".repeat(20_000) + "\r\n\r\n",
        };
        for (String r : requests) {
            long t0 = System.nanoTime();
            String wire = exchange(port, r);
            String what = r.substring(0, Math.min(30, r.length()));
            assertThat(what, wire, startsWith("HTTP/1.1 "));
            int status = status(wire);
            assertTrue(status < 500 || status == 501 || status == 505, what + " → " + status);
            assertThat(what, Duration.ofNanos(System.nanoTime() - t0), lessThan(Duration.ofSeconds(4)));
        }
        assertEquals(200, status(exchange(port, "GET /mal/1 HTTP/1.0\r\n\r\n")), "HTTP/1.0 is served");
        assertEquals(200, status(exchange(port, "GET http://ids.moe/mal/1 HTTP/1.1\r\nConnection: close\r\n\r\n")));
        assertEquals(404, status(exchange(port, "GET /observe/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")),
                "health details are not on the client port");
        assertEquals(404, status(exchange(port,
                "POST /nosuchplatform HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\n[1]")));
    }

    @Test
    @Order(2)
    void aFloodOfGarbageGets400sAndAFewLogLines() throws Exception {
        long before = Files.lines(log).count();
        // outcomes other than a 400, counted by status ("-1": no answer) or by the client's exception; at most
        // FLOOD_IN_FLIGHT connections at once, fewer than the server holds, so what is measured is the server's
        // answer, not the kernel's full accept queue
        Map<String, Integer> other = new ConcurrentSkipListMap<>();
        AtomicInteger late = new AtomicInteger();
        Semaphore inFlight = new Semaphore(FLOOD_IN_FLIGHT);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < FLOOD; i++) {
                inFlight.acquire();
                pool.submit(() -> {
                    try {
                        Exchange x = timedExchange(port, "G\u0001T / HTTP/1.1\r\nHost: x\r\n\r\n");
                        // A client that sent nothing for the idle timeout after connecting (a starved thread on a
                        // loaded host) was rightly closed as idle: sent again, since what is measured here is the
                        // answer to garbage. Any other outcome counts.
                        while (x.silentFor().compareTo(IDLE_TIMEOUT) >= 0 && status(x.wire()) == -1) {
                            late.incrementAndGet();
                            x = timedExchange(port, "G\u0001T / HTTP/1.1\r\nHost: x\r\n\r\n");
                        }
                        int status = status(x.wire());
                        if (status != 400) {
                            other.merge(status + (status == -1 ? " after " + x.silentFor().toMillis()
                                    + " ms silent" : ""), 1, Integer::sum);
                        }
                    } catch (IOException e) {
                        other.merge(e.toString(), 1, Integer::sum);
                    } finally {
                        inFlight.release();
                    }
                    return null;
                });
            }
        }
        assertEquals(Map.of(), other, "outcomes other than a 400 → count (" + late.get()
                + " sent again: closed as idle before their request was sent)");
        List<String> added = Files.readAllLines(log).subList((int) before, (int) Files.lines(log).count());
        assertThat(added.toString(), added.size(), lessThan(5));
        assertFalse(added.stream().anyMatch(l -> l.startsWith("\tat ")), "no stack trace: " + added);
    }

    @Test
    @Order(3)
    void slowConnectionsPastTheDescriptorLimitLeaveTheListenerAccepting() throws Exception {
        int opened = 0;
        while (opened < SLOW) {
            int n = Math.min(ROUND, SLOW - opened);
            ConcurrentLinkedQueue<Socket> held = new ConcurrentLinkedQueue<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < n; i++) {
                    int k = i;
                    pool.submit(() -> {
                        Socket s = new Socket();
                        try {
                            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                            held.add(s);
                            // half a request, or nothing at all
                            if (k % 2 == 0) {
                                s.getOutputStream().write("GET /mal/1 HTTP/1.1\r\nHost: x\r\nX-Slow: "
                                        .getBytes(StandardCharsets.US_ASCII));
                            }
                        } catch (IOException refusedOrBacklogFull) {
                            s.close();
                        }
                        return null;
                    });
                }
            }
            // while they are held, the observe port still answers (its own listener and connection budget)
            assertEquals(200, status(exchange(observePort,
                    "GET /observe/health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
            for (Socket s : held) {
                s.close();
            }
            opened += n;
        }
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> status(exchange(port, "GET /mal/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                        == 200);
        assertTrue(api.isAlive(), "the API still runs");
        assertFalse(Files.readString(log).contains("server socket is terminating"), "the listener never died");
    }

    @Test
    @Order(4)
    void idleConnectionsAreClosedOnTime() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            long t0 = System.nanoTime();
            assertEquals(-1, readQuietly(s.getInputStream()));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(took, lessThan(Duration.ofSeconds(5)));
        }
    }

    // ---- helpers

    private static int readQuietly(InputStream in) {
        try {
            return in.read();
        } catch (IOException reset) {
            return -1;
        }
    }

    static String exchange(int port, String request) throws IOException {
        return timedExchange(port, request).wire();
    }

    /**
     * What came back, and how long the client held the connection open before its request was written (from the
     * connect's end: the server's idle clock starts later, at its accept).
     */
    private record Exchange(String wire, Duration silentFor) {
    }

    private static Exchange timedExchange(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            long connected = System.nanoTime();
            s.setSoTimeout(8000);
            try {
                s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException answeredFirst) {
                // the server answered and closed before taking everything: read the answer
            }
            Duration silent = Duration.ofNanos(System.nanoTime() - connected);
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = s.getInputStream().read(buf)) >= 0; ) {
                    got.write(buf, 0, n);
                    if (complete(got.toString(StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                }
            } catch (IOException reset) {
                // what came before the reset is the answer, if any
            }
            return new Exchange(got.toString(StandardCharsets.ISO_8859_1), silent);
        }
    }

    /** A whole answer with a Content-Length has arrived (keep-alive connections are not waited out). */
    private static boolean complete(String wire) {
        int end = wire.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        for (String line : wire.substring(0, end).split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                return wire.length() - end - 4 >= Integer.parseInt(line.substring(15).strip());
            }
        }
        return false;
    }

    static int status(String wire) {
        return wire.startsWith("HTTP/1.1 ") && wire.length() >= 12 ? Integer.parseInt(wire.substring(9, 12)) : -1;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
