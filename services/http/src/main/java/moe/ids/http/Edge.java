package moe.ids.http;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.http.DirectHandler;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http1.Http1Config;

/**
 * The listeners of a service's web server, built the same way for every service: bound where {@link EdgeConfig}
 * says, holding at most as many connections as the process has file descriptors to spare, closing connections
 * that wait too long ({@link Watchdog}), serving HTTP/1.0 and answering every malformed request
 * ({@link TransportErrors}), {@code /observe} on a port of its own, a start that fails loudly when a port is
 * taken, and a check that the client listener still accepts connections.
 *
 * <p>Use: {@code Edge edge = Edge.create(cfg, "api"); WebServer ws = edge.start(edge.apply(WebServer.builder(),
 * http1, errors).routing(…));} … {@code ws.stop(); edge.close();}
 */
public final class Edge implements AutoCloseable {
    /** Name of the listener that serves {@code /observe}. */
    public static final String OBSERVE = "observe";

    private static final System.Logger LOG = System.getLogger(Edge.class.getName());
    /** File descriptors kept for everything but client connections: jars, Redis/PostgreSQL pools, logs, … */
    private static final int FD_RESERVE = 128;

    private final EdgeConfig cfg;
    private final String service;
    private final Watchdog clients;
    private final Watchdog observers;
    /** One thread per edge: both listeners' watchdog sweeps and the accept check. */
    private final ScheduledExecutorService timer;
    private volatile WebServer server;
    private volatile boolean accepting = true;
    private volatile Runnable onListenerLost = () -> { };
    private int failedChecks;

