package moe.ids.ingestor;

import moe.ids.store.RedisClients;
import moe.ids.store.Tuning;
import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.config.RedisUrl;
import moe.ids.db.Database;
import redis.clients.jedis.RedisClient;

import java.time.Duration;

/**
 * The process {@link CrashSafetyIT} kills: wires a real ingestor exactly like {@link Main} (minus migrations and
 * the web server), prints {@code READY}, syncs once, prints {@code DONE}.
 * Arguments: jdbc URL, Redis URL, prefix, batch fields.
 */
public final class CrashChild {
    private CrashChild() {
    }

    /**
     * @param args jdbcUrl redisUrl prefix batchFields
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        DatabaseUrl db = DatabaseUrl.parse("arg", args[0]);
        RedisUrl redis = RedisUrl.parse("arg", args[1]);
        Tuning tuning = new Tuning(0, 0, Integer.parseInt(args[3]), 200_000, Duration.ofSeconds(2));
        IngestorConfig cfg = new IngestorConfig(db, redis, args[2], 0, "crash", Duration.ofSeconds(60),
                Duration.ofSeconds(1), tuning);
        try (HikariDataSource pool = Database.pool(db, "crash", 2);
             RedisClient client = RedisClients.create(redis, "ids-moe-crash-child", 2);
             Ingestor ingestor = Main.create(cfg, moe.ids.db.Db.over(pool), moe.ids.store.RedisPool.of(client))) {
            pool.getConnection().close();
            client.ping();
            System.out.println("READY");
            System.out.flush();
            long v = ingestor.syncOnce();
            System.out.println("DONE " + v);
            System.out.flush();
        }
    }
}
