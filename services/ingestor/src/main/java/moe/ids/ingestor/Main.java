package moe.ids.ingestor;

import com.zaxxer.hikari.HikariDataSource;
import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import moe.ids.core.db.Database;
import moe.ids.core.db.Migrations;
import moe.ids.core.health.ReadinessCheck;
import redis.clients.jedis.RedisClient;

/** Starts the ingestor: config, migrations, PostgreSQL pool, Redis client, health and metrics. */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Config config = Config.create();
        IngestorConfig cfg = IngestorConfig.from(config);
        LOG.log(System.Logger.Level.INFO, "ingestor config: {0}", cfg);
        Database.ensureExists(cfg.database());
        Migrations.migrate(cfg.database());
        HikariDataSource db = Database.pool(cfg.database(), "ingestor", 4);
        RedisClient redis = RedisClients.create(cfg.redis(), "ids-moe-ingestor", 8);
        WebServer server = WebServer.builder()
                .config(config.get("server"))
                .port(cfg.port())
                .addFeature(observe(db, redis))
                .build()
                .start();
        LOG.log(System.Logger.Level.INFO, "ingestor listening on http://127.0.0.1:{0,number,#}", server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            redis.close();
            db.close();
        }, "ingestor-shutdown"));
    }

    static ObserveFeature observe(HikariDataSource db, RedisClient redis) {
        return ObserveFeature.builder()
                .addObserver(HealthObserver.builder().details(true)
                        .addCheck(ReadinessCheck.postgres("postgres", db))
                        .addCheck(new ReadinessCheck("redis", () -> "PONG".equals(redis.ping())))
                        .build())
                .addObserver(MetricsObserver.create())
                .build();
    }
}
