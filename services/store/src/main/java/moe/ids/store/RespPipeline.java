package moe.ids.store;

import moe.ids.core.config.RedisUrl;
import moe.ids.core.error.UnavailableException;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Array;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 * Pipelined RESP2 over a few long-lived connections, for callers that block until their reply. A call is queued on
 * the next connection in turn; the first caller of a flush yields once (the others meanwhile only queue and wait),
 * then whoever holds the connection's write lock writes everything queued in one flush, and one reader thread per
 * connection reads the replies in order and completes the calls. There is no pool borrow and no timer per call: a
 * watchdog fails a connection whose oldest call is older than {@link #TIMEOUT_MS}.
 *
 * <p>A call is either a raw command, written as is and answered with its reply, or a part of type {@code C}: the
 * {@link Merger} packs the parts queued next to each other at flush time into one command (up to a total weight)
 * and splits that command's reply among them. What the parts mean is the merger's business.
 *
 * <p>A broken connection (I/O error, unexpected reply, watchdog, {@link #close}) fails every call queued on it or in
 * flight with the first cause; the next call opens a new connection. Each connection authenticates, selects the
 * database, names itself and then sends the given setup commands before it takes calls; a refused one fails the
 * call that opened it.
 *
 * @param <C> the parts the merger packs
 */
final class RespPipeline<C extends RespPipeline.Call> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RespPipeline.class.getName());
    /** Longest a call waits for its reply before the watchdog fails its connection. */
    static final long TIMEOUT_MS = 5_000;

    private final RedisUrl url;
    private final HostAndPort where;
    private final JedisClientConfig config;
    private final String clientName;
    private final List<byte[][]> setup;
    private final Merger<C> merger;
    private final int maxWeight;
    private final Conn[] conns;
    private final AtomicInteger next = new AtomicInteger();
    private final LongAdder calls = new LongAdder();
    private final LongAdder merged = new LongAdder();
    private final LongAdder flushes = new LongAdder();
    private final LongAdder roundTrips = new LongAdder();
    private final LongAdder roundTripNanos = new LongAdder();
    private final LongConsumer roundTrip;
    private volatile boolean closed;

    /**
     * How the parts queued at flush time become commands, and how a merged command's reply reaches its parts.
     *
     * @param <C> the parts
     */
    interface Merger<C> {
        /**
         * @param part a queued part
         * @return its weight toward the limit of one merged command
         */
        int weight(C part);

        /**
         * Encodes one command for a group of parts, on the writing caller's thread under the write lock.
         *
         * @param group parts in queue order (at least one)
         * @return the encoded command
         */
        byte[] command(List<C> group);

        /**
         * Completes every part of a group from its command's array reply, on the reader thread (a reply that is not
         * an array, such as an error, goes to every part as is without this).
         *
         * @param reply the parsed reply
         * @param group the parts the command carried, in order
         * @throws IOException when the reply does not fit the command (the connection is then failed)
         */
        void answer(List<?> reply, List<C> group) throws IOException;
    }

    /**
     * One queued call, completed with its reply (a raw command's), whatever the {@link Merger} hands a part, or a
     * {@link RedisError}. Parts subclass it.
     */
    static class Call extends CompletableFuture<Object> {
        final long queuedAt = System.nanoTime();
        /** A raw command's bytes, or null for a part. */
        private final byte[] raw;

        /** A part. */
        Call() {
            this(null);
        }

        private Call(byte[] raw) {
            this.raw = raw;
        }
    }

    /** An error reply. @param message its text */
    record RedisError(String message) {
    }

    /**
     * @param url         Redis (auth, database, TLS)
     * @param clientName  the connections' client name
     * @param setup       commands (arguments) every new connection sends after its handshake, e.g. a
     *                    {@code SCRIPT LOAD}
     * @param connections connections to spread calls over
     * @param merger      packs the parts
     * @param maxWeight   most weight of parts in one merged command (a heavier part goes alone)
     * @param roundTrip   told the time (ns) from writing each command to reading its reply, on the reader thread
     */
    @SuppressWarnings("unchecked") // an array of the inner class (no generic array creation)
    RespPipeline(RedisUrl url, String clientName, List<byte[][]> setup, int connections, Merger<C> merger,
                 int maxWeight, LongConsumer roundTrip) {
        this.url = url;
        this.where = new HostAndPort(url.host(), url.port());
        this.config = RedisClients.clientConfig(url, clientName);
        this.clientName = clientName;
        this.setup = List.copyOf(setup);
        this.merger = merger;
        this.maxWeight = maxWeight;
        this.roundTrip = roundTrip;
        this.conns = (Conn[]) Array.newInstance(Conn.class, connections);
        Thread.ofPlatform().daemon().name("redis-pipe-watchdog").start(this::watch);
    }

    /**
     * Sends a part (merged with its neighbours in the queue) and waits for what the merger hands it.
     *
     * @param part the part (not yet sent)
     * @return what the merger completed it with, or the reply itself when that was not an array
     * @throws UnavailableException when the pipeline is closed, Redis cannot be reached, or the connection broke
     */
    Object call(C part) {
        return send(part);
    }

    /**
     * Sends one command on its own and waits for its reply.
     *
     * @param command the encoded command ({@link #encode})
     * @return its reply
     * @throws UnavailableException when the pipeline is closed, Redis cannot be reached, or the connection broke
     */
    Object call(byte[] command) {
        return send(new Call(command));
    }

    /**
     * @return calls submitted so far (parts and raw commands)
     */
    long calls() {
        return calls.sum();
    }

    /**
     * @return merged commands written so far (parts / merged = parts per command)
     */
    long merged() {
        return merged.sum();
    }

    /**
     * @return socket flushes so far (calls / flushes = average pipeline depth)
     */
    long flushes() {
        return flushes.sum();
    }

    /**
     * @return replies read so far (merged and raw commands)
     */
    long roundTrips() {
        return roundTrips.sum();
    }

    /**
     * @return total time (ns) from writing those commands to reading their replies
     */
    long roundTripNanos() {
        return roundTripNanos.sum();
    }

    private Object send(Call s) {
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

    static byte[][] args(String... a) {
        byte[][] out = new byte[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
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

    /**
     * What one written command answers: a raw call, or a group of parts sharing one merged command; and when it was
     * handed to the socket.
     */
    private record Batch(List<? extends Call> calls, boolean raw, long writtenAt) {
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
        private final ConcurrentLinkedQueue<Call> pending = new ConcurrentLinkedQueue<>();
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
            cmds.add(args("CLIENT", "SETNAME", clientName));
            cmds.addAll(setup);
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

        @SuppressWarnings("unchecked") // a call without raw bytes is a part: only call(C) queues one
        void submit(Call s) {
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
                List<C> group = new ArrayList<>(); // taken from the queue, not yet in flight
                Call p = null;
                try {
                    int weight = 0;
                    while ((p = pending.poll()) != null) {
                        if (p.raw != null) {
                            write(group);
                            weight = 0;
                            inflight.add(new Batch(List.of(p), true, System.nanoTime()));
                            out.write(p.raw);
                            continue;
                        }
                        C part = (C) p;
                        int w = merger.weight(part);
                        if (!group.isEmpty() && weight + w > maxWeight) {
                            write(group);
                            weight = 0;
                        }
                        group.add(part);
                        weight += w;
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

        /** Writes one merged command for the group (nothing when it is empty) and empties the group. */
        private void write(List<C> group) throws IOException {
            if (!group.isEmpty()) {
                byte[] cmd = merger.command(group);
                inflight.add(new Batch(List.copyOf(group), false, System.nanoTime()));
                group.clear(); // in flight now: fail() completes it from there
                out.write(cmd);
                merged.increment();
            }
        }

        @SuppressWarnings("unchecked") // a batch that is not raw holds parts
        private void read() {
            Batch b = null; // taken from the in-flight queue, not yet answered
            try {
                while (!dead()) {
                    Object reply = in.read();
                    b = inflight.poll();
                    if (b == null) {
                        throw new IOException("unexpected reply from redis");
                    }
                    long rt = System.nanoTime() - b.writtenAt();
                    if (b.raw() || !(reply instanceof List<?> list)) {
                        b.calls().forEach(r -> r.complete(reply));
                    } else {
                        merger.answer(list, (List<C>) b.calls());
                    }
                    b = null;
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
                if (b != null) {
                    // out of the in-flight queue, so fail() did not see it (callers wait without a timer)
                    Exception first = cause.get();
                    b.calls().forEach(r -> r.completeExceptionally(first));
                }
            }
        }

        boolean dead() {
            return cause.get() != null;
        }

        boolean olderThan(long now, long limit) {
            Call p = pending.peek();
            Batch b = inflight.peek();
            return p != null && now - p.queuedAt > limit
                    || b != null && now - b.calls().getFirst().queuedAt > limit;
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
                b.calls().forEach(r -> r.completeExceptionally(first));
            }
            Call r;
            while ((r = pending.poll()) != null) {
                r.completeExceptionally(first);
            }
        }
    }
}
