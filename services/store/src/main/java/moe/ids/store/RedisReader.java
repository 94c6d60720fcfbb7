package moe.ids.store;

import moe.ids.core.error.UnavailableException;
import moe.ids.core.config.RedisUrl;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the layout of {@link Layout} for the API, never seeing a half-applied change set: a lookup is one
 * read-only Lua script ({@code EVALSHA_RO}, so it also runs on replicas) that reads the meta pointer and both
 * tiers atomically, and returns the version it read with the entry. Full dumps read bucket by bucket and are
 * retried when the version moved meanwhile. Thread-safe; share one per process.
 */
public final class RedisReader implements AutoCloseable {
    private static final byte[] UNKNOWN = {'-', '1'};
    private static final byte[] STRIDE_ONE = {'1'};
    private static final int DUMP_ATTEMPTS = 5;
    /** Fields asked per HSCAN page of tier 1 (a hint): pages of 1,000 held Redis 1.1-1.2 ms, of 300 < 0.5 ms. */
    private static final int SCAN_MAPPINGS = 300;
    /** Fields asked per HSCAN page of tier 2: 1,000 entries (~0.5 MB) held Redis 3.4 ms, 100 stay < 0.5 ms. */
    private static final int SCAN_ENTRIES = 100;

    private final UnifiedJedis redis;
    private final boolean owned;
    private final Layout layout;
    private final byte[] metaKey;
    private final byte[] prefix;

    /**
     * @param redis  the process's Redis client
     * @param layout key layout (the prefix)
     */
    public RedisReader(UnifiedJedis redis, Layout layout) {
        this(redis, layout, false);
    }

    private RedisReader(UnifiedJedis redis, Layout layout, boolean owned) {
        this.redis = redis;
        this.owned = owned;
        this.layout = layout;
        this.metaKey = layout.meta().getBytes(StandardCharsets.UTF_8);
        this.prefix = layout.prefix().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A reader with a connection pool of its own, closed with it.
     *
     * @param url        Redis
     * @param clientName the connections' client name
     * @param maxPool    largest pool size
     * @param layout     key layout (the prefix)
     * @return the reader
     */
    public static RedisReader open(RedisUrl url, String clientName, int maxPool, Layout layout) {
        return new RedisReader(RedisClients.create(url, clientName, maxPool), layout, true);
    }

    /**
     * @return whether Redis answers a PING
     */
    public boolean ping() {
        return RedisPool.ping(redis);
    }

    /** Closes the connection pool when this reader opened it. */
    @Override
    public void close() {
        if (owned) {
            redis.close();
        }
    }

    /**
     * One resolved mapping key.
     *
     * @param id   internal ID
     * @param json the entry's canonical JSON, exactly as served
     */
    public record Hit(long id, byte[] json) {
    }

    /**
     * Results of one atomic read.
     *
     * @param version the change-set version every result belongs to (use it for ETags)
     * @param hits    one element per requested key, in order; empty where the key is unknown
     */
    public record Lookups(long version, List<Optional<Hit>> hits) {
    }

    /**
     * @param mappingKey e.g. {@code myanimelist/1}, {@code trakt/shows/30857/seasons/1}
     * @return the entry's JSON bytes, or empty when the key is unknown
     * @throws UnavailableException when Redis cannot be read or holds no dataset yet
     */
    public Optional<byte[]> lookup(String mappingKey) {
        return find(mappingKey).map(Hit::json);
    }

    /**
     * @param mappingKey a mapping key
     * @return the hit, or empty when the key is unknown
     * @throws UnavailableException when Redis cannot be read or holds no dataset yet
     */
    public Optional<Hit> find(String mappingKey) {
        return findAll(List.of(mappingKey)).hits().getFirst();
    }

    /**
     * Resolves many keys in one round trip and one atomic script (batch routes).
     *
     * @param mappingKeys mapping keys
     * @return the results with the version they belong to
     * @throws UnavailableException when Redis cannot be read, holds no dataset yet, or lost a bucket a key needs
     *                              (meta names a non-empty dataset whose bucket for the key is missing: an answer
     *                              "unknown" would be wrong, and cached by clients)
     */
    public Lookups findAll(List<String> mappingKeys) {
        List<byte[]> args = new ArrayList<>(mappingKeys.size() + 4);
        args.add(prefix);
        args.add(UNKNOWN); // no expected generation: the script hashes every key's bucket itself
        args.add(UNKNOWN);
        args.add(STRIDE_ONE);
        for (String k : mappingKeys) {
            args.add(k.getBytes(StandardCharsets.UTF_8));
        }
        List<?> out = run(Scripts.LOOKUP, args);
        long version = Long.parseLong(new String((byte[]) out.getFirst(), StandardCharsets.US_ASCII));
        List<?> ids = (List<?>) out.get(3);
        List<?> entries = (List<?>) out.get(4);
        List<Optional<Hit>> hits = new ArrayList<>(mappingKeys.size());
        for (int i = 0; i < mappingKeys.size(); i++) {
            byte[] id = ids.get(i) instanceof byte[] b ? b : null;
            byte[] json = entries.get(i) instanceof byte[] b ? b : null;
            if (Layout.lost(id, json)) {
                throw lostData(version);
            }
            hits.add(id == null || json == null ? Optional.empty()
                    : Optional.of(new Hit(Long.parseLong(new String(id, StandardCharsets.US_ASCII)), json)));
        }
        return new Lookups(version, hits);
    }

    /**
     * @param version the version meta names
     * @return the failure for a bucket missing from a served, non-empty generation (also the API's pipe)
     */
    public static UnavailableException lostData(long version) {
        return new UnavailableException("redis lost part of the dataset of version " + version
                + " (a bucket is missing); the ingestor resyncs it", null);
    }

    /**
     * @param ids internal IDs
     * @return version and, per ID, its JSON (null where unknown)
     * @throws UnavailableException when Redis cannot be read or holds no dataset yet
     */
    public Map.Entry<Long, List<byte[]>> entries(List<Long> ids) {
        List<byte[]> args = new ArrayList<>(ids.size() + 1);
        args.add(prefix);
        for (long id : ids) {
            args.add(Long.toString(id).getBytes(StandardCharsets.US_ASCII));
        }
        List<?> out = run(Scripts.ENTRIES, args);
        long version = Long.parseLong(new String((byte[]) out.getFirst(), StandardCharsets.US_ASCII));
        List<byte[]> json = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            byte[] one = (byte[]) out.get(1 + i);
            if (Layout.lost(one)) {
                throw lostData(version);
            }
            json.add(one);
        }
        return Map.entry(version, json);
    }

