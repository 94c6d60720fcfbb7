package moe.ids.ingestor;

import moe.ids.store.Layout;
import moe.ids.store.RedisCheck;
import moe.ids.store.RedisStore;
import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import moe.ids.db.Database;
import moe.ids.db.Db;
import moe.ids.db.Migrations;
import moe.ids.core.error.ConfigException;
import moe.ids.db.Fatal;
import moe.ids.core.health.ReadinessCheck;
import moe.ids.core.snapshot.StepGate;
import moe.ids.store.RedisKeys;
import moe.ids.http.Edge;
import moe.ids.http.EdgeConfig;
import moe.ids.http.ServerStartException;
import moe.ids.http.TransportErrors;
import moe.ids.http.WarmUp;
import moe.ids.store.RedisFailures;
import moe.ids.store.RedisPool;

/**
 * Starts the ingestor: config, migrations, PostgreSQL pool, Redis client, the sync loop, health and metrics.
 * {@code sync} as first argument syncs once and exits (0 when Redis holds the newest version).
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    /**
     * Serves, or syncs once. A setting that cannot work (a malformed value, {@code REDIS_URL} refused by Redis) ends
     * the process with status 1 and one log line naming it; {@code sync} does the same when Redis is unreachable or
     * fails during the pass. Serving, an unreachable Redis is waited for ({@link RedisCheck#atStart}).
     *
     * @param args empty to serve, or {@code sync}
     * @throws Exception when a one-shot sync fails otherwise (PostgreSQL)
     */
    public static void main(String[] args) throws Exception {
        boolean once = args.length > 0 && "sync".equals(args[0]);
        if (!once) {
            // the metrics registry and the web server's builders initialize while the main thread waits for
            // PostgreSQL (WarmUp)
            WarmUp.start("ingestor-warm-up", WarmUp::logLine, Metrics::globalRegistry, WebServer::builder,
                    ObserveFeature::builder, HealthObserver::builder);
        }
        LogConfig.configureRuntime();
        Config config = Config.create();
        IngestorConfig cfg;
        try {
            cfg = IngestorConfig.from(config);
            LOG.log(System.Logger.Level.INFO, "ingestor config: {0}", cfg);
            if (once) {
                RedisCheck.Result r = RedisCheck.check(cfg.redis(), RedisCheck.TIMEOUT);
                if (r.verdict() != RedisCheck.Verdict.OK) {
                    exit(r.line());
                }
            }
        } catch (ConfigException ex) {
            exit(ex.getMessage());
            return;
        }
        // serving, the Redis check runs beside the PostgreSQL steps (both mostly wait, or load classes): a wrong
        // setting still ends the process with its one line, from that thread
        Thread redisCheck = once ? null : Thread.ofPlatform().daemon().name("redis-check-at-start")
                .start(() -> RedisCheck.atStart(cfg.redis(), () -> System.exit(1)));
        try {
            Database.ensureExists(cfg.database());
            Migrations.migrate(cfg.database());
            Db db = Db.open(cfg.database(), "ingestor", 4);
            if (redisCheck != null) {
                redisCheck.join();
            }
            RedisPool redis = RedisPool.open(cfg.redis(), "ids-moe-ingestor", 8);
            Ingestor ingestor = create(cfg, db, redis);
            if (once) {
                try (ingestor) {
                    if (!StepGate.await("sync", System.getenv(StepGate.ENV), System.in).go()) {
                        return;
                    }
                    long v = ingestor.syncOnce();
                    LOG.log(System.Logger.Level.INFO, "Redis holds version {0}", v);
                } catch (RuntimeException ex) {
                    if (!RedisFailures.fromRedis(ex)) {
                        throw ex;
                    }
                    exit(RedisCheck.classify(cfg.redis(), ex, RedisCheck.TIMEOUT).line());
                } finally {
                    redis.close();
                    db.close();
                }
                StepGate.report(0, System.getenv(StepGate.RESULT_ENV));
                return;
            }
            ingestor.start();
            Config serverConfig = config.get("server");
            Edge edge = Edge.create(EdgeConfig.from(serverConfig, cfg.port(), -1), "ingestor");
            WebServer server;
            try {
                server = edge.start(edge.apply(WebServer.builder().config(serverConfig), Edge.http1(serverConfig),
                        new TransportErrors()).addFeature(observe(db, redis, ingestor, edge)));
            } catch (ServerStartException e) {
                LOG.log(System.Logger.Level.ERROR, e.getMessage());
                ingestor.close();
                redis.close();
                db.close();
                System.exit(1);
                return;
            }
            edge.onListenerLost(() -> Runtime.getRuntime().halt(70));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.stop();
                edge.close();
                ingestor.close();
                redis.close();
                db.close();
            }, "ingestor-shutdown"));
        } catch (RuntimeException | Error ex) {
            // one line saying why (naming DATABASE_URL when PostgreSQL is the cause), the stack trace at DEBUG
            System.exit(Fatal.report(LOG, "ingestor", ex, cfg.database()));
        }
    }

    /** Logs one line and ends the process with status 1. */
    private static void exit(String line) {
        LOG.log(System.Logger.Level.ERROR, line);
        System.exit(1);
    }

    /**
     * Wires an ingestor on a service's database.
     *
     * @param cfg   settings
     * @param db    PostgreSQL (DB Client and its pool)
     * @param redis Redis
     * @return a stopped ingestor
     */
    public static Ingestor create(IngestorConfig cfg, Db db, RedisPool redis) {
        IngestorMetrics metrics = new IngestorMetrics();
        Layout layout = new Layout(new RedisKeys(cfg.redisPrefix()));
        return new Ingestor(new Outbox(db), new RedisStore(redis, layout, cfg.tuning(), metrics), cfg.database(),
                cfg.consumer(), cfg.pollInterval(), cfg.maxBackoff(), cfg.redisProbe(), metrics);
    }

    static ObserveFeature observe(Db db, RedisPool redis, Ingestor ingestor, Edge edge) {
        return ObserveFeature.builder()
                .sockets(edge.observeSockets())
                .addObserver(HealthObserver.builder().details(true)
                        .addCheck(edge.livenessCheck())
                        .addCheck(db.readiness("postgres"))
                        .addCheck(new ReadinessCheck("redis", redis::ping))
                        .addCheck(new ReadinessCheck("ingest", () -> ingestor.problem().map(p -> {
                            throw new IllegalStateException(p);
                        }).isEmpty()))
                        .build())
                .addObserver(MetricsObserver.create())
                .build();
    }
}
