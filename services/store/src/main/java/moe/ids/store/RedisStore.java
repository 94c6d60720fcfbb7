package moe.ids.store;

import com.fasterxml.jackson.databind.JsonNode;
import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.entry.CanonicalJson;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.SetParams;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the {@link Layout}: incremental change sets as one optimistic MULTI/EXEC guarded by {@code WATCH meta}
 * (compare-and-set on the version, so several replicas are safe), full loads into a fresh generation switched in
 * by one MULTI/EXEC on {@code meta}, and garbage collection of generations nobody serves or builds.
 */
public final class RedisStore {
    private static final System.Logger LOG = System.getLogger(RedisStore.class.getName());
    private static final int CAS_ATTEMPTS = 20;
    private static final int UNLINK_BATCH = 1000;
    /** Most fields per HSET of a full load (~0.4 ms of Redis time for tier-2 entries). */
    private static final int HSET_FIELDS = 1000;

    private final RedisClient redis;
    private final Layout layout;
    private final Tuning tuning;
    private final WriteMetrics metrics;

    /** Result of applying one change set. */
    public enum Outcome {
        /** Applied now. */
        APPLIED,
        /** Redis already holds this version or a newer one: nothing to do. */
        ALREADY,
        /** Redis is at another base: the caller must fetch the change set that applies on Redis' version. */
        GAP,
        /** Redis holds no dataset: a full resync is needed. */
        NO_DATA,
        /** Too large for one transaction: a staged full load is needed. */
        TOO_LARGE
    }

    /**
     * @param redis   pooled client
     * @param layout  key layout
     * @param tuning  sizes
     * @param metrics where to count
     */
    public RedisStore(RedisPool redis, Layout layout, Tuning tuning, WriteMetrics metrics) {
        this(redis.client(), layout, tuning, metrics);
    }

    /**
     * @param redis   client (shared; the caller closes it)
     * @param layout  key layout
     * @param tuning  write sizes
     * @param metrics what the writes report
     */
    public RedisStore(RedisClient redis, Layout layout, Tuning tuning, WriteMetrics metrics) {
        this.redis = redis;
        this.layout = layout;
        this.tuning = tuning;
        this.metrics = metrics;
    }

    /**
     * @return true when Redis answers {@code PING} now (never throws)
     */
    public boolean ping() {
        return RedisPool.ping(redis);
    }

    /**
     * @return the served meta, or empty when Redis holds no dataset
     */
    public Optional<Meta> meta() {
        return Meta.fromHash(redis.hgetAll(layout.meta()));
    }

