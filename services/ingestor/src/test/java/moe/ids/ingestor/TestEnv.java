package moe.ids.ingestor;

import moe.ids.store.Layout;
import moe.ids.store.RedisClients;
import moe.ids.store.RedisReader;
import moe.ids.store.Tuning;
import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.config.RedisUrl;
import moe.ids.db.Database;
import moe.ids.db.Migrations;
import moe.ids.testing.TestDatabases;
import moe.ids.store.RedisKeys;
import redis.clients.jedis.RedisClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Test support: a fresh migrated database, a Redis client and a random key prefix; {@link #close()} drops the
 * database and deletes the prefix's keys.
 */
public final class TestEnv implements AutoCloseable {
    /** The shared test Redis ({@code TEST_REDIS_URL}, default db 0 of the local server). */
    public static final String REDIS = System.getenv().getOrDefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/0");

    final DatabaseUrl dbUrl;
    final RedisUrl redisUrl;
    final HikariDataSource db;
    final RedisClient redis;
    final String prefix;
    final Layout layout;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /**
     * @param purpose  database name part
     * @param redisUrl Redis to use
     */
    public TestEnv(String purpose, String redisUrl) {
        this.dbUrl = TestDatabases.fresh(purpose);
        Migrations.migrate(dbUrl);
        this.db = Database.pool(dbUrl, "test-" + purpose, 4);
        this.redisUrl = RedisUrl.parse("TEST_REDIS_URL", redisUrl);
        this.redis = RedisClients.create(this.redisUrl, "ids-moe-test", 8);
        this.prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + ":";
        this.layout = new Layout(new RedisKeys(prefix));
    }

    /**
     * @param purpose database name part
     */
    public TestEnv(String purpose) {
        this(purpose, REDIS);
    }

    /**
     * @param poll  poll interval
     * @param tuning writer sizes
     * @return the settings an ingestor under test uses
     */
    IngestorConfig config(Duration poll, Tuning tuning) {
        return new IngestorConfig(dbUrl, redisUrl, prefix, 0, "default", poll, Duration.ofSeconds(2), tuning);
    }

    /**
     * @param poll poll interval
     * @return a new ingestor with its own Redis client (closed with this env), not started
     */
    Ingestor ingestor(Duration poll) {
        return ingestor(poll, Tuning.DEFAULT);
    }

    Ingestor ingestor(Duration poll, Tuning tuning) {
        RedisClient own = RedisClients.create(redisUrl, "ids-moe-test-ingestor", 4);
        Ingestor i = Main.create(config(poll, tuning), moe.ids.db.Db.over(db), moe.ids.store.RedisPool.of(own));
        closeables.add(own);
        closeables.add(i);
        return i;
    }

    RedisReader reader() {
        return new RedisReader(redis, layout);
    }

    RedisState state() {
        return RedisState.read(redis, layout);
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        try {
            RedisState.clear(redis, prefix);
        } finally {
            redis.close();
            db.close();
            TestDatabases.drop(dbUrl);
        }
    }
}
