package moe.ids.store;

import moe.ids.core.config.RedisUrl;
import moe.ids.core.error.UnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RespPipeline} against a scripted RESP server on loopback (no Redis needed): replies reach their callers in
 * order, parts merge up to the weight limit and each gets its slice, a connection the server drops fails every call
 * in flight at once and the next call reconnects, a reply the merger cannot split fails its callers at once, and a
 * refused setup command fails the call that opened the connection.
 */
@Timeout(30)
class RespPipelineTest {
    /** Most tokens in one merged command here. */
    private static final int MAX_WEIGHT = 8;
    private FakeRedis server;
    private RespPipeline<Part> pipe;

    @AfterEach
    void stop() throws IOException {
        if (pipe != null) {
            pipe.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void repliesReachTheirCallersInOrderAndPartsShareCommands() throws Exception {
        server = new FakeRedis();
        AtomicLong listened = new AtomicLong();
        pipe = open(List.of(), nanos -> listened.incrementAndGet());
        AtomicInteger raws = new AtomicInteger();
        AtomicInteger parts = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 32; t++) {
                int thread = t;
                threads.submit(() -> {
                    Random rnd = new Random(thread);
                    try {
                        for (int n = 0; n < 200; n++) {
                            String id = "t" + thread + "n" + n;
                            if (rnd.nextInt(4) == 0) {
                                raws.incrementAndGet();
                                Object reply = pipe.call(RespPipeline.encode(RespPipeline.args("ECHO", id)));
                                assertEquals(id, new String((byte[]) reply, StandardCharsets.UTF_8));
                            } else {
                                // now and then a part heavier than the limit, which must go alone
                                int size = n % 50 == 0 ? MAX_WEIGHT + 2 : 1 + rnd.nextInt(3);
                                List<String> tokens = new ArrayList<>();
                                for (int k = 0; k < size; k++) {
                                    tokens.add(id + "k" + k);
                                }
                                parts.incrementAndGet();
                                assertEquals(tokens, pipe.call(new Part(tokens)));
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
        assertEquals(32 * 200, pipe.calls());
        assertEquals(server.merges.size(), pipe.merged());
        assertTrue(pipe.merged() < parts.get(), pipe.merged() + " merged commands for " + parts.get() + " parts");
        assertTrue(pipe.flushes() <= pipe.calls(), pipe.flushes() + " flushes for " + pipe.calls() + " calls");
        // one reply read (and timed) per command written; the reader times a reply after it released its callers,
        // so the last one may still be counting when they have all returned
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertEquals(pipe.merged() + raws.get(), pipe.roundTrips());
            assertEquals(pipe.roundTrips(), listened.get());
        });
        assertTrue(pipe.roundTripNanos() > 0);
        for (List<String> merge : server.merges) {
            long partsInIt = merge.stream().map(tok -> tok.substring(0, tok.lastIndexOf('k'))).distinct().count();
            assertTrue(merge.size() <= MAX_WEIGHT || partsInIt == 1, "over the limit: " + merge);
        }
        // the connection named itself before it took calls
        assertEquals(List.of("CLIENT", "SETNAME", "resp-test"), server.commands.peek());
    }

    @Test
    void aDroppedConnectionFailsEveryCallInFlightAtOnceAndTheNextCallReconnects() throws Exception {
        server = new FakeRedis();
        pipe = open(List.of(), nanos -> { });
        byte[] hang = RespPipeline.encode(RespPipeline.args("HANG"));
        List<Future<Object>> waiting = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 5; i++) {
                waiting.add(threads.submit(() -> pipe.call(hang)));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.count("HANG") == 5);
            long t0 = System.nanoTime();
            UnavailableException dropped = assertThrows(UnavailableException.class,
                    () -> pipe.call(RespPipeline.encode(RespPipeline.args("DROP"))));
            assertTrue(dropped.getMessage().startsWith("redis is unavailable"), dropped.getMessage());
            for (Future<Object> f : waiting) {
                Throwable ex = assertThrows(java.util.concurrent.ExecutionException.class, f::get).getCause();
                assertInstanceOf(UnavailableException.class, ex);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 2_000, "the calls in flight failed after " + ms + " ms, not at once");
        }
        Object reply = pipe.call(RespPipeline.encode(RespPipeline.args("ECHO", "again")));
        assertEquals("again", new String((byte[]) reply, StandardCharsets.UTF_8));
        assertEquals(2, server.connections.get());
    }

    /** The command's reply was read, so its callers are no longer in flight: they must not wait forever. */
    @Test
    @Timeout(10)
    void aReplyTheMergerCannotSplitFailsItsCallersAtOnce() throws Exception {
        server = new FakeRedis();
        pipe = open(List.of(), nanos -> { });
        long t0 = System.nanoTime();
        UnavailableException ex = assertThrows(UnavailableException.class, () -> pipe.call(new Part(List.of("BAD"))));
        assertTrue(ex.getMessage().contains("cannot split"), ex.getMessage());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 2_000, "failed after " + ms + " ms, not at once");
        assertEquals(List.of("ok"), pipe.call(new Part(List.of("ok"))));
        assertEquals(2, server.connections.get());
    }

    @Test
    void aRefusedSetupCommandFailsTheCallThatOpenedTheConnection() throws Exception {
        server = new FakeRedis();
        pipe = open(List.<byte[][]>of(RespPipeline.args("REFUSE", "me")), nanos -> { });
        UnavailableException ex = assertThrows(UnavailableException.class,
                () -> pipe.call(RespPipeline.encode(RespPipeline.args("ECHO", "x"))));
        assertTrue(ex.getMessage().contains("redis refused REFUSE: ERR refused"), ex.getMessage());
        assertEquals(0, pipe.calls());
    }

    private RespPipeline<Part> open(List<byte[][]> setup, java.util.function.LongConsumer roundTrip) {
        RedisUrl url = RedisUrl.parse("REDIS_URL", "redis://127.0.0.1:" + server.port() + "/0");
        return new RespPipeline<>(url, "resp-test", setup, 1, new Tokens(), MAX_WEIGHT, roundTrip);
    }

    /** A part: some tokens, answered with the same tokens. */
    private static final class Part extends RespPipeline.Call {
        final List<String> tokens;

        Part(List<String> tokens) {
            this.tokens = tokens;
        }
    }

    /** Merges parts into one {@code MERGE token…} command and hands each part its tokens of the echoed array. */
    private static final class Tokens implements RespPipeline.Merger<Part> {
        @Override
        public int weight(Part part) {
            return part.tokens.size();
        }

        @Override
        public byte[] command(List<Part> group) {
            List<String> args = new ArrayList<>();
            args.add("MERGE");
            group.forEach(p -> args.addAll(p.tokens));
            return RespPipeline.encode(RespPipeline.args(args.toArray(String[]::new)));
        }

        @Override
        public void answer(List<?> reply, List<Part> group) throws IOException {
            if (group.stream().anyMatch(p -> p.tokens.contains("BAD"))) {
                throw new IOException("cannot split");
            }
            int at = 0;
            for (Part p : group) {
                List<String> mine = new ArrayList<>();
                for (int i = 0; i < p.tokens.size(); i++) {
                    mine.add(new String((byte[]) reply.get(at++), StandardCharsets.UTF_8));
                }
                p.complete(mine);
            }
        }
    }

    /**
     * A RESP server on loopback that answers in order: {@code +OK} to the handshake, {@code ECHO x} with x,
     * {@code MERGE t…} with the array of its tokens, {@code REFUSE} with an error, {@code HANG} never, and
     * {@code DROP} by closing the connection.
     */
    private static final class FakeRedis implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final ConcurrentLinkedQueue<List<String>> commands = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<List<String>> merges = new ConcurrentLinkedQueue<>();
        final AtomicInteger connections = new AtomicInteger();
        final Set<Socket> open = ConcurrentHashMap.newKeySet();

        FakeRedis() throws IOException {
            Thread.ofVirtual().start(this::accept);
        }

        int port() {
            return socket.getLocalPort();
        }

        long count(String command) {
            return commands.stream().filter(c -> c.getFirst().equals(command)).count();
        }

        private void accept() {
            try {
                while (true) {
                    Socket s = socket.accept();
                    connections.incrementAndGet();
                    open.add(s);
                    Thread.ofVirtual().start(() -> serve(s));
                }
            } catch (IOException closed) {
                // the test is over
            }
        }

        private void serve(Socket s) {
            try (s) {
                RespReader in = new RespReader(s.getInputStream(), 1 << 12);
                OutputStream out = new BufferedOutputStream(s.getOutputStream());
                while (true) {
                    List<String> cmd = new ArrayList<>();
                    for (Object a : (List<?>) in.read()) {
                        cmd.add(new String((byte[]) a, StandardCharsets.UTF_8));
                    }
                    commands.add(cmd);
                    String reply = switch (cmd.getFirst()) {
                        case "ECHO" -> bulk(cmd.get(1));
                        case "MERGE" -> {
                            List<String> tokens = cmd.subList(1, cmd.size());
                            merges.add(List.copyOf(tokens));
                            StringBuilder b = new StringBuilder("*" + tokens.size() + "\r\n");
                            tokens.forEach(t -> b.append(bulk(t)));
                            yield b.toString();
                        }
                        case "REFUSE" -> "-ERR refused\r\n";
                        case "HANG" -> null;
                        case "DROP" -> "";
                        default -> "+OK\r\n";
                    };
                    if ("".equals(reply)) {
                        return;
                    }
                    if (reply != null) {
                        out.write(reply.getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                }
            } catch (IOException ex) {
                // the client went away
            } finally {
                open.remove(s);
            }
        }

        private static String bulk(String s) {
            return "$" + s.getBytes(StandardCharsets.UTF_8).length + "\r\n" + s + "\r\n";
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
