package moe.ids.replay;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.webserver.WebServer;

/**
 * Fake upstream HTTP server replaying an upstream snapshot directory (layout and {@code index.tsv} format:
 * {@code docs/upstream-snapshots.md}).
 * <p>
 * A request for {@code http://127.0.0.1:PORT/HOST/PATH?Q} is answered from the row for {@code https://HOST/PATH?Q}
 * of the current snapshot ({@code a}, {@code b}, or {@code faults} = {@code b} overlaid with fault rows); anything
 * not recorded is a 404. Admin endpoints for out-of-process use:
 * {@code POST /_replay/snapshot?name=b[&faults=f1,f2]}, {@code GET /_replay/requests}, {@code POST /_replay/reset}.
 * <pre>{@code
 * try (ReplayServer server = ReplayServer.start(ReplayServer.locateUpstream().orElseThrow(), "a")) {
 *     URI uri = URI.create(server.url("https://kaize.io/anime/top?page=3"));
 * }
 * }</pre>
 */
public final class ReplayServer implements AutoCloseable {

    /** System property naming the recorded upstream folder. */
    public static final String UPSTREAM_PROPERTY = "ids.moe.upstream";
    /** Environment variable naming the recorded upstream folder. */
    public static final String UPSTREAM_ENV = "IDS_MOE_UPSTREAM";

    private static final String HOST = "127.0.0.1";

    private final WebServer server;
    private final ReplayHandler handler;
    private final String address;

    private ReplayServer(WebServer server, ReplayHandler handler, String address) {
        this.server = server;
        this.handler = handler;
        this.address = address;
    }

    /**
     * Starts a server on an ephemeral loopback port.
     *
     * @param upstreamRoot the recorded upstream folder (holding {@code a/}, {@code b/}, {@code faults/})
     * @param snapshot     {@code a}, {@code b} or {@code faults} (all faults enabled)
     * @return the running server
     * @throws IllegalArgumentException if the snapshot does not exist
     */
    public static ReplayServer start(Path upstreamRoot, String snapshot) {
        return start(upstreamRoot, snapshot, 0);
    }

    /**
     * Starts a server on a given loopback port.
     *
     * @param upstreamRoot the recorded upstream folder
     * @param snapshot     {@code a}, {@code b} or {@code faults}
     * @param port         TCP port on 127.0.0.1, 0 for an ephemeral one
     * @return the running server
     * @throws IllegalArgumentException if the snapshot does not exist
     */
    public static ReplayServer start(Path upstreamRoot, String snapshot, int port) {
        return start(upstreamRoot, snapshot, HOST, port);
    }

    /**
     * Starts a server on a given address, e.g. {@code 0.0.0.0} in the replay image so that other pods reach it.
     *
     * @param upstreamRoot the recorded upstream folder
     * @param snapshot     {@code a}, {@code b} or {@code faults}
     * @param host         address to listen on
     * @param port         TCP port, 0 for an ephemeral one
     * @return the running server
     * @throws IllegalArgumentException if the snapshot does not exist
     */
    public static ReplayServer start(Path upstreamRoot, String snapshot, String host, int port) {
        Objects.requireNonNull(upstreamRoot, "upstreamRoot");
        Objects.requireNonNull(host, "host");
        ReplayHandler handler = new ReplayHandler(upstreamRoot, snapshot);
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .shutdownHook(false)
                // without TCP_NODELAY, Nagle + delayed ACK add ~40 ms to each keep-alive response
                .connectionOptions(options -> options.tcpNoDelay(true))
                // bodies must go out byte-exact, whatever encoders other modules put on the classpath
                .contentEncoding(ContentEncodingContext.builder().contentEncodingsDiscoverServices(false).build())
                .routing(routing -> routing.any(handler))
                .build()
                .start();
        boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
        return new ReplayServer(server, handler, wildcard ? HOST : host);
    }

