package moe.ids.ingestor;

import moe.ids.store.Meta;
import moe.ids.store.Tuning;
import moe.ids.testing.PrivateRedis;
import moe.ids.testing.SyntheticData;
import moe.ids.testing.ChangeSets;
import moe.ids.core.entry.AnimeEntry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A running ingestor heals Redis: a flushed database is rebuilt within 30 s, and a Redis that goes away (with
 * a password, on its own private server) is retried with backoff, reported not-ready, and resynced when back.
 */
class SelfHealingIT {
    private static final TreeMap<Long, AnimeEntry> A = SyntheticData.a(3000, 21);

    /** Flushed on a private server of its own: the shared one holds other tests' and users' data. */
    @Test
    void flushedRedisIsResyncedWithin30Seconds() throws Exception {
        try (PrivateRedis own = PrivateRedis.start(PrivateRedis.freePort());
             TestEnv env = new TestEnv("flush", "redis://127.0.0.1:" + own.port() + "/0")) {
            TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), A), null);
            Ingestor ingestor = env.ingestor(Duration.ofSeconds(5)).start();
            await().atMost(Duration.ofSeconds(30)).until(() -> env.reader().metaIfPresent().isPresent());
            assertEquals(RedisState.expected(1, A), env.state());
            env.redis.flushDB();
            long flushed = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> env.reader().metaIfPresent().isPresent());
            System.getLogger(SelfHealingIT.class.getName()).log(System.Logger.Level.INFO, "resynced {0} ms after the flush",
                    (System.nanoTime() - flushed) / 1_000_000);
            assertEquals(RedisState.expected(1, A), env.state());
            assertTrue(ingestor.problem().isEmpty());
        }
    }

    /**
     * One bucket key deleted from the served generation (meta intact, so readers answer 503 for its keys) is noticed
     * by the next pass and resynced: every bucket of both tiers is checked, a tier-1 bucket too.
     */
    @Test
    void aDeletedBucketIsResyncedByTheNextPass() throws Exception {
        try (TestEnv env = new TestEnv("bucket")) {
            TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), A), null);
            Ingestor ingestor = env.ingestor(Duration.ofSeconds(1), Tuning.DEFAULT.withBucketFields(64, 32)).start();
            await().atMost(Duration.ofSeconds(30)).until(() -> ingestor.problem().isEmpty());
            Meta m = env.reader().meta();
            assertTrue(m.mappingBuckets() > 1 && m.entryBuckets() > 1, m.toString());
            env.redis.del(env.layout.mappingBucketKey(m.generation(), m.mappingBuckets() - 1));
            await().atMost(Duration.ofSeconds(30)).until(() -> env.reader().meta().generation() != m.generation());
            assertEquals(RedisState.expected(1, A), env.state());
            Meta n = env.reader().meta();
            env.redis.del(env.layout.entryBucketKey(n.generation(), n.entryBuckets() - 1));
            await().atMost(Duration.ofSeconds(30)).until(() -> env.reader().meta().generation() != n.generation());
            assertEquals(RedisState.expected(1, A), env.state());
        }
    }

    @Test
    void redisOutageIsRetriedAndHealed() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/redis-server")), "redis-server not installed");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process redis = startRedis(port);
        try (TestEnv env = new TestEnv("outage", "redis://:s3cr%40t@127.0.0.1:" + port + "/0")) {
            TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), A), null);
            Ingestor ingestor = env.ingestor(Duration.ofSeconds(1)).start();
            await().atMost(Duration.ofSeconds(30)).until(() -> ingestor.problem().isEmpty());
            assertEquals(RedisState.expected(1, A), env.state());

            redis.destroyForcibly().waitFor();
            await().atMost(Duration.ofSeconds(30)).until(() -> ingestor.problem().isPresent());

            TreeMap<Long, AnimeEntry> b = SyntheticData.b(A, 22);
            TestOutbox.publish(env.db, ChangeSets.diff(2, 1, A, b), null);
            redis = startRedis(port); // comes back empty (no persistence)
            await().atMost(Duration.ofSeconds(60)).until(() -> ingestor.problem().isEmpty());
            assertEquals(2, env.reader().meta().version()); // the reader retries the stale pooled connection
            assertEquals(RedisState.expected(2, b), env.state());
        } finally {
            redis.destroyForcibly().waitFor();
        }
    }

    private static Process startRedis(int port) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--requirepass", "s3cr@t", "--save", "", "--appendonly", "no", "--dir", System.getProperty("java.io.tmpdir"))
                .redirectOutput(new File("target/private-redis.log"))
                .redirectErrorStream(true)
                .start();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return true;
            } catch (java.io.IOException ex) {
                return !p.waitFor(0, TimeUnit.MILLISECONDS) && false;
            }
        });
        return p;
    }
}