    private Edge(EdgeConfig cfg, String service) {
        this.cfg = cfg;
        this.service = service;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "http-edge-" + service);
            t.setDaemon(true);
            return t;
        });
        this.clients = new Watchdog(cfg, timer);
        this.observers = new Watchdog(cfg, timer);
    }

    /**
     * @param cfg     the settings
     * @param service the service's name, for logs and thread names
     * @return an edge, to apply to one web server
     */
    public static Edge create(EdgeConfig cfg, String service) {
        return new Edge(cfg, service);
    }

    /** @return the settings */
    public EdgeConfig config() {
        return cfg;
    }

    /**
     * Configures the listeners.
     *
     * @param builder a web server builder (its own {@code config(…)} applied before, routing and features after)
     * @param http1   HTTP/1.1 settings
     * @param errors  answers for requests rejected before routing
     * @return the builder
     */
    public WebServerConfig.Builder apply(WebServerConfig.Builder builder, Http1Config http1, DirectHandler errors) {
        DirectHandlers handlers = directHandlers(errors);
        listener(builder, cfg, cfg.port(), maxConnections(), http1, clients, handlers, errors);
        if (cfg.separateObserve()) {
            ListenerConfig.Builder observe = ListenerConfig.builder();
            listener(observe, cfg, cfg.observePort(), EdgeConfig.OBSERVE_CONNECTIONS, http1, observers, handlers,
                    errors);
            builder.putSocket(OBSERVE, observe.build());
        }
        return builder;
    }

    /**
     * @param server the service's {@code server} node
     * @return HTTP/1.1 settings from {@code server.protocols.http_1_1}, Helidon's defaults otherwise
     */
    public static Http1Config http1(io.helidon.config.Config server) {
        return Http1Config.builder().config(server.get("protocols.http_1_1")).build();
    }

    /**
     * @return the listeners {@code ObserveFeature} is served on: the observe port's, or the client port's when
     *         it has none of its own
     */
    public List<String> observeSockets() {
        return cfg.separateObserve() ? List.of(OBSERVE) : List.of(WebServer.DEFAULT_SOCKET_NAME);
    }

    /**
     * Starts the server and checks that every listener is bound; logs where.
     *
     * @param builder the configured builder
     * @return the running server
     * @throws ServerStartException when a listener could not be bound (port taken, address not local, …)
     */
    public WebServer start(WebServerConfig.Builder builder) {
        // a port that cannot be bound is found before Helidon tries (which logs a stack trace, then goes on)
        String problem = bindProblem();
        if (!problem.isEmpty()) {
            throw new ServerStartException(service + " could not listen: " + problem);
        }
        WebServer ws = builder.build().start();
        if (!ws.isRunning() || ws.port() <= 0 || cfg.separateObserve() && ws.port(OBSERVE) <= 0) {
            ws.stop();
            String later = bindProblem();
            throw new ServerStartException(service + " could not listen: "
                    + (later.isEmpty() ? "a listener failed to start (" + cfg.host() + ":" + cfg.port() + ")" : later));
        }
        this.server = ws;
        LOG.log(System.Logger.Level.INFO, "{0} listening on {1} (clients){2}", service, where(ws.port()),
                cfg.separateObserve() ? "; /observe on " + where(ws.port(OBSERVE)) : ", /observe included");
        long period = Math.max(1000, Math.min(5000, cfg.idleTimeout().toMillis()));
        timer.scheduleWithFixedDelay(this::checkAccepting, period, period, TimeUnit.MILLISECONDS);
        return ws;
    }

    /**
     * @param action what to do when the client listener has stopped accepting connections (it happens when the
     *               server socket fails; the process then answers nothing and should be restarted)
     */
    public void onListenerLost(Runnable action) {
        this.onListenerLost = action;
    }

    /** @return whether the client listener still accepts connections (for a liveness check) */
    public boolean accepting() {
        return accepting;
    }

    /**
     * @return a liveness check that fails once the client listener stopped accepting connections
     */
    public HealthCheck livenessCheck() {
        return new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return HealthCheckType.LIVENESS;
            }

            @Override
            public String name() {
                return "listener";
            }

            @Override
            public HealthCheckResponse call() {
                return HealthCheckResponse.builder().status(accepting)
                        .detail("openConnections", clients.open()).build();
            }
        };
    }

    /** @return client connections open now */
    public int openConnections() {
        return clients.open();
    }

    /** @return connections closed for waiting too long since start */
    public long timedOutConnections() {
        return clients.closed() + observers.closed();
    }

    @Override
    public void close() {
        clients.close();
        observers.close();
        timer.shutdownNow();
    }

    /** The most client connections held at once: the setting, or fewer when file descriptors are short. */
    int maxConnections() {
        int max = cfg.maxConnections();
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long spare = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - FD_RESERVE
                    - EdgeConfig.OBSERVE_CONNECTIONS;
            if (spare < max) {
                int capped = (int) Math.max(16, spare);
                LOG.log(System.Logger.Level.WARNING, "{0}: holding at most {1} connections, not {2}: the process may "
                                + "open {3} files and has {4} open (raise `ulimit -n` for more)", service, capped, max,
                        os.getMaxFileDescriptorCount(), os.getOpenFileDescriptorCount());
                return capped;
            }
        }
        return max;
    }

    private static <B extends ListenerConfig.BuilderBase<B, ?>> void listener(
            ListenerConfig.BuilderBase<B, ?> b, EdgeConfig cfg, int port, int maxConnections, Http1Config http1,
            Watchdog watchdog, DirectHandlers handlers, DirectHandler errors) {
        b.host(cfg.host())
                .port(port)
                .protocolsDiscoverServices(false)
                .protocols(List.of())
                .connectionSelectors(List.of(new EdgeSelector(http1, cfg, watchdog, errors)))
                .maxTcpConnections(maxConnections)
                .directHandlers(handlers);
    }

    private static DirectHandlers directHandlers(DirectHandler handler) {
        DirectHandlers.Builder b = DirectHandlers.builder();
        for (DirectHandler.EventType t : DirectHandler.EventType.values()) {
            b.addHandler(t, handler);
        }
        return b.build();
    }

    private String where(int port) {
        String host = cfg.host();
        String scope = "0.0.0.0".equals(host) || "::".equals(host) ? " (every interface)" : "";
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + scope;
    }

    private String bindProblem() {
        StringBuilder sb = new StringBuilder();
        int[] ports = cfg.separateObserve() ? new int[] {cfg.port(), cfg.observePort()} : new int[] {cfg.port()};
        String[] keys = {"server.port", "server.observe-port"};
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] == 0) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName(cfg.host()), ports[i]));
            } catch (BindException e) {
                sb.append(sb.isEmpty() ? "" : "; ").append(keys[i]).append(' ').append(cfg.host()).append(':')
                        .append(ports[i]).append(": ").append(e.getMessage());
            } catch (IOException | RuntimeException e) {
                sb.append(sb.isEmpty() ? "" : "; ").append(keys[i]).append(' ').append(cfg.host()).append(':')
                        .append(ports[i]).append(": ").append(e.getMessage());
            }
        }
        return sb.toString();
    }

    private void checkAccepting() {
        WebServer ws = server;
        if (ws == null) {
            return;
        }
        String host = "0.0.0.0".equals(cfg.host()) || "::".equals(cfg.host()) ? "127.0.0.1" : cfg.host();
        try (Socket s = new Socket()) {
            // short: it shares the edge's thread with the watchdog sweeps; a full backlog (no answer) is inconclusive
            s.connect(new InetSocketAddress(host, ws.port()), 250);
            failedChecks = 0;
            accepting = true;
        } catch (ConnectException refused) {
            if (++failedChecks >= 2 && accepting) {
                accepting = false;
                LOG.log(System.Logger.Level.ERROR, "{0}: the listener on port {1,number,#} stopped accepting "
                        + "connections", service, ws.port());
                onListenerLost.run();
            }
        } catch (IOException | RuntimeException inconclusive) {
            // out of descriptors ourselves, or a timeout under load: says nothing about the listener
        }
    }

}