    /**
     * @return the served meta
     * @throws UnavailableException when Redis cannot be read or holds no dataset yet
     */
    public Meta meta() {
        return metaIfPresent().orElseThrow(() -> new UnavailableException("no dataset has been loaded into Redis yet",
                null));
    }

    /**
     * @return the served meta, or empty when no dataset is loaded
     * @throws UnavailableException when Redis cannot be read
     */
    public Optional<Meta> metaIfPresent() {
        try {
            try {
                return Meta.fromHash(redis.hgetAll(layout.meta()));
            } catch (JedisConnectionException ex) {
                return Meta.fromHash(redis.hgetAll(layout.meta())); // stale pooled connection: once more
            }
        } catch (JedisException ex) {
            throw new UnavailableException("redis is unavailable: " + ex.getMessage(), ex);
        }
    }

    /**
     * Every entry of one consistent version (for dumps): reads the served generation bucket by bucket, then
     * checks that meta did not move; retried when it did.
     *
     * @return version and entries by internal ID, in ID order
     * @throws UnavailableException when Redis cannot be read, holds no dataset, or keeps changing
     */
    public Dump dump() {
        for (int attempt = 0; attempt < DUMP_ATTEMPTS; attempt++) {
            Meta before = meta();
            Map<Long, byte[]> all = new java.util.TreeMap<>();
            try {
                for (int b = 0; b < before.entryBuckets(); b++) {
                    scan(layout.entryBucketKey(before.generation(), b), SCAN_ENTRIES,
                            (k, v) -> all.put(Long.parseLong(new String(k, StandardCharsets.US_ASCII)), v));
                }
            } catch (JedisException ex) {
                throw new UnavailableException("redis is unavailable: " + ex.getMessage(), ex);
            }
            boolean complete = bucketsExist(before, false);
            Meta after = meta();
            if (after.version() == before.version() && after.generation() == before.generation()) {
                if (!complete) {
                    throw lostData(before.version());
                }
                return new Dump(before.version(), all);
            }
        }
        throw new UnavailableException("the dataset kept changing during a dump; try again", null);
    }

    /**
     * Every entry and every mapping key of one consistent version (the API's dumps and one-to-many indexes), handed
     * to a sink piece by piece as they are read, so that the caller keeps them in whatever form it needs (the API
     * keeps them compact; a map per tier held ~75 MB for 35k anime). Reads the served generation's tier-2 buckets,
     * then its tier-1 buckets, then checks that meta did not move; when it did, the sink is dropped and a fresh one
     * starts over. A field may be handed over twice (HSCAN repeats fields while Redis rehashes a hash), each time
     * with the same value.
     *
     * @param sinks a fresh sink per attempt
     * @param <T>   what the sink makes of a version
     * @return what the sink of the attempt that read one version whole made of it
     * @throws UnavailableException when Redis cannot be read, holds no dataset, or keeps changing
     */
    public <T> T snapshot(java.util.function.Supplier<? extends SnapshotSink<T>> sinks) {
        for (int attempt = 0; attempt < DUMP_ATTEMPTS; attempt++) {
            Meta before = meta();
            SnapshotSink<T> sink = sinks.get();
            try {
                for (int b = 0; b < before.entryBuckets(); b++) {
                    scan(layout.entryBucketKey(before.generation(), b), SCAN_ENTRIES,
                            (k, v) -> sink.entry(Long.parseLong(new String(k, StandardCharsets.US_ASCII)), v));
                }
                for (int b = 0; b < before.mappingBuckets(); b++) {
                    scan(layout.mappingBucketKey(before.generation(), b), SCAN_MAPPINGS,
                            (k, v) -> sink.mapping(k, Long.parseLong(new String(v, StandardCharsets.US_ASCII))));
                }
            } catch (JedisException ex) {
                throw new UnavailableException("redis is unavailable: " + ex.getMessage(), ex);
            }
            boolean complete = bucketsExist(before, true);
            Meta after = meta();
            if (after.version() == before.version() && after.generation() == before.generation()) {
                if (!complete) {
                    throw lostData(before.version());
                }
                return sink.finish(before);
            }
        }
        throw new UnavailableException("the dataset kept changing during a dump; try again", null);
    }