    /**
     * Check that the served generation still has all its data: every bucket of both tiers exists (a partial wipe or
     * a deleted key leaves meta but not them; the API answers 503 for keys of a missing bucket until the resync this
     * triggers). {@code EXISTS} of up to 1,000 keys per call: one call in the default layout (two keys), eight for
     * 64/32 buckets over 385k keys.
     *
     * @param m the served meta
     * @return true when every bucket exists (or the set is empty)
     */
    public boolean intact(Meta m) {
        if (m.total() == 0) {
            return true;
        }
        List<String> keys = new ArrayList<>(m.mappingBuckets() + m.entryBuckets());
        for (int i = 0; i < m.mappingBuckets(); i++) {
            keys.add(layout.mappingBucketKey(m.generation(), i));
        }
        for (int i = 0; i < m.entryBuckets(); i++) {
            keys.add(layout.entryBucketKey(m.generation(), i));
        }
        for (int i = 0; i < keys.size(); i += UNLINK_BATCH) {
            List<String> part = keys.subList(i, Math.min(keys.size(), i + UNLINK_BATCH));
            if (redis.exists(part.toArray(String[]::new)) != part.size()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Applies one change set atomically if Redis is exactly at its base.
     *
     * @param cs     the change set
     * @param report its merge report, or null
     * @return what happened
     */
    public Outcome apply(ChangeSet cs, JsonNode report) {
        int ops = cs.upsert().size() + cs.delete().size() + cs.mapSet().size() + cs.mapDel().size();
        long started = System.nanoTime();
        byte[] metaKey = bytes(layout.meta());
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            try (Connection c = redis.getPool().getResource(); Transaction tx = new Transaction(c, false, false)) {
                tx.watch(metaKey);
                Optional<Meta> cur = readMeta(c);
                if (cur.isEmpty()) {
                    return Outcome.NO_DATA;
                }
                Meta m = cur.get();
                if (m.version() >= cs.version()) {
                    return Outcome.ALREADY;
                }
                if (m.version() != cs.base()) {
                    return Outcome.GAP;
                }
                if (ops > tuning.maxTransactionOps()) {
                    return Outcome.TOO_LARGE;
                }
                long gen = m.generation();
                Map<String, Long> counts = Meta.countsFromReport(report);
                if (counts.isEmpty()) {
                    counts = countsAfter(c, m, cs);
                }
                Map<String, Meta.Source> sources = report == null ? m.sources() : Meta.sourcesFromReport(report);
                Meta next = new Meta(cs.version(), gen, m.mappingBuckets(), m.entryBuckets(), Instant.now(),
                        cs.createdAt(), counts, sources.isEmpty() ? m.sources() : sources);

                tx.multi();
                Map<Integer, List<byte[]>> mapDel = new HashMap<>();
                for (String k : cs.mapDel()) {
                    mapDel.computeIfAbsent(Layout.mappingBucket(k, m.mappingBuckets()), b -> new ArrayList<>()).add(bytes(k));
                }
                mapDel.forEach((b, fields) -> tx.hdel(bytes(layout.mappingBucketKey(gen, b)), fields.toArray(byte[][]::new)));
                Map<Integer, Map<byte[], byte[]>> mapSet = new HashMap<>();
                cs.mapSet().forEach((k, id) -> mapSet.computeIfAbsent(Layout.mappingBucket(k, m.mappingBuckets()),
                        b -> new LinkedHashMap<>()).put(bytes(k), bytes(Long.toString(id))));
                mapSet.forEach((b, fields) -> tx.hset(bytes(layout.mappingBucketKey(gen, b)), fields));
                Map<Integer, List<byte[]>> del = new HashMap<>();
                for (long id : cs.delete()) {
                    del.computeIfAbsent(Layout.entryBucket(id, m.entryBuckets()), b -> new ArrayList<>()).add(bytes(Long.toString(id)));
                }
                del.forEach((b, fields) -> tx.hdel(bytes(layout.entryBucketKey(gen, b)), fields.toArray(byte[][]::new)));
                Map<Integer, Map<byte[], byte[]>> up = new HashMap<>();
                for (ChangeSet.Upsert u : cs.upsert()) {
                    up.computeIfAbsent(Layout.entryBucket(u.id(), m.entryBuckets()), b -> new LinkedHashMap<>())
                            .put(bytes(Long.toString(u.id())), CanonicalJson.toBytes(u.entry()));
                }
                up.forEach((b, fields) -> tx.hset(bytes(layout.entryBucketKey(gen, b)), fields));
                tx.hset(layout.meta(), next.toHash());
                List<Object> result = tx.exec();
                if (result == null) {
                    LOG.log(System.Logger.Level.DEBUG, "meta moved while applying {0}; retrying", cs.version());
                    continue;
                }
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                metrics.incremental(took);
                metrics.written(cs.upsert().size() + cs.mapSet().size() + 1L);
                metrics.deleted(cs.delete().size() + cs.mapDel().size());
                LOG.log(System.Logger.Level.INFO, "applied change set {0} (base {1}): {2} upserts, {3} deletes, "
                                + "{4} map_set, {5} map_del in {6} ms", cs.version(), cs.base(), cs.upsert().size(),
                        cs.delete().size(), cs.mapSet().size(), cs.mapDel().size(), took.toMillis());
                return Outcome.APPLIED;
            }
        }
        throw new IllegalStateException("meta kept moving while applying " + cs.version() + "; giving up for now");
    }

    /**
     * Counts after a change set: the served counts minus the entries it replaces or deletes, plus its upserts.
     */
    private Map<String, Long> countsAfter(Connection c, Meta m, ChangeSet cs) {
        Counts counts = Counts.from(m.counts());
        List<Long> ids = new ArrayList<>(cs.upsert().size() + cs.delete().size());
        cs.upsert().forEach(u -> ids.add(u.id()));
        ids.addAll(cs.delete());
        if (!ids.isEmpty()) {
            Pipeline p = new Pipeline(c, false);
            List<Response<byte[]>> old = new ArrayList<>(ids.size());
            for (long id : ids) {
                old.add(p.hget(bytes(layout.entryBucketKey(m.generation(), Layout.entryBucket(id, m.entryBuckets()))),
                        bytes(Long.toString(id))));
            }
            p.sync();
            for (Response<byte[]> r : old) {
                if (r.get() != null) {
                    counts.add(CanonicalJson.parse(r.get()), -1);
                }
            }
        }
        cs.upsert().forEach(u -> counts.add(u.entry(), 1));
        return counts.toMap();
    }

    /**
     * Builds a new generation from the published state and switches {@code meta} to it in one MULTI/EXEC, so
     * readers go from the old dataset to the new one with nothing in between. The switch happens only when Redis
     * holds no dataset, an older version, or still the generation {@code replaceGen} the caller found broken.
     *
     * @param p          the published state
     * @param replaceGen generation to replace even at an equal or newer version (broken data, reset outbox), or -1
     * @return true when switched in; false when another writer got there first (the new generation is dropped)
     */
    public boolean load(Published p, long replaceGen) {
        long started = System.nanoTime();
        int mb = noEmptyBucket(Layout.bucketsFor(p.mappings().size(), tuning.mappingBucketFields()), n -> {
            boolean[] used = new boolean[n];
            p.mappings().forEach(k -> used[Layout.mappingBucket(k.key(), n)] = true);
            return used;
        });
        int ab = noEmptyBucket(Layout.bucketsFor(p.entries().size(), tuning.entryBucketFields()), n -> {
            boolean[] used = new boolean[n];
            p.entries().forEach(e -> used[Layout.entryBucket(e.id(), n)] = true);
            return used;
        });
        long gen = redis.incr(layout.generationSequence());
        String lease = layout.buildLease(gen);
        long leaseMs = tuning.buildLease().toMillis();
        redis.set(lease, Long.toString(ProcessHandle.current().pid()), SetParams.setParams().px(leaseMs));
        redis.hset(layout.generations(), Long.toString(gen), mb + "," + ab);
        LOG.log(System.Logger.Level.INFO, "full load of version {0} into generation {1}: {2} entries, {3} mapping "
                + "keys ({4} + {5} buckets)", p.version(), gen, p.entries().size(), p.mappings().size(), mb, ab);

        List<Map<byte[], byte[]>> mbuckets = new ArrayList<>(mb);
        for (int i = 0; i < mb; i++) {
            mbuckets.add(new LinkedHashMap<>());
        }
        for (Published.KeyId k : p.mappings()) {
            mbuckets.get(Layout.mappingBucket(k.key(), mb)).put(bytes(k.key()), bytes(Long.toString(k.id())));
        }
        List<Map<byte[], byte[]>> abuckets = new ArrayList<>(ab);
        for (int i = 0; i < ab; i++) {
            abuckets.add(new LinkedHashMap<>());
        }
        Counts computed = Counts.empty();
        boolean needCounts = Meta.countsFromReport(p.report()).isEmpty();
        for (Published.IdJson e : p.entries()) {
            abuckets.get(Layout.entryBucket(e.id(), ab)).put(bytes(Long.toString(e.id())), e.json());
            if (needCounts) {
                computed.add(e.json());
            }
        }

        long fields = 0;
        long total = p.mappings().size() + (long) p.entries().size();
        try (Connection c = redis.getPool().getResource()) {
            Pipeline pipe = new Pipeline(c, false);
            long inBatch = 0;
            long lastLog = System.nanoTime();
            for (int i = 0; i < mb + ab; i++) {
                Map<byte[], byte[]> bucket = i < mb ? mbuckets.get(i) : abuckets.get(i - mb);
                if (bucket.isEmpty()) {
                    continue;
                }
                byte[] key = bytes(i < mb ? layout.mappingBucketKey(gen, i) : layout.entryBucketKey(gen, i - mb));
                // a bucket may hold the whole tier (the default layout): one HSET per chunk, so that Redis is never
                // blocked by one huge command and the lease is refreshed as often as configured
                for (Map<byte[], byte[]> chunk : chunks(bucket)) {
                    pipe.hset(key, chunk);
                    inBatch += chunk.size();
                    fields += chunk.size();
                    if (inBatch < tuning.batchFields()) {
                        continue;
                    }
                    Response<Long> alive = pipe.pexpire(lease, leaseMs);
                    pipe.sync();
                    inBatch = 0;
                    if (alive.get() == 0) {
                        LOG.log(System.Logger.Level.WARNING, "generation {0} lost its lease (Redis flushed or "
                                + "collected it); abandoning this load", gen);
                        drop(gen, mb, ab);
                        return false;
                    }
                    if (System.nanoTime() - lastLog > 2_000_000_000L) {
                        lastLog = System.nanoTime();
                        LOG.log(System.Logger.Level.INFO, "generation {0}: {1} of {2} fields written", gen, fields, total);
                    }
                }
            }
            pipe.sync();
        }
        metrics.written(fields);

        Map<String, Long> counts = needCounts ? computed.toMap() : Meta.countsFromReport(p.report());
        Meta next = new Meta(p.version(), gen, mb, ab, Instant.now(), p.createdAt(), counts,
                Meta.sourcesFromReport(p.report()));
        Optional<Meta> replaced = switchTo(next, lease, replaceGen);
        if (replaced == null) {
            drop(gen, mb, ab);
            return false;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        metrics.full(took);
        LOG.log(System.Logger.Level.INFO, "switched to generation {0} at version {1} ({2} fields in {3} ms, {4} "
                + "fields/s)", gen, p.version(), fields, took.toMillis(), took.toMillis() == 0 ? fields
                : fields * 1000 / took.toMillis());
        replaced.ifPresent(old -> drop(old.generation(), old.mappingBuckets(), old.entryBuckets()));
        return true;
    }

    /**
     * The bucket count to load with: {@code start}, or fewer when a bucket would stay empty. Redis keeps no empty
     * hash, and a bucket missing from a non-empty generation means lost data to the readers (503) and to
     * {@link #intact} (resync). Only bucketed layouts over few fields ever shrink; one hash per tier never does.
     *
     * @param start count for the configured fields per bucket
     * @param use   which buckets a count fills
     * @return the largest count tried (shrinking by 1/16) that fills every bucket, at least 1
     */
    static int noEmptyBucket(int start, java.util.function.IntFunction<boolean[]> use) {
        int n = start;
        while (n > 1) {
            boolean full = true;
            for (boolean u : use.apply(n)) {
                full &= u;
            }
            if (full) {
                break;
            }
            n = Math.max(1, n - Math.max(1, n / 16));
        }
        return n;
    }

    /** A bucket in pieces of at most {@link #HSET_FIELDS} fields (itself when it is small enough). */
    private static List<Map<byte[], byte[]>> chunks(Map<byte[], byte[]> bucket) {
        if (bucket.size() <= HSET_FIELDS) {
            return List.of(bucket);
        }
        List<Map<byte[], byte[]>> out = new ArrayList<>();
        Map<byte[], byte[]> chunk = new LinkedHashMap<>();
        for (Map.Entry<byte[], byte[]> f : bucket.entrySet()) {
            chunk.put(f.getKey(), f.getValue());
            if (chunk.size() == HSET_FIELDS) {
                out.add(chunk);
                chunk = new LinkedHashMap<>();
            }
        }
        if (!chunk.isEmpty()) {
            out.add(chunk);
        }
        return out;
    }

    /**
     * @return the replaced meta (empty when there was none), or null when the switch was refused
     */
    @SuppressWarnings("java:S2789")
    private Optional<Meta> switchTo(Meta next, String lease, long replaceGen) {
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            try (Connection c = redis.getPool().getResource(); Transaction tx = new Transaction(c, false, false)) {
                tx.watch(layout.meta(), lease);
                Optional<Meta> cur = readMeta(c);
                if (!exists(c, lease)) {
                    LOG.log(System.Logger.Level.WARNING, "generation {0} lost its lease before the switch",
                            next.generation());
                    return null;
                }
                boolean wins = cur.isEmpty() || cur.get().version() < next.version()
                        || cur.get().generation() == replaceGen;
                if (!wins) {
                    LOG.log(System.Logger.Level.INFO, "generation {0} (version {1}) not switched in: Redis already "
                                    + "serves version {2} (generation {3})", next.generation(), next.version(),
                            cur.get().version(), cur.get().generation());
                    return null;
                }
                tx.multi();
                tx.del(layout.meta());
                tx.hset(layout.meta(), next.toHash());
                tx.del(lease);
                if (tx.exec() != null) {
                    return cur;
                }
            }
        }
        throw new IllegalStateException("meta kept moving while switching to generation " + next.generation());
    }

    /**
     * Drops every generation that is neither served nor being built (leftovers of killed loads), each in one
     * MULTI/EXEC guarded by {@code WATCH meta}, so a generation switched in meanwhile is never dropped.
     *
     * @return how many generations were dropped
     */
    public int collectGarbage() {
        int dropped = 0;
        for (Map.Entry<String, String> g : redis.hgetAll(layout.generations()).entrySet()) {
            long gen = Long.parseLong(g.getKey());
            String[] sizes = g.getValue().split(",");
            try (Connection c = redis.getPool().getResource(); Transaction tx = new Transaction(c, false, false)) {
                tx.watch(layout.meta(), layout.buildLease(gen));
                Optional<Meta> cur = readMeta(c);
                if (cur.isPresent() && cur.get().generation() == gen || exists(c, layout.buildLease(gen))) {
                    continue;
                }
                tx.multi();
                List<String> keys = keysOf(gen, Integer.parseInt(sizes[0]), Integer.parseInt(sizes[1]));
                for (int i = 0; i < keys.size(); i += UNLINK_BATCH) {
                    tx.unlink(keys.subList(i, Math.min(keys.size(), i + UNLINK_BATCH)).toArray(String[]::new));
                }
                tx.hdel(layout.generations(), g.getKey());
                if (tx.exec() != null) {
                    dropped++;
                    metrics.deleted(keys.size());
                    LOG.log(System.Logger.Level.INFO, "dropped abandoned generation {0}", gen);
                }
            }
        }
        return dropped;
    }

    private void drop(long gen, int mb, int ab) {
        List<String> keys = keysOf(gen, mb, ab);
        for (int i = 0; i < keys.size(); i += UNLINK_BATCH) {
            redis.unlink(keys.subList(i, Math.min(keys.size(), i + UNLINK_BATCH)).toArray(String[]::new));
        }
        redis.hdel(layout.generations(), Long.toString(gen));
        metrics.deleted(keys.size());
        LOG.log(System.Logger.Level.INFO, "dropped generation {0} ({1} keys)", gen, keys.size());
    }

    private List<String> keysOf(long gen, int mb, int ab) {
        List<String> keys = new ArrayList<>(mb + ab + 1);
        for (int i = 0; i < mb; i++) {
            keys.add(layout.mappingBucketKey(gen, i));
        }
        for (int i = 0; i < ab; i++) {
            keys.add(layout.entryBucketKey(gen, i));
        }
        keys.add(layout.buildLease(gen));
        return keys;
    }

    private Optional<Meta> readMeta(Connection c) {
        Pipeline p = new Pipeline(c, false);
        Response<Map<String, String>> r = p.hgetAll(layout.meta());
        p.sync();
        return Meta.fromHash(r.get());
    }

    private static boolean exists(Connection c, String key) {
        Pipeline p = new Pipeline(c, false);
        Response<Boolean> r = p.exists(key);
        p.sync();
        return r.get();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
