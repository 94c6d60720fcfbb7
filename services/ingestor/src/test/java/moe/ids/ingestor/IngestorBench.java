package moe.ids.ingestor;

import moe.ids.store.Published;
import moe.ids.store.RedisStore;
import moe.ids.store.Tuning;
import moe.ids.testing.SyntheticData;
import moe.ids.testing.ChangeSets;
import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Pipeline;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;

/**
 * Benchmark run by {@code bench/ingestor.sh}: synthetic snapshots a and b (~35k entries, ~10 mapping keys each)
 * against the local PostgreSQL and Redis. Prints, each against a baseline measured in the same run:
 * the full load of b vs raw pipelined SETs of the same keys in the seed's layout, the incremental a→b apply,
 * Redis {@code used_memory} of both layouts, and how long one MULTI/EXEC of the whole set stalls other clients.
 */
public final class IngestorBench {
    private IngestorBench() {
    }

    /**
     * @param args [entries]
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 35_000;
        TreeMap<Long, AnimeEntry> a = SyntheticData.a(n, 1);
        TreeMap<Long, AnimeEntry> b = SyntheticData.b(a, 2);
        Map<String, Long> bMap = SyntheticData.mappings(b);
        ChangeSet ab = ChangeSets.diff(2, 1, a, b);
        System.out.printf("snapshot b: %d entries, %d mapping keys; a→b: %d upserts, %d deletes, %d map_set, %d map_del%n",
                b.size(), bMap.size(), ab.upsert().size(), ab.delete().size(), ab.mapSet().size(), ab.mapDel().size());
        try (TestEnv env = new TestEnv("bench")) {
            TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), a), null);
            TestOutbox.publish(env.db, ab, null);
            Published pb = published(2, b);
            RedisStore store = new RedisStore(env.redis, env.layout, Tuning.DEFAULT, new IngestorMetrics());

            long rawBest = Long.MAX_VALUE;
            long rawMem = 0;
            long ourBest = Long.MAX_VALUE;
            long ourMem = 0;
            for (int round = 0; round < 3; round++) {
                RedisState.clear(env.redis, env.prefix);
                long m0 = usedMemory(env);
                long t0 = System.nanoTime();
                rawLoad(env, b, bMap);
                rawBest = Math.min(rawBest, System.nanoTime() - t0);
                rawMem = usedMemory(env) - m0;
                RedisState.clear(env.redis, env.prefix);

                m0 = usedMemory(env);
                t0 = System.nanoTime();
                store.load(pb, -1);
                ourBest = Math.min(ourBest, System.nanoTime() - t0);
                ourMem = usedMemory(env) - m0;
            }
            // the bucketed layout (64 / 32 fields per bucket), for its memory
            RedisState.clear(env.redis, env.prefix);
            long m0 = usedMemory(env);
            new RedisStore(env.redis, env.layout, Tuning.DEFAULT.withBucketFields(64, 32), new IngestorMetrics())
                    .load(pb, -1);
            long bucketedMem = usedMemory(env) - m0;
            System.out.printf("raw pipelined SETs (seed layout, %d keys): %d ms%n", b.size() + bMap.size(), rawBest / 1_000_000);
            System.out.printf("full load of b (new generation + switch): %d ms  → ratio %.2f (limit 2.00)%n",
                    ourBest / 1_000_000, (double) ourBest / rawBest);

            RedisState.clear(env.redis, env.prefix);
            Ingestor ingestor = env.ingestor(Duration.ofSeconds(60));
            long t0 = System.nanoTime();
            ingestor.syncOnce();
            long e2e = System.nanoTime() - t0;
            System.out.printf("end-to-end resync of b incl. PostgreSQL read and re-serialisation: %d ms  → ratio %.2f%n",
                    e2e / 1_000_000, (double) e2e / rawBest);

            RedisState.clear(env.redis, env.prefix);
            store.load(published(1, a), -1);
            t0 = System.nanoTime();
            ingestor.syncOnce();
            long inc = System.nanoTime() - t0;
            System.out.printf("incremental a→b (fetch, decode, MULTI/EXEC): %d ms (limit 2000 ms)%n", inc / 1_000_000);
            if (!RedisState.expected(2, b).equals(env.state())) {
                throw new AssertionError("Redis does not hold b after the incremental apply");
            }

            System.out.printf("used_memory: seed layout %.1f MB, ours (one hash per tier) %.1f MB  → ratio %.2f;"
                    + " bucketed 64/32 %.1f MB%n", rawMem / 1e6, ourMem / 1e6, (double) ourMem / rawMem,
                    bucketedMem / 1e6);

            // the transaction limit: one MULTI/EXEC of the whole set, and what a concurrent reader waits meanwhile
            RedisState.clear(env.redis, env.prefix);
            store.load(new Published(0, Instant.now(), null, List.of(), List.of()), -1);
            ChangeSet all = ChangeSets.diff(1, 0, Map.of(), b);
            RedisStore unlimited = new RedisStore(env.redis, env.layout, new Tuning(64, 32, 20_000, Integer.MAX_VALUE,
                    Duration.ofSeconds(30)), new IngestorMetrics());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong worst = new AtomicLong();
            Thread pinger = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    long p0 = System.nanoTime();
                    env.redis.ping();
                    worst.accumulateAndGet(System.nanoTime() - p0, Math::max);
                }
            });
            t0 = System.nanoTime();
            unlimited.apply(all, null);
            long one = System.nanoTime() - t0;
            stop.set(true);
            pinger.join();
            int ops = all.upsert().size() + all.mapSet().size();
            System.out.printf("whole set as ONE MULTI/EXEC (%d ops): %d ms, worst concurrent PING %d ms%n", ops,
                    one / 1_000_000, worst.get() / 1_000_000);
            worst.set(0);
            stop.set(false);
            RedisState.clear(env.redis, env.prefix);
            store.load(published(1, a), -1);
            Thread pinger2 = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    long p0 = System.nanoTime();
                    env.redis.ping();
                    worst.accumulateAndGet(System.nanoTime() - p0, Math::max);
                }
            });
            t0 = System.nanoTime();
            if (store.apply(ab, null) != RedisStore.Outcome.APPLIED) {
                throw new AssertionError("a→b not applied");
            }
            long abTook = System.nanoTime() - t0;
            stop.set(true);
            pinger2.join();
            System.out.printf("a→b MULTI/EXEC (%d ops): %d ms, worst concurrent PING %d ms%n", ab.upsert().size()
                    + ab.delete().size() + ab.mapSet().size() + ab.mapDel().size(), abTook / 1_000_000,
                    worst.get() / 1_000_000);
        }
    }

    private static Published published(long version, TreeMap<Long, AnimeEntry> entries) {
        List<Published.IdJson> e = new ArrayList<>();
        entries.forEach((id, x) -> e.add(new Published.IdJson(id, CanonicalJson.toBytes(x))));
        List<Published.KeyId> m = new ArrayList<>();
        SyntheticData.mappings(entries).forEach((k, id) -> m.add(new Published.KeyId(k, id)));
        return new Published(version, Instant.now(), null, e, m);
    }

    /** The seed's layout: one top-level key per mapping ({@code platform/id} → id) and one per entry. */
    private static void rawLoad(TestEnv env, TreeMap<Long, AnimeEntry> entries, Map<String, Long> mappings) {
        try (Connection c = env.redis.getPool().getResource()) {
            Pipeline p = new Pipeline(c, false);
            int inBatch = 0;
            for (Map.Entry<String, Long> m : mappings.entrySet()) {
                p.set(bytes(env.prefix + "raw:" + m.getKey()), bytes(Long.toString(m.getValue())));
                if (++inBatch == 5000) {
                    p.sync();
                    inBatch = 0;
                }
            }
            for (Map.Entry<Long, AnimeEntry> e : entries.entrySet()) {
                p.set(bytes(env.prefix + "raw:" + e.getKey()), CanonicalJson.toBytes(e.getValue()));
                if (++inBatch == 5000) {
                    p.sync();
                    inBatch = 0;
                }
            }
            p.sync();
        }
    }

    private static long usedMemory(TestEnv env) {
        // keys just UNLINKed are freed by Redis' background thread: wait for it, or the previous round's keys
        // still count (measured that way the seed layout showed 27.6 MB; 60 MB is the settled figure)
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> env.redis.info("memory").contains("lazyfree_pending_objects:0"));
        for (String line : env.redis.info("memory").split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new IllegalStateException("no used_memory in INFO");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
