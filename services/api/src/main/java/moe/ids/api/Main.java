package moe.ids.api;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import moe.ids.api.http.ApiErrors;
import moe.ids.api.http.ApiFilter;
import moe.ids.api.http.ArmService;
import moe.ids.api.http.DumpService;
import moe.ids.api.http.EntryService;
import moe.ids.api.http.FallbackService;
import moe.ids.api.http.InfoService;
import moe.ids.api.http.JsonDirectHandler;
import moe.ids.api.http.RedirectService;
import moe.ids.api.store.Datasets;
import moe.ids.api.store.EntryStore;
import moe.ids.store.Invalidations;
import moe.ids.api.store.NearCache;
import moe.ids.store.ScriptPipe;
import moe.ids.core.error.ConfigException;
import moe.ids.core.health.ReadinessCheck;
import moe.ids.store.RedisKeys;
import moe.ids.http.Edge;
import moe.ids.http.EdgeConfig;
import moe.ids.http.ServerStartException;
import moe.ids.http.WarmUp;
import moe.ids.store.Layout;
import moe.ids.store.RedisCheck;
import moe.ids.store.RedisReader;

/** Starts the API: config, the Redis client and near cache (built once), routing, health and metrics. */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    /**
     * Starts the API; a setting that cannot work (a malformed value, {@code REDIS_URL} refused by Redis) ends the
     * process with status 1 and one log line naming it ({@link RedisCheck#atStart}).
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // the metrics registry and the web server's builders initialize beside the configuration (WarmUp)
        WarmUp.start("api-warm-up", WarmUp::logLine, Metrics::globalRegistry, WebServer::builder, Http1Config::builder,
                HttpRouting::builder, ObserveFeature::builder, HealthObserver::builder);
        LogConfig.configureRuntime();
        try {
            Config config = Config.create();
            ApiConfig cfg = ApiConfig.from(config);
            LOG.log(System.Logger.Level.INFO, "api config: {0}", cfg);
            RedisCheck.atStart(cfg.redis(), () -> System.exit(1));
            Api api = Api.start(cfg, config.get("server"));
            api.edge().onListenerLost(() -> Runtime.getRuntime().halt(70));
            Runtime.getRuntime().addShutdownHook(new Thread(api::close, "api-shutdown"));
        } catch (ConfigException | ServerStartException ex) {
            LOG.log(System.Logger.Level.ERROR, ex.getMessage());
            System.exit(1);
        }
    }

    /**
     * Makes the JDK wake every virtual thread waiting on a socket from ONE read poller instead of one per core,
     * unless {@code -Djdk.readPollers} was given. Measured (services/api/DESIGN.md, "Wiring"): at 64
     * connections p90 2.3 ms instead of 4.0 and p99 about a quarter lower on the static and hot routes, same
     * throughput. It only takes effect before the JVM's first virtual-thread socket wait, i.e. here, before the
     * server starts; later it is a no-op (the JDK reads it once).
     */
    static void onePoller() {
        String given = System.getProperty("jdk.readPollers");
        if (given == null) {
            System.setProperty("jdk.readPollers", "1");
        }
        LOG.log(System.Logger.Level.INFO, "JDK read pollers: {0}",
                given == null ? "1 (set by the API)" : given + " (given)");
    }

    /**
     * A running API and what it owns; {@link #close()} releases them in reverse order of creation.
     *
     * @param reader        Redis reader (meta, dumps, health; owns the connection pool)
     * @param pipe          pipelined lookup connections, or null
     * @param invalidations near-cache subscriber
     * @param edge          the listeners' connection handling
     * @param server        web server (null while it starts)
     * @param store         the store (tests look at its cache)
     * @param metrics       this API's meters (closing hands the process-wide gauges back to an API opened before)
     * @param datasets      dumps and one-to-many indexes (closing deletes this process's dump files)
     */
    public record Api(RedisReader reader, ScriptPipe pipe, Invalidations invalidations, Edge edge, WebServer server,
                      EntryStore store, ApiMetrics metrics, Datasets datasets)
            implements AutoCloseable {

        /**
         * @param cfg    settings
         * @param server {@code server} config node (host, timeouts, observe port, …); the port comes from
         *               {@code cfg}
         * @return the started API
         * @throws moe.ids.http.ServerStartException when a port cannot be bound
         */
        public static Api start(ApiConfig cfg, Config server) {
            onePoller();
            Layout layout = new Layout(new RedisKeys(cfg.redisPrefix()));
            RedisReader reader = RedisReader.open(cfg.redis(), "ids-moe-api", cfg.redisPool(), layout);
            NearCache cache = new NearCache(cfg.nearCacheBytes());
            Invalidations invalidations = cfg.nearCacheBytes() == 0 ? null
                    : new Invalidations(cfg.redis(), "ids-moe-api-invalidations", layout.meta(), cache);
            ScriptPipe pipe = new ScriptPipe(cfg.redis(), "ids-moe-api-pipe", layout, cfg.redisPipes(),
                    ApiMetrics.redisRoundTrips());
            EntryStore store = new EntryStore(reader, pipe::findAll, cache);
            Datasets datasets = new Datasets(store, cfg.dumpDir());
            ApiMetrics metrics = new ApiMetrics(store, pipe, datasets);
            ApiErrors errors = new ApiErrors();
            Edge edge = Edge.create(EdgeConfig.from(server, cfg.port(), -1), "api");
            WebServer ws;
            try {
                WebServerConfig.Builder b = WebServer.builder().config(server);
                // HTTP/1.1 connections persist by default (RFC 9112): without the redundant
                // "Connection: keep-alive" a lookup's headers fit the 256 bytes Helidon reserves for them (no
                // buffer growth per answer). server.protocols.http_1_1 is read on top of this default
                edge.apply(b, Http1Config.builder().sendKeepAliveHeader(false)
                        .config(server.get("protocols.http_1_1")).build(), new JsonDirectHandler());
                ws = edge.start(b
                        .connectionOptions(o -> o.tcpNoDelay(true))
                        .maxPayloadSize(Math.max(cfg.maxBodyBytes(), 1 << 20) * 4L)
                        .addFeature(ObserveFeature.builder()
                                .sockets(edge.observeSockets())
                                .addObserver(HealthObserver.builder().details(true)
                                        .addCheck(new ReadinessCheck("redis", reader::ping))
                                        .addCheck(new ReadinessCheck("dataset",
                                                () -> store.metaIfPresent().isPresent()))
                                        .addCheck(edge.livenessCheck())
                                        .build())
                                .addObserver(MetricsObserver.create())
                                .build())
                        .routing(r -> routing(r, cfg, store, datasets, metrics, errors,
                                !edge.config().separateObserve())));
            } catch (RuntimeException e) {
                new Api(reader, pipe, invalidations, edge, null, store, metrics, datasets).close();
                throw e;
            }
            return new Api(reader, pipe, invalidations, edge, ws, store, metrics, datasets);
        }

        private static void routing(HttpRouting.Builder r, ApiConfig cfg, EntryStore store, Datasets datasets,
                                    ApiMetrics metrics, ApiErrors errors, boolean observeHere) {
            r.addFilter(new ApiFilter(errors, metrics))
                    .error(Exception.class, errors)
                    // lookups are the hot path: tried right after arm-server's fixed /api/v2/* paths (which
                    // would otherwise read as lookups); the one-segment routes follow
                    .register(new ArmService(store, datasets, cfg),
                            new EntryService(store, cfg),
                            new InfoService(store, cfg),
                            new RedirectService(store),
                            new DumpService(datasets, cfg),
                            new FallbackService(observeHere));
        }

        @Override
        public void close() {
            if (server != null) {
                server.stop();
            }
            edge.close();
            datasets.close();
            metrics.close();
            if (invalidations != null) {
                invalidations.close();
            }
            pipe.close();
            reader.close();
        }
    }
}
