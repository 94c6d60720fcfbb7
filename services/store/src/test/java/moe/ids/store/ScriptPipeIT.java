package moe.ids.store;

import moe.ids.core.config.RedisUrl;
import moe.ids.core.error.UnavailableException;
import moe.ids.store.RedisKeys;
import moe.ids.store.Layout;
import moe.ids.store.RedisClients;
import moe.ids.store.RedisReader;
import moe.ids.testing.TlsRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ScriptPipe} against a private real redis-server (it is paused and killed here, so not the shared one):
 * answers, a server that stops answering fails the waiting calls after the 5 s limit (untimed waits, watchdog),
 * a dead server fails them at once, the pipe reconnects when the server is back, and TLS with a password works
 * (a wrong password is a 503, not a hang). Skipped without redis-server (and openssl for TLS).
 */
@Timeout(60)
class ScriptPipeIT {
    private static final String JSON = "{\"title\":\"Cowboy Bebop\",\"myanimelist\":1}";
    private Process server;
    private int port;
    private ScriptPipe pipe;
    /** Round-trip times the pipe reported to its listener. */
    private final ConcurrentLinkedQueue<Long> roundTrips = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void start() throws Exception {
        port = freePort();
        startServer();
        RedisUrl url = RedisUrl.parse("REDIS_URL", "redis://127.0.0.1:" + port + "/0");
        pipe = new ScriptPipe(url, "pipe-it", new Layout(new RedisKeys("t:")), 1,
                roundTrips::add);
    }

    @AfterEach
    void stop() {
        if (pipe != null) {
            pipe.close();
        }
        if (server != null) {
            server.destroyForcibly();
        }
    }

    @Test
    void answersAndReconnectsAfterAServerRestart() throws Exception {
        RedisReader.Lookups l = pipe.findAll(List.of("myanimelist/1", "myanimelist/2"));
        assertEquals(3, l.version());
        assertEquals(7, l.hits().get(0).orElseThrow().id());
        assertArrayEquals(JSON.getBytes(StandardCharsets.UTF_8), l.hits().get(0).orElseThrow().json());
        assertTrue(l.hits().get(1).isEmpty());

        server.destroyForcibly().waitFor();
        long t0 = System.nanoTime();
        assertThrows(UnavailableException.class, () -> pipe.findAll(List.of("myanimelist/1")));
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "a dead server must fail the call at once");

