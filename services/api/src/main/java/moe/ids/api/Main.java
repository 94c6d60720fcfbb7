package moe.ids.api;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import moe.ids.core.health.ReadinessCheck;
import moe.ids.ingestor.RedisClients;
import redis.clients.jedis.RedisClient;

/** Starts the API: config, one Redis client, routing, health and metrics. */
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
        ApiConfig cfg = ApiConfig.from(config);
        LOG.log(System.Logger.Level.INFO, "api config: {0}", cfg);
        RedisClient redis = RedisClients.create(cfg.redis(), "ids-moe-api", cfg.redisPool());
        WebServer server = WebServer.builder()
                .config(config.get("server"))
                .port(cfg.port())
                .addFeature(ObserveFeature.builder()
                        .addObserver(HealthObserver.builder().details(true)
                                .addCheck(new ReadinessCheck("redis", () -> "PONG".equals(redis.ping())))
                                .build())
                        .addObserver(MetricsObserver.create())
                        .build())
                .build()
                .start();
        LOG.log(System.Logger.Level.INFO, "api listening on http://127.0.0.1:{0,number,#}", server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            redis.close();
        }, "api-shutdown"));
    }
}
