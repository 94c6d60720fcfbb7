package moe.ids.merger;

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

import java.util.Arrays;
import java.util.List;

/**
 * The merger's entry point: {@code serve} (health, metrics, and later the Refresh controller),
 * {@code refresh [--source NAME]... [--force]} (one local refresh in the foreground, see {@link LocalRefresh})
 * or {@code migrate} (create the database when missing and apply the schema).
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    /**
     * @param args {@code serve} (default), {@code refresh …} or {@code migrate}
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Config config = Config.create();
        MergerConfig cfg = MergerConfig.from(config);
        LOG.log(System.Logger.Level.INFO, "merger config: {0}", cfg);
        List<String> rest = args.length == 0 ? List.of() : Arrays.asList(args).subList(1, args.length);
        String command = args.length == 0 ? "serve" : args[0];
        switch (command) {
            case "serve" -> serve(config, cfg);
            case "refresh" -> System.exit(LocalRefresh.run(config, cfg, rest));
            case "migrate" -> {
                Database.ensureExists(cfg.database());
                Migrations.migrate(cfg.database());
            }
            default -> {
                LOG.log(System.Logger.Level.ERROR, "unknown command {0}; use serve, refresh or migrate", command);
                System.exit(64);
            }
        }
    }

    private static void serve(Config config, MergerConfig cfg) {
        Database.ensureExists(cfg.database());
        Migrations.migrate(cfg.database());
        HikariDataSource db = Database.pool(cfg.database(), "merger", 4);
        WebServer server = WebServer.builder()
                .config(config.get("server"))
                .port(cfg.port())
                .addFeature(ObserveFeature.builder()
                        .addObserver(HealthObserver.builder().details(true)
                                .addCheck(ReadinessCheck.postgres("postgres", db)).build())
                        .addObserver(MetricsObserver.create())
                        .build())
                .build()
                .start();
        LOG.log(System.Logger.Level.INFO, "merger listening on http://127.0.0.1:{0,number,#}", server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            db.close();
        }, "merger-shutdown"));
    }
}
