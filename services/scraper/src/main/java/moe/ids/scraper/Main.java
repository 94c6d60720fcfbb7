package moe.ids.scraper;

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

/** Starts the scraper with health and metrics; fetching arrives with the sources. */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    /**
     * @param args ignored for now
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Config config = Config.create();
        ScraperConfig cfg = ScraperConfig.from(config);
        LOG.log(System.Logger.Level.INFO, "scraper config: {0}", cfg);
        Database.ensureExists(cfg.database());
        Migrations.migrate(cfg.database());
        HikariDataSource db = Database.pool(cfg.database(), "scraper", 4);
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
        LOG.log(System.Logger.Level.INFO, "scraper listening on http://127.0.0.1:{0,number,#}", server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            db.close();
        }, "scraper-shutdown"));
    }
}