    /**
     * Finds the recorded upstream folder: system property {@value #UPSTREAM_PROPERTY}, else environment variable
     * {@value #UPSTREAM_ENV}, else {@code shared/upstream} under the working directory or one of its ancestors
     * (so a checkout beside a {@code shared/upstream} folder finds it). A candidate counts only when it
     * holds {@code README.md}.
     *
     * @return the folder, empty when it cannot be found
     */
    public static Optional<Path> locateUpstream() {
        for (String configured : new String[] {System.getProperty(UPSTREAM_PROPERTY), System.getenv(UPSTREAM_ENV)}) {
            if (configured != null && !configured.isBlank() && isUpstream(Path.of(configured))) {
                return Optional.of(Path.of(configured).toAbsolutePath().normalize());
            }
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("upstream");
            if (isUpstream(candidate)) {
                return Optional.of(candidate.normalize());
            }
        }
        return Optional.empty();
    }

    private static boolean isUpstream(Path dir) {
        return Files.isRegularFile(dir.resolve("README.md"));
    }

    /**
     * The bound port.
     *
     * @return TCP port on 127.0.0.1
     */
    public int port() {
        return server.port();
    }

    /**
     * The server's base URI.
     *
     * @return {@code http://127.0.0.1:PORT} (the address listened on, when it is not a wildcard)
     */
    public URI baseUri() {
        return URI.create("http://" + address + ":" + port());
    }

    /**
     * Maps an upstream URL to this server: {@code https://HOST/PATH?Q} becomes
     * {@code http://127.0.0.1:PORT/HOST/PATH?Q}, with path and query kept verbatim.
     *
     * @param upstreamUrl absolute {@code https://} (or {@code http://}) URL
     * @return the local URL
     * @throws IllegalArgumentException for other schemes
     */
    public String url(String upstreamUrl) {
        for (String scheme : new String[] {"https://", "http://"}) {
            if (upstreamUrl.startsWith(scheme)) {
                return baseUri() + "/" + upstreamUrl.substring(scheme.length());
            }
        }
        throw new IllegalArgumentException("not an http(s) URL: " + upstreamUrl);
    }

    /**
     * Switches to another snapshot ({@code faults}: all faults enabled); resets sequence and request counters.
     *
     * @param name {@code a}, {@code b} or {@code faults}
     * @throws IllegalArgumentException if the snapshot does not exist
     */
    public void snapshot(String name) {
        handler.select(name, null);
    }

    /**
     * Switches to the {@code faults} snapshot with only the named faults enabled (an empty set serves plain
     * {@code b}); resets sequence and request counters.
     *
     * @param faultNames {@code X-Fixture-Fault} names, e.g. {@code arm-503-then-200}
     * @throws IllegalArgumentException for an unknown fault name
     */
    public void enableFaults(Set<String> faultNames) {
        handler.select(RouteTable.FAULTS, Set.copyOf(faultNames));
    }

    /**
     * The current snapshot.
     *
     * @return {@code a}, {@code b} or {@code faults}
     */
    public String snapshot() {
        return handler.table().snapshot();
    }

    /**
     * The faults in effect.
     *
     * @return enabled fault names, empty unless the snapshot is {@code faults}
     */
    public Set<String> enabledFaults() {
        return handler.table().enabledFaults();
    }

    /**
     * Restarts every {@code X-Fixture-Seq} sequence at its first row.
     */
    public void resetSequences() {
        handler.resetSequences();
    }

    /**
     * Sets every request counter back to zero.
     */
    public void resetRequestCounts() {
        handler.resetRequestCounts();
    }

    /**
     * How often a method + upstream URL was requested since start, the last snapshot switch or reset.
     *
     * @param method      HTTP method, e.g. {@code GET}
     * @param upstreamUrl absolute upstream URL, e.g. {@code https://kaize.io/anime/top?page=2}
     * @return number of requests (recorded or not)
     */
    public int requestCount(String method, String upstreamUrl) {
        return handler.requestCount(method, upstreamUrl);
    }

    /**
     * All request counters.
     *
     * @return counts keyed by {@code METHOD URL}, sorted
     */
    public Map<String, Integer> requestCounts() {
        return handler.requestCounts();
    }

    /**
     * Stops the server.
     */
    @Override
    public void close() {
        server.stop();
    }
}