        startServer();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> pipe.findAll(List.of("myanimelist/1")).version() == 3);
    }

    @Test
    void aServerThatStopsAnsweringFailsTheCallAfterTheLimit() throws Exception {
        assertEquals(3, pipe.findAll(List.of()).version());
        try (Jedis admin = new Jedis("127.0.0.1", port)) {
            admin.sendCommand(() -> "CLIENT".getBytes(StandardCharsets.US_ASCII), "PAUSE", "6500", "ALL");
        }
        long t0 = System.nanoTime();
        UnavailableException ex = assertThrows(UnavailableException.class, () -> pipe.findAll(List.of("myanimelist/1")));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 4_500 && ms < 6_400, "failed after " + ms + " ms: " + ex.getMessage());
        assertTrue(ex.getMessage().contains("no answer from redis"), ex.getMessage());
        // the pause ends by itself; then the pipe reconnects
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> pipe.findAll(List.of("myanimelist/1")).hits().getFirst().isPresent());
    }

    @Test
    void concurrentLookupsShareScriptCallsAndEachGetsItsOwnAnswers() throws Exception {
        try (Jedis j = new Jedis("127.0.0.1", port)) {
            for (int i = 100; i < 400; i++) {
                j.hset("t:g1:m:0", "anilist/" + i, Integer.toString(i));
                j.hset("t:g1:a:0", Integer.toString(i), "{\"anilist\":" + i + "}");
            }
        }
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 64; t++) {
                int seed = t;
                threads.submit(() -> {
                    java.util.Random rnd = new java.util.Random(seed);
                    try {
                        for (int n = 0; n < 300; n++) {
                            // 1 to 3 keys, some unknown (≥ 400), so slices of different sizes share one call
                            List<Integer> ids = rnd.ints(1 + rnd.nextInt(3), 100, 450).boxed().toList();
                            RedisReader.Lookups l = pipe.findAll(ids.stream().map(i -> "anilist/" + i).toList());
                            assertEquals(3, l.version());
                            assertEquals(ids.size(), l.hits().size());
                            for (int k = 0; k < ids.size(); k++) {
                                int id = ids.get(k);
                                if (id < 400) {
                                    assertEquals("{\"anilist\":" + id + "}", new String(
                                            l.hits().get(k).orElseThrow().json(), StandardCharsets.UTF_8));
                                } else {
                                    assertTrue(l.hits().get(k).isEmpty());
                                }
                            }
                        }
                    } catch (Throwable ex) {
                        failure.compareAndSet(null, ex);
                    }
                });
            }
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(64 * 300, pipe.calls());
        assertTrue(pipe.scripts() < pipe.calls(), pipe.scripts() + " script calls for " + pipe.calls() + " lookups");
        // every answer read was timed once (script calls, plus raw commands such as a SCRIPT LOAD), each time
        // positive and below the pipe's 5 s limit, and the totals match what the listener was told
        assertEquals(pipe.roundTrips(), roundTrips.size());
        assertTrue(pipe.roundTrips() >= pipe.scripts(), pipe.roundTrips() + " answers for " + pipe.scripts());
        assertTrue(roundTrips.stream().allMatch(n -> n > 0 && n < 5_000_000_000L), roundTrips.toString());
        assertEquals(pipe.roundTripNanos(), roundTrips.stream().mapToLong(Long::longValue).sum());
    }

    /**
     * Both layouts the ingestor writes: one hash per tier (the default: one HMGET per tier for the whole call) and
     * several buckets (two HGETs per key), with found, unknown and dangling keys (a mapping whose entry is gone)
     * in one shared call, and the pipe's remembered bucket shape going stale when the generation changes.
     */
    @ParameterizedTest
    @CsvSource({"1, 1", "7, 3", "1, 3", "3, 1"})
    void answersFromEitherBucketLayout(int mbuckets, int abuckets) {
        Layout layout = new Layout(new RedisKeys("t:"));
        try (Jedis j = new Jedis("127.0.0.1", port)) {
            for (int gen = 5; gen <= 6; gen++) {
                for (int i = 1; i <= 40; i++) {
                    String key = "kitsu/" + i;
                    j.hset(layout.mappingBucketKey(gen, Layout.mappingBucket(key, mbuckets)), key,
                            Integer.toString(1000 + i));
                    if (i % 10 != 0) { // every tenth mapping dangles
                        j.hset(layout.entryBucketKey(gen, Layout.entryBucket(1000 + i, abuckets)),
                                Integer.toString(1000 + i), "{\"kitsu\":" + i + ",\"g\":" + gen + "}");
                    }
                }
            }
            j.hset("t:meta", java.util.Map.of("version", "8", "gen", "5", "mbuckets", Integer.toString(mbuckets),
                    "abuckets", Integer.toString(abuckets)));
            for (int gen = 5; gen <= 6; gen++) {
                if (gen == 6) {
                    j.hset("t:meta", java.util.Map.of("version", "9", "gen", "6"));
                }
                List<String> keys = java.util.stream.IntStream.rangeClosed(1, 45).mapToObj(i -> "kitsu/" + i)
                        .toList();
                RedisReader.Lookups l = pipe.findAll(keys);
                assertEquals(gen == 5 ? 8 : 9, l.version());
                for (int i = 1; i <= 45; i++) {
                    var hit = l.hits().get(i - 1);
                    if (i > 40 || i % 10 == 0) {
                        assertTrue(hit.isEmpty(), "kitsu/" + i + " must be a miss");
                    } else {
                        assertEquals("{\"kitsu\":" + i + ",\"g\":" + gen + "}",
                                new String(hit.orElseThrow().json(), StandardCharsets.UTF_8));
                        assertEquals(1000 + i, hit.orElseThrow().id());
                    }
                }
            }
        }
    }

    @Test
    void worksOverTlsWithAPassword() throws Exception {
        try (TlsRedis tls = TlsRedis.start()) {
            RedisUrl url = RedisUrl.parse("REDIS_URL", tls.url());
            try (RedisClient c = RedisClients.create(url, "pipe-it", 1)) {
                load(c);
            }
            try (ScriptPipe p = new ScriptPipe(url, "pipe-it",
                    new Layout(new RedisKeys("t:")), 1)) {
                RedisReader.Lookups l = p.findAll(List.of("myanimelist/1"));
                assertEquals(3, l.version());
                assertArrayEquals(JSON.getBytes(StandardCharsets.UTF_8), l.hits().getFirst().orElseThrow().json());
            }
            RedisUrl wrong = RedisUrl.parse("REDIS_URL", tls.url("nope"));
            try (ScriptPipe p = new ScriptPipe(wrong, "pipe-it",
                    new Layout(new RedisKeys("t:")), 1)) {
                UnavailableException ex = assertThrows(UnavailableException.class, () -> p.findAll(List.of()));
                assertTrue(ex.getMessage().contains("AUTH"), ex.getMessage());
            }
        }
    }

    private static void load(redis.clients.jedis.UnifiedJedis j) {
        j.hset("t:meta", java.util.Map.of("version", "3", "gen", "1", "mbuckets", "1", "abuckets", "1"));
        j.hset("t:g1:m:0", "myanimelist/1", "7");
        j.hset("t:g1:a:0", "7", JSON);
    }

    private void startServer() throws Exception {
        try {
            server = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException ex) {
            Assumptions.abort("redis-server is not installed: " + ex.getMessage());
        }
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            }
        });
        RedisUrl url = RedisUrl.parse("REDIS_URL", "redis://127.0.0.1:" + port + "/0");
        try (RedisClient c = RedisClients.create(url, "pipe-it", 1)) {
            load(c);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
