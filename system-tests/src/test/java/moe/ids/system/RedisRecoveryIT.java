package moe.ids.system;

import com.zaxxer.hikari.HikariDataSource;
import io.helidon.config.Config;
import moe.ids.api.Main;
import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.config.RedisUrl;
import moe.ids.db.Database;
import moe.ids.db.Migrations;
import moe.ids.db.OutboxWriter;
import moe.ids.testing.TestDatabases;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.testing.ChangeSets;
import moe.ids.ingestor.Ingestor;
import moe.ids.ingestor.IngestorConfig;
import moe.ids.testing.Http;
import moe.ids.testing.PrivateRedis;
import moe.ids.store.RedisClients;
import moe.ids.store.Tuning;
import moe.ids.testing.SyntheticData;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recovery after a Redis outage, end to end: a private redis-server under a running ingestor and API is killed
 * until the ingestor's retry backoff has grown long, then started again empty. The ingestor PINGs Redis every
 * {@code ingestor.redis-probe-millis} while it is down, so the API answers 200 again within that interval plus
 * the resync — not after the rest of a backoff that can grow to {@code ingestor.max-backoff-seconds}.
 */
class RedisRecoveryIT {
    private static final System.Logger LOG = System.getLogger(RedisRecoveryIT.class.getName());
    private static final TreeMap<Long, AnimeEntry> DATA = SyntheticData.a(300, 7);
    /** Probe interval under test. */
    private static final Duration PROBE = Duration.ofMillis(200);
    /** A cap that never limits here: without the probe, recovery would wait out the whole backoff. */
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    /** Redis comes back when the ingestor has just begun a wait this long (200 ms doubled six times). */
    private static final Duration LONG_WAIT = Duration.ofMillis(12_800);
    /** Recovery must stay within the probe interval plus this (resync, reconnects, a loaded host). */
    private static final Duration SLACK = Duration.ofSeconds(5);

    @Test
    void theApiAnswersSoonAfterRedisComesBackEmpty() throws Exception {
        DatabaseUrl db = TestDatabases.fresh("recovery");
        int port = PrivateRedis.freePort();
        RedisUrl url = RedisUrl.parse("REDIS_URL", "redis://127.0.0.1:" + port + "/0");
        String prefix = "trec:";
        try (PrivateRedis redis = PrivateRedis.start(port);
             HikariDataSource pool = Database.pool(migrated(db), "recovery-test", 4);
             RedisClient client = RedisClients.create(url, "recovery-test", 4)) {
            publish(pool, ChangeSets.diff(1, 0, Map.of(), DATA));
            IngestorConfig cfg = new IngestorConfig(db, url, prefix, 0, "default", Duration.ofSeconds(1), MAX_BACKOFF,
                    PROBE, Tuning.DEFAULT);
            try (Ingestor ingestor = moe.ids.ingestor.Main.create(cfg, moe.ids.db.Db.over(pool), moe.ids.store.RedisPool.of(client)).start();
                 Main.Api api = Main.Api.start(ServedApi.config(url, prefix, 1L << 20), Config.empty())) {
                Http http = new Http("http://127.0.0.1:" + api.server().port());
                String path = "/mal/" + DATA.firstEntry().getValue().myanimelist();
                await().atMost(Duration.ofSeconds(60)).until(() -> http.get(path).status() == 200);

                redis.stop();
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                        .until(() -> ingestor.backoff().filter(d -> d.compareTo(LONG_WAIT) >= 0).isPresent());
                assertTrue(http.get(path).status() == 503, "Redis is down");
                long restart = System.nanoTime();
                redis.start(); // empty: no persistence
                long back = System.nanoTime();
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                        .until(() -> http.get(path).status() == 200);
                Duration recovery = Duration.ofNanos(System.nanoTime() - back);
                LOG.log(System.Logger.Level.INFO, "Redis back (started in {0} ms) → API 200 after {1} ms; the "
                                + "ingestor was in a {2} ms backoff, probing every {3} ms",
                        (back - restart) / 1_000_000, recovery.toMillis(), LONG_WAIT.toMillis(), PROBE.toMillis());
                assertTrue(recovery.compareTo(PROBE.plus(SLACK)) < 0, "recovery took " + recovery.toMillis()
                        + " ms; the probe should have cut the " + LONG_WAIT.toMillis() + " ms backoff short");
            }
        } finally {
            TestDatabases.drop(db);
        }
    }

    /** Publishes a change set as the merger does: outbox row and published state in one transaction. */
    private static void publish(DataSource db, ChangeSet cs) throws Exception {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                OutboxWriter.write(c, cs, null);
                c.commit();
            } catch (Exception ex) {
                c.rollback();
                throw ex;
            }
        }
    }

    private static DatabaseUrl migrated(DatabaseUrl db) {
        Migrations.migrate(db);
        return db;
    }
}