    /**
     * Receives one version of both tiers from {@link #snapshot(java.util.function.Supplier)}: every entry, then
     * every mapping key, then {@link #finish(Meta)} once the version is known to have been read whole.
     *
     * @param <T> what it makes of them
     */
    public interface SnapshotSink<T> {
        /**
         * @param id   internal ID
         * @param json the entry's canonical JSON (the array is the sink's to keep)
         */
        void entry(long id, byte[] json);

        /**
         * @param key UTF-8 mapping key, such as {@code myanimelist/1} (the array is the sink's to keep)
         * @param id  the internal ID it resolves to
         */
        void mapping(byte[] key, long id);

        /**
         * @param meta the meta of the version read
         * @return what the sink made of it
         */
        T finish(Meta meta);
    }

    /**
     * A dump of a generation that lost a bucket would be served as complete (and cached): every bucket of a
     * non-empty dataset must exist. {@code EXISTS} of up to 1,000 keys per call, once per dump.
     *
     * @param meta     the meta the dump read
     * @param mappings also the tier-1 buckets
     * @return false when one is missing (the caller re-reads meta: a switch in between also drops buckets)
     */
    private boolean bucketsExist(Meta meta, boolean mappings) {
        if (meta.total() == 0) {
            return true;
        }
        List<String> keys = new ArrayList<>();
        for (int b = 0; b < meta.entryBuckets(); b++) {
            keys.add(layout.entryBucketKey(meta.generation(), b));
        }
        for (int b = 0; mappings && b < meta.mappingBuckets(); b++) {
            keys.add(layout.mappingBucketKey(meta.generation(), b));
        }
        try {
            for (int i = 0; i < keys.size(); i += 1000) {
                List<String> part = keys.subList(i, Math.min(keys.size(), i + 1000));
                if (redis.exists(part.toArray(String[]::new)) != part.size()) {
                    return false;
                }
            }
            return true;
        } catch (JedisException ex) {
            throw new UnavailableException("redis is unavailable: " + ex.getMessage(), ex);
        }
    }

    /**
     * Every field of one bucket, read with {@code HSCAN} in pieces: a bucket may hold a whole tier (the default
     * layout, 385k fields), and one {@code HGETALL} of it blocked Redis for 161 ms (tier 1) / 38 ms (tier 2,
     * 35k entries) — every lookup of every API replica waited behind it. A field seen twice (HSCAN may repeat
     * one while the hash is rehashed) is put twice; the callers re-check meta afterwards, so a change set applied
     * between two pieces makes them start again.
     */
    private void scan(String key, int count, java.util.function.BiConsumer<byte[], byte[]> each) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        ScanParams params = new ScanParams().count(count);
        byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
        do {
            ScanResult<Map.Entry<byte[], byte[]>> page = redis.hscan(k, cursor, params);
            page.getResult().forEach(e -> each.accept(e.getKey(), e.getValue()));
            cursor = page.getCursorAsBytes();
        } while (!java.util.Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
    }

    /**
     * A consistent copy of every entry.
     *
     * @param version change-set version
     * @param entries internal ID → canonical JSON, in ID order
     */
    public record Dump(long version, Map<Long, byte[]> entries) {
    }

    private List<?> run(Scripts.Script script, List<byte[]> args) {
        try {
            return runOnce(script.source(), script.sha(), args);
        } catch (UnavailableException ex) {
            if (ex.getCause() instanceof JedisConnectionException) {
                // a pooled connection broken by a Redis restart: once more
                return runOnce(script.source(), script.sha(), args);
            }
            throw ex;
        }
    }

    private List<?> runOnce(byte[] script, byte[] sha, List<byte[]> args) {
        List<byte[]> keys = List.of(metaKey);
        Object out;
        try {
            try {
                out = redis.evalshaReadonly(sha, keys, args);
            } catch (JedisNoScriptException ex) {
                out = redis.evalReadonly(script, keys, args);
            }
        } catch (JedisDataException ex) {
            if (ex.getMessage() != null && ex.getMessage().contains("NOSCRIPT")) {
                out = redis.evalReadonly(script, keys, args);
            } else {
                throw new UnavailableException("redis lookup failed: " + ex.getMessage(), ex);
            }
        } catch (JedisException ex) {
            throw new UnavailableException("redis is unavailable: " + ex.getMessage(), ex);
        }
        List<?> list = (List<?>) out;
        if (list.isEmpty()) {
            throw new UnavailableException("no dataset has been loaded into Redis yet", null);
        }
        return list;
    }
}
