package moe.ids.scraper;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.config.Settings;
import moe.ids.db.Database;
import moe.ids.db.Db;
import moe.ids.db.Migrations;
import moe.ids.core.snapshot.StepGate;
import moe.ids.db.RefreshLock;
import moe.ids.db.Fatal;
import moe.ids.http.Edge;
import moe.ids.http.EdgeConfig;
import moe.ids.http.TransportErrors;
import moe.ids.http.WarmUp;
import moe.ids.core.snapshot.RunArgs;
import moe.ids.scraper.source.Outcome;
import moe.ids.scraper.source.Source;
import moe.ids.scraper.source.SourceResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The scraper's entry point. {@code [run] [--source NAME]... [--force]} fetches once and exits (0 when no
 * source failed, 3 when some did, 75 when a refresh holds the database's refresh lock, 1 on a fatal error, with one
 * line saying why); in a Kubernetes Indexed Job without {@code --source}, the
 * pod scrapes {@code SCRAPER_SOURCES[JOB_COMPLETION_INDEX]} ({@code SCRAPER_FORCE=true} forces it). A run takes
 * the database's refresh lock shared, or runs under the lock of the refresh it is a step of when
 * {@code IDS_MOE_REFRESH_LOCK_HOLDER} names that refresh's holder ({@code bin/ids-moe refresh}).
 * {@code serve} only exposes health and metrics.
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    /**
     * @param args see the class description
     */
    public static void main(String[] args) {
        // the metrics registry (every source reports to it) initializes beside the configuration, the migrations and
        // the wait for a refresh's turn, not when the first sources report (WarmUp)
        WarmUp.start("scraper-warm-up", Metrics::globalRegistry);
        LogConfig.configureRuntime();
        DatabaseUrl database = null;
        try {
            Config config = Config.create();
            ScraperConfig cfg = ScraperConfig.from(config);
            database = cfg.database();
            LOG.log(System.Logger.Level.INFO, "scraper config: {0}", cfg);
            List<String> rest = new ArrayList<>(List.of(args));
            String command = rest.isEmpty() || rest.getFirst().startsWith("--") ? "run" : rest.removeFirst();
            switch (command) {
                case "run" -> System.exit(StepGate.report(run(config, cfg, rest),
                        System.getenv(StepGate.RESULT_ENV)));
                case "serve" -> serve(config, cfg);
                default -> {
                    LOG.log(System.Logger.Level.ERROR, "unknown command {0}; use run or serve", command);
                    System.exit(64);
                }
            }
        } catch (RuntimeException | Error ex) {
            // one line saying why (the stack trace at DEBUG), exit 1
            System.exit(Fatal.report(LOG, "scraper", ex, database));
        }
    }

    private static int run(Config config, ScraperConfig cfg, List<String> args) {
        RunArgs parsed;
        try {
            parsed = RunArgs.parse(args);
        } catch (moe.ids.core.error.BadRequestException ex) {
            LOG.log(System.Logger.Level.ERROR, "{0}; usage: run {1}", ex.getMessage(), RunArgs.USAGE);
            return 64;
        }
        List<String> sources = new ArrayList<>(parsed.sources());
        boolean force = parsed.force();
        // In an Indexed Job (created by the Refresh controller) each pod scrapes SCRAPER_SOURCES[JOB_COMPLETION_INDEX].
        String index = System.getenv("JOB_COMPLETION_INDEX");
        String list = System.getenv("SCRAPER_SOURCES");
        if (sources.isEmpty() && index != null && list != null && !list.isBlank()) {
            List<String> all = List.of(list.split(","));
            int i = Integer.parseInt(index.strip());
            if (i < 0 || i >= all.size()) {
                LOG.log(System.Logger.Level.ERROR, "JOB_COMPLETION_INDEX {0} is outside SCRAPER_SOURCES {1}", i, list);
                return 64;
            }
            sources.add(all.get(i).strip());
            force = force || Boolean.parseBoolean(System.getenv("SCRAPER_FORCE"));
        }
        try {
            Database.ensureExists(cfg.database());
            Migrations.migrate(cfg.database());
            try (Db db = Db.open(cfg.database(), "scraper", cfg.parallelism() + 5);
                 Scraper scraper = new Scraper(cfg, db.client())) {
                List<Source> selected = scraper.select(sources);
                // a step of a local refresh may be started ahead of its turn (StepGate); its turn names the lock
                StepGate.Turn turn = StepGate.await("scrape", System.getenv(StepGate.ENV), System.in);
                if (!turn.go()) {
                    return 0;
                }
                // shared: the pods of one scraper Job run side by side, never beside a refresh or a merge; a step of
                // a local refresh runs under the lock its holder took for the whole refresh
                try (RefreshLock lock = RefreshLock.acquire(() -> Database.connect(cfg.database()),
                        RefreshLock.Mode.SHARED, "scraper " + (sources.isEmpty() ? "all" : String.join(",", sources)),
                        Duration.ofSeconds(Settings.intIn(config, "scraper.refresh-lock-wait-seconds", 0, 0, 86_400)),
                        turn.holder(System.getenv(RefreshLock.HOLDER_ENV)))) {
                    List<SourceResult> results = scraper.runSources(selected, force);
                    return results.stream().anyMatch(r -> r.result() == Outcome.Failed) ? 3 : 0;
                }
            }
        } catch (RuntimeException ex) {
            return Fatal.report(LOG, "scrape failed", ex, cfg.database());
        }
    }

    private static void serve(Config config, ScraperConfig cfg) {
        Database.ensureExists(cfg.database());
        Migrations.migrate(cfg.database());
        Db db = Db.open(cfg.database(), "scraper", 4);
        Config serverConfig = config.get("server");
        Edge edge = Edge.create(EdgeConfig.from(serverConfig, cfg.port(), -1), "scraper");
        WebServer server = edge.start(edge.apply(WebServer.builder().config(serverConfig), Edge.http1(serverConfig),
                        new TransportErrors())
                .addFeature(ObserveFeature.builder()
                        .sockets(edge.observeSockets())
                        .addObserver(HealthObserver.builder().details(true)
                                .addCheck(db.readiness("postgres"))
                                .addCheck(edge.livenessCheck()).build())
                        .addObserver(MetricsObserver.create())
                        .build()));
        edge.onListenerLost(() -> Runtime.getRuntime().halt(70));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            edge.close();
            db.close();
        }, "scraper-shutdown"));
    }
}
