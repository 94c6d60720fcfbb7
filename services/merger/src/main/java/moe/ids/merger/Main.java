package moe.ids.merger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.health.HealthObserverConfig;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.db.Database;
import moe.ids.db.Db;
import moe.ids.db.Migrations;
import moe.ids.db.Fatal;
import moe.ids.core.snapshot.StepGate;
import moe.ids.db.RefreshLock;
import moe.ids.http.Edge;
import moe.ids.http.EdgeConfig;
import moe.ids.http.TransportErrors;
import moe.ids.merger.operator.ControllerConfig;
import moe.ids.merger.operator.ControllerHealth;
import moe.ids.merger.operator.PostgresBackend;
import moe.ids.merger.operator.RefreshController;
import moe.ids.merger.operator.RefreshCreate;
import moe.ids.merger.operator.RefreshReconciler;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * The merger's entry point: {@code serve} (health, metrics and — in a cluster — the Refresh controller),
 * {@code merge [--source NAME]... [--force]} (one merge in the foreground, the merger's step of the local refresh,
 * see {@link MergeCommand}), {@code refresh lock} (hold the refresh lock for the steps of a local refresh, see
 * {@link RefreshLockCommand}), {@code refresh create [--source NAME]... [--force]} (create a Refresh object, as the
 * CronJob does) or {@code migrate} (create the database when missing and apply the schema).
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    /**
     * @param args see the class description
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        DatabaseUrl database = null;
        try {
            Config config = Config.create();
            MergerConfig cfg = MergerConfig.from(config);
            database = cfg.database();
            List<String> rest = args.length == 0 ? List.of() : Arrays.asList(args).subList(1, args.length);
            String command = args.length == 0 ? "serve" : args[0];
            if ("refresh".equals(command) && !rest.isEmpty() && "create".equals(rest.getFirst())) {
                System.exit(RefreshCreate.run(ControllerConfig.from(config), rest.subList(1, rest.size())));
            }
            LOG.log(System.Logger.Level.INFO, "merger config: {0}", cfg);
            switch (command) {
                case "serve" -> serve(config, cfg);
                case "merge" -> System.exit(StepGate.report(MergeCommand.run(config, cfg, rest,
                        System.getenv(RefreshLock.HOLDER_ENV), System.getenv(StepGate.ENV), System.in),
                        System.getenv(StepGate.RESULT_ENV)));
                case "refresh" -> {
                    if (!rest.equals(List.of("lock"))) {
                        LOG.log(System.Logger.Level.ERROR, "refresh: use refresh lock or refresh create; a local "
                                + "refresh runs the scraper, the merger's merge and the ingestor's sync: bin/ids-moe "
                                + "refresh");
                        System.exit(64);
                    }
                    System.exit(RefreshLockCommand.run(config, cfg, System.in, System.out,
                            System.getenv(StepGate.RESULT_ENV)));
                }
                case "migrate" -> {
                    Database.ensureExists(cfg.database());
                    Migrations.migrate(cfg.database());
                }
                default -> {
                    LOG.log(System.Logger.Level.ERROR, "unknown command {0}; use serve, merge, refresh lock, refresh "
                            + "create or migrate", command);
                    System.exit(64);
                }
            }
        } catch (RuntimeException | Error ex) {
            // one line saying why (the stack trace at DEBUG), exit 1
            System.exit(Fatal.report(LOG, "merger", ex, database));
        }
    }

    private static void serve(Config config, MergerConfig cfg) {
        Database.ensureExists(cfg.database());
        Migrations.migrate(cfg.database());
        Db db = Db.open(cfg.database(), "merger", 4);
        ControllerConfig ccfg = ControllerConfig.from(config);
        KubernetesClient kube = ccfg.enabled() ? new KubernetesClientBuilder().build() : null;
        RefreshController controller = null;
        if (kube != null) {
            LOG.log(System.Logger.Level.INFO, "controller config: {0}", ccfg);
            MergeService merge = new MergeService(db, cfg.mergeSettings(), cfg.maxDeleteShare());
            // Losing the lease ends the process; the kubelet restarts it into a fresh election.
            controller = new RefreshController(kube, ccfg, new RefreshReconciler(kube, ccfg,
                    new PostgresBackend(db, merge, ccfg.consumer()), Clock.systemUTC()), System::exit);
            controller.start();
        }
        HealthObserverConfig.Builder health = HealthObserver.builder().details(true)
                .addCheck(db.readiness("postgres"));
        if (controller != null) {
            health.addCheck(ControllerHealth.liveness(controller)).addCheck(ControllerHealth.readiness(controller));
        }
        Config serverConfig = config.get("server");
        Edge edge = Edge.create(EdgeConfig.from(serverConfig, cfg.port(), -1), "merger");
        health.addCheck(edge.livenessCheck());
        LOG.log(System.Logger.Level.INFO, "merger: {0}", kube == null ? "controller off (not in a cluster)"
                : "controller on");
        WebServer server = edge.start(edge.apply(WebServer.builder().config(serverConfig), Edge.http1(serverConfig),
                        new TransportErrors())
                .addFeature(ObserveFeature.builder()
                        .sockets(edge.observeSockets())
                        .addObserver(health.build())
                        .addObserver(MetricsObserver.create())
                        .build()));
        edge.onListenerLost(() -> Runtime.getRuntime().halt(70));
        RefreshController running = controller;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            edge.close();
            if (running != null) {
                running.close();
            }
            if (kube != null) {
                kube.close();
            }
            db.close();
        }, "merger-shutdown"));
    }
}
