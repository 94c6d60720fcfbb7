package moe.ids.store;

import moe.ids.core.config.RedisUrl;
import moe.ids.core.error.UnavailableException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Auto-pipelined lookups: read-only script calls that read meta and both tiers atomically, with the one lookup
 * script ({@link Scripts#LOOKUP}, also {@link RedisReader}'s), except that the tier-1 bucket keys are computed here
 * (the same {@link Layout#mappingBucket}) for the generation and bucket count the last answer reported; the script
 * checks them against meta and computes the buckets itself when they moved, so the answer is exact either way.
 *
 * <p>Lookups go through a {@link RespPipeline} (a few long-lived connections; the first caller of a flush yields
 * once, the others meanwhile only queue and wait; no pool borrow and no timer per lookup), which asks this class,
 * at flush time, to write every queued lookup as ONE script call (its keys in queue order, at most
 * 1,024) and, on the reader thread, to hand each caller its slice of the answer, read once. Under load
 * this turns N lookups into one command, one write and one read on each side instead of N (measured in
 * services/api/DESIGN.md).
 */
public final class ScriptPipe implements AutoCloseable {
    private static final byte[] SCRIPT = Scripts.LOOKUP.source();
    private static final byte[] SHA = Scripts.LOOKUP.sha();
    private static final byte[][] SCRIPT_LOAD_ARGS = {"SCRIPT".getBytes(StandardCharsets.US_ASCII),
            "LOAD".getBytes(StandardCharsets.US_ASCII), SCRIPT};
    private static final byte[] SCRIPT_LOAD = RespPipeline.encode(SCRIPT_LOAD_ARGS);
    private static final byte[] EVALSHA_RO = "EVALSHA_RO".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ONE = {'1'};
    private static final byte[] TWO = {'2'};
    /** Most keys in one merged script call (a batch request larger than this goes alone). */
    private static final int MAX_KEYS = 1_024;

    private final byte[] metaKey;
    private final byte[] prefix;
    private final String prefixText;
    private final RespPipeline<Request> pipe;
    private volatile Shape shape = new Shape("-1", "-1", 1);

    /** Generation and tier-1 bucket count as last reported by Redis. */
    private record Shape(String gen, String mbuckets, int buckets) {
    }

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
        this.metaKey = layout.meta().getBytes(StandardCharsets.UTF_8);
        this.prefix = layout.prefix().getBytes(StandardCharsets.UTF_8);
        this.prefixText = layout.prefix();
        // every new connection loads the script, so a restarted Redis rarely answers NOSCRIPT
        this.pipe = new RespPipeline<>(url, clientName, List.<byte[][]>of(SCRIPT_LOAD_ARGS), connections,
                new Lookups(), MAX_KEYS, roundTrip);
    }

    /**
     * @param mappingKeys keys (may be empty: then only the version is read)
     * @return the results, all of one version
     * @throws UnavailableException when Redis cannot be read, holds no dataset, or lost the bucket of one of these
     *                              keys (other lookups sharing the script call are answered as usual)
     */
    public RedisReader.Lookups findAll(List<String> mappingKeys) {
        Object reply = pipe.call(new Request(mappingKeys));
        if (reply instanceof RespPipeline.RedisError e && e.message().startsWith("NOSCRIPT")) {
            pipe.call(SCRIPT_LOAD);
            reply = pipe.call(new Request(mappingKeys));
        }
        if (reply instanceof RespPipeline.RedisError e) {
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
     * @return script calls so far
     */
    public long calls() {
        return pipe.calls();
    }

    /**
     * @return script calls sent so far (lookups merged per flush: calls / scripts = lookups per script call)
     */
    public long scripts() {
        return pipe.merged();
    }

    /**
     * @return socket flushes so far (calls / flushes = average pipeline depth)
     */
    public long flushes() {
        return pipe.flushes();
    }

    /**
     * @return answers read so far (script calls and raw commands)
     */
    public long roundTrips() {
        return pipe.roundTrips();
    }

    /**
     * @return total time (ns) from writing those commands to reading their answers
     */
    public long roundTripNanos() {
        return pipe.roundTripNanos();
    }

    @Override
    public void close() {
        pipe.close();
    }

    /**
     * One lookup, merged with the other lookups of the same flush into one script call. Completes with its
     * {@link Slice} of the script's answer, or a {@link RespPipeline.RedisError}.
     */
    private static final class Request extends RespPipeline.Call {
        final List<String> keys;

        Request(List<String> keys) {
            this.keys = keys;
        }
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

    /** Merges the lookups of a flush into one script call and slices its answer. */
    private final class Lookups implements RespPipeline.Merger<Request> {
        @Override
        public int weight(Request r) {
            return r.keys.size();
        }

        /**
         * One script call for every lookup queued at flush time: their keys in queue order, bucket keys computed
         * for the generation and bucket count the last answer reported.
         */
        @Override
        public byte[] command(List<Request> group) {
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
                        args[i++] = (bucketPrefix + Layout.mappingBucket(k, sh.buckets()))
                                .getBytes(StandardCharsets.UTF_8);
                    }
                }
            }
            return RespPipeline.encode(args);
        }

        /**
         * Reads the script's answer once for every caller sharing it, hands each its slice, and remembers the
         * generation and bucket count it reports for the next calls.
         */
        @Override
        public void answer(List<?> reply, List<Request> group) throws IOException {
            CallAnswer a = parse(reply);
            int offset = 0;
            for (Request r : group) {
                r.complete(new Slice(a, offset));
                offset += r.keys.size();
            }
        }

        /** @return the answer, or null when Redis serves no generation */
        private CallAnswer parse(List<?> reply) throws IOException {
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
    }
}
