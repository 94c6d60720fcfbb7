package moe.ids.store;

import moe.ids.core.config.RedisUrl;
import moe.ids.core.error.UnavailableException;
import moe.ids.store.Layout;
import moe.ids.store.RedisReader;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * Auto-pipelined lookups over a few long-lived connections: read-only script calls that read meta and both tiers
 * atomically, with the one lookup script ({@link Scripts#LOOKUP}, also {@link RedisReader}'s), except that the
 * tier-1 bucket keys are computed here (the same {@link Layout#mappingBucket}) for the generation and bucket count
 * the last answer reported; the script checks them against meta and computes the buckets itself when they moved,
 * so the answer is exact either way. Concurrent requests are queued; the first caller of a flush yields once (the
 * others meanwhile only queue and wait), then whoever holds a connection's write lock
 * writes every queued lookup as ONE script call (its keys in queue order) in one flush, and one reader thread per
 * connection hands each caller its slice of the answer. Under load this turns N lookups into one command, one
 * write and one read on each side instead of N (measured in services/api/DESIGN.md), with no pool borrow and no
 * timer per lookup (a watchdog enforces the time limit).
 */
public final class ScriptPipe implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ScriptPipe.class.getName());
    private static final byte[] SCRIPT = Scripts.LOOKUP.source();
    private static final byte[] SHA = Scripts.LOOKUP.sha();
    private static final byte[] SCRIPT_LOAD = encode(new byte[][]{"SCRIPT".getBytes(StandardCharsets.US_ASCII),
            "LOAD".getBytes(StandardCharsets.US_ASCII), SCRIPT});
    private static final byte[] EVALSHA_RO = "EVALSHA_RO".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ONE = {'1'};
    private static final byte[] TWO = {'2'};
    private static final long TIMEOUT_MS = 5_000;
    /** Most keys in one merged script call (a batch request larger than this goes alone). */
    private static final int MAX_KEYS = 1_024;

    private final RedisUrl url;
    private final HostAndPort where;
    private final JedisClientConfig config;
    private final byte[] metaKey;
    private final byte[] prefix;
    private final Conn[] conns;
    private final AtomicInteger next = new AtomicInteger();
    private final String prefixText;
    private volatile Shape shape = new Shape("-1", "-1", 1);
    private final LongAdder calls = new LongAdder();
    private final LongAdder flushes = new LongAdder();
    private final LongAdder scripts = new LongAdder();
    private final LongAdder roundTrips = new LongAdder();
    private final LongAdder roundTripNanos = new LongAdder();
    private final LongConsumer roundTrip;

    /** Generation and tier-1 bucket count as last reported by Redis. */
    private record Shape(String gen, String mbuckets, int buckets) {
    }
    private volatile boolean closed;

    /**
     * @param url         Redis (auth, database)
     * @param clientName  the connections' client name
     * @param layout      key layout
     * @param connections connections to spread calls over
     */
    public ScriptPipe(RedisUrl url, String clientName, Layout layout, int connections) {
        this(url, clientName, layout, connections, nanos -> { });
    }

    /**
     * @param url         Redis (auth, database)
     * @param clientName  the connections' client name
     * @param layout      key layout
     * @param connections connections to spread calls over
     * @param roundTrip   told the time (ns) from writing each command to reading its answer, on the reader thread
     */
    public ScriptPipe(RedisUrl url, String clientName, Layout layout, int connections,
                      LongConsumer roundTrip) {
        this.roundTrip = roundTrip;
        this.url = url;
        this.where = new HostAndPort(url.host(), url.port());
        this.config = RedisClients.clientConfig(url, clientName);
        this.metaKey = layout.meta().getBytes(StandardCharsets.UTF_8);
        this.prefix = layout.prefix().getBytes(StandardCharsets.UTF_8);
        this.prefixText = layout.prefix();
        this.conns = new Conn[connections];
        Thread.ofPlatform().daemon().name("redis-pipe-watchdog").start(this::watch);
    }

    /**
     * @param mappingKeys keys (may be empty: then only the version is read)
     * @return the results, all of one version
     * @throws UnavailableException when Redis cannot be read, holds no dataset, or lost the bucket of one of these
     *                              keys (other lookups sharing the script call are answered as usual)
     */
    public RedisReader.Lookups findAll(List<String> mappingKeys) {
        Object reply = call(new Request(mappingKeys, null));
        if (reply instanceof RedisError e && e.message().startsWith("NOSCRIPT")) {
            call(new Request(List.of(), SCRIPT_LOAD));
            reply = call(new Request(mappingKeys, null));
        }
        if (reply instanceof RedisError e) {
            throw new UnavailableException("redis lookup failed: " + e.message(), null);
        }
        if (!(reply instanceof Slice slice)) {
            throw new UnavailableException("unexpected redis lookup answer", null);
        }
        CallAnswer a = slice.answer();
        if (a == null) {
            throw new UnavailableException("no dataset has been loaded into Redis yet", null);
        }
        List<Optional<RedisReader.Hit>> hits = new ArrayList<>(mappingKeys.size());
        for (int i = 0; i < mappingKeys.size(); i++) {
            byte[] id = (byte[]) a.ids().get(slice.offset() + i);
            byte[] json = (byte[]) a.entries().get(slice.offset() + i);
            if (Layout.lost(id, json)) {
                throw RedisReader.lostData(a.version());
            }
            hits.add(id == null || json == null ? Optional.empty() : Optional.of(new RedisReader.Hit(
                    Long.parseLong(new String(id, StandardCharsets.US_ASCII)), json)));
        }
        return new RedisReader.Lookups(a.version(), hits);
    }

    /**
     * Reads a script's answer once, on the reader thread, for every caller sharing it; remembers the generation and
     * bucket count it reports for the next calls.
     *
     * @param reply the parsed reply
     * @return the answer, or null when Redis serves no generation
     * @throws IOException when the reply is not the script's shape
     */
    private CallAnswer answer(List<?> reply) throws IOException {
        if (reply.isEmpty()) {
            return null;
        }
        if (reply.size() != 5 || !(reply.get(3) instanceof List<?> ids) || !(reply.get(4) instanceof List<?> js)
                || ids.size() != js.size()) {
            throw new IOException("unexpected lookup script answer");
        }
        long version = Long.parseLong(new String((byte[]) reply.getFirst(), StandardCharsets.US_ASCII));
        String gen = new String((byte[]) reply.get(1), StandardCharsets.US_ASCII);
        String mb = new String((byte[]) reply.get(2), StandardCharsets.US_ASCII);
        Shape sh = shape;
        if (!gen.equals(sh.gen()) || !mb.equals(sh.mbuckets())) {
            shape = new Shape(gen, mb, Integer.parseInt(mb));
        }
        return new CallAnswer(version, ids, js);
    }

    /**
     * One script call for every lookup queued at flush time: their keys in queue order, bucket keys computed for
     * the generation and bucket count the last answer reported.
     *
     * @param group requests (at least one)
     * @return the encoded {@code EVALSHA_RO}
     */
    private byte[] lookupCommand(List<Request> group) {
        Shape sh = shape;
        int keys = 0;
        for (Request r : group) {
            keys += r.keys.size();
        }
        boolean oneBucket = sh.buckets() == 1; // the default layout: the script names the one hash itself
        int stride = oneBucket ? 1 : 2;
        byte[][] args = new byte[8 + stride * keys][];
        args[0] = EVALSHA_RO;
        args[1] = SHA;
        args[2] = ONE;
        args[3] = metaKey;
        args[4] = prefix;
        args[5] = sh.gen().getBytes(StandardCharsets.US_ASCII);
        args[6] = sh.mbuckets().getBytes(StandardCharsets.US_ASCII);
        args[7] = oneBucket ? ONE : TWO;
        String bucketPrefix = prefixText + "g" + sh.gen() + ":m:";
        int i = 8;
        for (Request r : group) {
            for (String k : r.keys) {
                args[i++] = k.getBytes(StandardCharsets.UTF_8);
                if (!oneBucket) {
                    args[i++] = (bucketPrefix + Layout.mappingBucket(k, sh.buckets())).getBytes(StandardCharsets.UTF_8);
                }
            }
        }
        return encode(args);
    }

    /**
     * @return script calls so far
     */
    public long calls() {
        return calls.sum();
    }

    /**
     * @return script calls sent so far (lookups merged per flush: calls / scripts = lookups per script call)
     */
    public long scripts() {
        return scripts.sum();
    }

    /**
     * @return socket flushes so far (calls / flushes = average pipeline depth)
     */
    public long flushes() {
        return flushes.sum();
    }

    /**
     * @return answers read so far (script calls and raw commands)
     */
    public long roundTrips() {
        return roundTrips.sum();
    }

    /**
     * @return total time (ns) from writing those commands to reading their answers
     */
    public long roundTripNanos() {
        return roundTripNanos.sum();
    }

    private Object call(Request s) {
        if (closed) {
            throw new UnavailableException("redis client closed", null);
        }
        int i = Math.floorMod(next.getAndIncrement(), conns.length);
        Conn c = connection(i);
        calls.increment();
        c.submit(s);
        try {
            // untimed: a timed wait costs a timer per call (the virtual-thread delay scheduler); the watchdog fails
            // a connection whose oldest call is older than TIMEOUT_MS, which completes every waiter
            return s.get();
        } catch (ExecutionException ex) {
            throw new UnavailableException("redis is unavailable: " + ex.getCause().getMessage(), ex.getCause());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted", ex);
        }
    }

    private Conn connection(int i) {
        Conn c = conns[i];
        if (c != null && !c.dead()) {
            return c;
        }
        synchronized (this) {
            c = conns[i];
            if (c == null || c.dead()) {
                try {
                    c = new Conn(i);
                } catch (RuntimeException | IOException ex) {
                    throw new UnavailableException("redis is unavailable: " + ex.getMessage(), ex);
                }
                conns[i] = c;
            }
            return c;
        }
    }

    /** RESP array of bulk strings, written into one exactly sized array (no intermediate buffer or copy). */
    static byte[] encode(byte[][] args) {
        int size = 1 + digits(args.length) + 2;
        for (byte[] a : args) {
            size += 1 + digits(a.length) + 2 + a.length + 2;
        }
        byte[] out = new byte[size];
        int i = 0;
        out[i++] = '*';
        i = putDigits(out, i, args.length);
        out[i++] = '\r';
        out[i++] = '\n';
        for (byte[] a : args) {
            out[i++] = '$';
            i = putDigits(out, i, a.length);
            out[i++] = '\r';
            out[i++] = '\n';
            System.arraycopy(a, 0, out, i, a.length);
            i += a.length;
            out[i++] = '\r';
            out[i++] = '\n';
        }
        return out;
    }

    private static int digits(int n) {
        int d = 1;
        while (n >= 10) {
            n /= 10;
            d++;
        }
        return d;
    }

    private static int putDigits(byte[] out, int at, int n) {
        int end = at + digits(n);
        for (int i = end - 1; i >= at; i--) {
            out[i] = (byte) ('0' + n % 10);
            n /= 10;
        }
        return end;
    }

    @Override
    public void close() {
        closed = true;
        for (Conn c : conns) {
            if (c != null) {
                c.fail(new IOException("closed"));
            }
        }
    }

    /** An error reply. @param message its text */
    record RedisError(String message) {
    }

    /**
     * One queued call: a lookup of some keys (merged with the other lookups of the same flush into one script
     * call), or a raw command. Completes with its {@link Slice} of the script's answer, the raw reply, or a
     * {@link RedisError}.
     */
    private static final class Request extends CompletableFuture<Object> {
        final List<String> keys;
        final byte[] raw;
        final long queuedAt = System.nanoTime();

        Request(List<String> keys, byte[] raw) {
            this.keys = keys;
            this.raw = raw;
        }
    }

    /**
     * What one written command answers: a raw request, or a group of lookups sharing one script call; and when it
     * was handed to the socket.
     */
    private record Batch(List<Request> requests, boolean raw, long writtenAt) {
    }

    /**
     * A script's answer, read once for all its callers.
     *
     * @param version applied version
     * @param ids     tier-1 answers in key order (byte[] or null)
     * @param entries tier-2 answers in key order (byte[] or null)
     */
    private record CallAnswer(long version, List<?> ids, List<?> entries) {
    }

    /** A lookup's part of a shared script answer: the answer (null: no dataset) and the index of its first key. */
    private record Slice(CallAnswer answer, int offset) {
    }

    /** Fails every connection whose oldest unanswered call is older than {@link #TIMEOUT_MS}. */
    private void watch() {
        long limit = TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!closed) {
            try {
                Thread.sleep(TIMEOUT_MS / 10);
            } catch (InterruptedException ex) {
                return;
            }
            long now = System.nanoTime();
            for (Conn c : conns) {
                try {
                    if (c != null && !c.dead() && c.olderThan(now, limit)) {
                        c.fail(new IOException("no answer from redis in " + TIMEOUT_MS + " ms"));
                    }
                } catch (RuntimeException ex) {
                    // the watchdog must outlive any one connection's trouble: waiters rely on it
                    LOG.log(System.Logger.Level.WARNING, "redis pipe watchdog: {0}", ex.toString());
                }
            }
        }
    }

    /** One connection: queued calls, a write lock, calls in flight, a reader thread. */
    private final class Conn {
        private final Socket socket;
        private final OutputStream out;
        private final RespReader in;
        private final ConcurrentLinkedQueue<Request> pending = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Batch> inflight = new ConcurrentLinkedQueue<>();
        private final ReentrantLock writeLock = new ReentrantLock();
        /** Set while a virtual caller yields before it flushes: the callers meanwhile only queue their calls. */
        private final AtomicBoolean flushing = new AtomicBoolean();
        /** Why the connection died (the first failure), or null while it lives. */
        private final AtomicReference<Exception> cause = new AtomicReference<>();

        Conn(int index) throws IOException {
            socket = new DefaultJedisSocketFactory(where, config).createSocket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) TIMEOUT_MS);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            in = new RespReader(socket.getInputStream(), 1 << 16);
            handshake();
            socket.setSoTimeout(0); // the reader waits for as long as the connection is idle
            Thread.ofVirtual().name("redis-pipe-reader-" + index).start(this::read);
        }

        private void handshake() throws IOException {
            List<byte[][]> cmds = new ArrayList<>();
            if (url.password() != null) {
                cmds.add(url.user() == null ? args("AUTH", url.password()) : args("AUTH", url.user(), url.password()));
            }
            if (url.database() != 0) {
                cmds.add(args("SELECT", Integer.toString(url.database())));
            }
            cmds.add(args("CLIENT", "SETNAME", "ids-moe-api-pipe"));
            cmds.add(args("SCRIPT", "LOAD", new String(SCRIPT, StandardCharsets.UTF_8)));
            for (byte[][] c : cmds) {
                out.write(encode(c));
                out.flush();
                Object r = in.read();
                if (r instanceof RedisError e) {
                    socket.close();
                    throw new IOException("redis refused " + new String(c[0], StandardCharsets.US_ASCII) + ": "
                            + e.message());
                }
            }
        }

        void submit(Request s) {
            pending.add(s);
            if (Thread.currentThread().isVirtual()) {
                if (!dead() && !flushing.compareAndSet(false, true)) {
                    // a caller is about to flush: it clears the flag before it takes the queue, so this call goes
                    // out with its flush (or this caller sees the flag clear and flushes itself)
                    return;
                }
                // let the other request threads on this carrier queue their calls first: one flush then carries
                // them all (without this, nearly every call went out in its own write)
                Thread.yield();
                flushing.set(false);
            }
            while (!pending.isEmpty() && !dead() && writeLock.tryLock()) {
                List<Request> group = new ArrayList<>(); // taken from the queue, not yet in flight
                Request p = null;
                try {
                    int keys = 0;
                    while ((p = pending.poll()) != null) {
                        if (p.raw != null) {
                            write(group);
                            keys = 0;
                            inflight.add(new Batch(List.of(p), true, System.nanoTime()));
                            out.write(p.raw);
                            continue;
                        }
                        if (!group.isEmpty() && keys + p.keys.size() > MAX_KEYS) {
                            write(group);
                            keys = 0;
                        }
                        group.add(p);
                        keys += p.keys.size();
                    }
                    write(group);
                    out.flush();
                    flushes.increment();
                } catch (IOException | RuntimeException ex) {
                    // nothing taken from the queue may be left without an answer (callers wait without a timer)
                    group.forEach(r -> r.completeExceptionally(ex));
                    if (p != null) {
                        p.completeExceptionally(ex);
                    }
                    fail(ex);
                } finally {
                    writeLock.unlock();
                }
            }
            if (dead()) {
                fail(new IOException("connection lost"));
            }
        }

        /** Writes one script call for the group (nothing when it is empty) and empties the group. */
        private void write(List<Request> group) throws IOException {
            if (!group.isEmpty()) {
                byte[] cmd = lookupCommand(group);
                inflight.add(new Batch(List.copyOf(group), false, System.nanoTime()));
                group.clear(); // in flight now: fail() completes it from there
                out.write(cmd);
                scripts.increment();
            }
        }

        private void read() {
            try {
                while (!dead()) {
                    Object reply = in.read();
                    Batch b = inflight.poll();
                    if (b == null) {
                        throw new IOException("unexpected reply from redis");
                    }
                    long rt = System.nanoTime() - b.writtenAt();
                    if (b.raw() || !(reply instanceof List<?> list)) {
                        b.requests().forEach(r -> r.complete(reply));
                    } else {
                        CallAnswer a = answer(list);
                        int offset = 0;
                        for (Request r : b.requests()) {
                            r.complete(new Slice(a, offset));
                            offset += r.keys.size();
                        }
                    }
                    // timed after the callers are released, and never able to stop the reader
                    roundTrips.increment();
                    roundTripNanos.add(rt);
                    try {
                        roundTrip.accept(rt);
                    } catch (RuntimeException ex) {
                        LOG.log(System.Logger.Level.WARNING, "redis pipe round-trip listener: {0}", ex.toString());
                    }
                }
            } catch (IOException | RuntimeException ex) {
                fail(ex);
            }
        }

        boolean dead() {
            return cause.get() != null;
        }

        boolean olderThan(long now, long limit) {
            Request p = pending.peek();
            Batch b = inflight.peek();
            return p != null && now - p.queuedAt > limit
                    || b != null && now - b.requests().getFirst().queuedAt > limit;
        }

        /**
         * Marks the connection dead and fails every call on it with the FIRST cause: closing the socket wakes the
         * reader with "Socket closed", and that must not replace, say, the watchdog's "no answer" for callers.
         */
        void fail(Exception ex) {
            if (cause.compareAndSet(null, ex)) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "redis pipe connection lost: {0}", ex.getMessage());
                }
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            Exception first = cause.get();
            Batch b;
            while ((b = inflight.poll()) != null) {
                b.requests().forEach(r -> r.completeExceptionally(first));
            }
            Request r;
            while ((r = pending.poll()) != null) {
                r.completeExceptionally(first);
            }
        }
    }

    private static byte[][] args(String... a) {
        byte[][] out = new byte[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
