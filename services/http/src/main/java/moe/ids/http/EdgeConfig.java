package moe.ids.http;

import java.time.Duration;

import io.helidon.config.Config;

/**
 * How a service's listeners treat connections: where they bind, how many they hold and how long a connection may
 * wait at each step. Read from the service's {@code server} config node.
 *
 * @param host           address the listeners bind ({@code server.host}; {@code 0.0.0.0} = every interface)
 * @param port           client port ({@code server.port}, read by the service; 0 = any free port)
 * @param observePort    port of {@code /observe} (health, metrics) ({@code server.observe-port}; 0 = any free
 *                       port; -1 = serve {@code /observe} on the client port)
 * @param maxConnections most connections held at once on the client port ({@code server.max-connections}); also
 *                       capped by the process' open-file limit, so accepting never fails for want of a descriptor
 * @param idleTimeout    a connection waiting for its next request is closed after this
 *                       ({@code server.idle-timeout})
 * @param headerTimeout  a request's line and headers must arrive within this of its first byte
 *                       ({@code server.header-timeout})
 * @param readTimeout    while a request body is read, a gap longer than this closes the connection
 *                       ({@code server.read-timeout})
 * @param writeTimeout   an answer the client does not take within this closes the connection
 *                       ({@code server.write-timeout})
 * @param lingerTimeout  after an error answer, how long what the client still sends is read and dropped, so the
 *                       answer is not reset away by the kernel ({@code server.linger-timeout})
 */
public record EdgeConfig(String host, int port, int observePort, int maxConnections, Duration idleTimeout,
                         Duration headerTimeout, Duration readTimeout, Duration writeTimeout,
                         Duration lingerTimeout) {

    /** Connections the observe port holds at once: probes and scrapers, never clients. */
    public static final int OBSERVE_CONNECTIONS = 32;

    /** Validates the values. */
    public EdgeConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("server.host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("server.port must be 0..65535, not " + port);
        }
        if (observePort < -1 || observePort > 65535) {
            throw new IllegalArgumentException("server.observe-port must be -1..65535, not " + observePort);
        }
        if (observePort > 0 && observePort == port) {
            throw new IllegalArgumentException("server.observe-port must differ from server.port (" + port + ")");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("server.max-connections must be at least 1, not " + maxConnections);
        }
        positive("server.idle-timeout", idleTimeout);
        positive("server.header-timeout", headerTimeout);
        positive("server.read-timeout", readTimeout);
        positive("server.write-timeout", writeTimeout);
        positive("server.linger-timeout", lingerTimeout);
    }

    /**
     * @param server             the service's {@code server} node
     * @param port               client port (the service's own typed config reads {@code server.port})
     * @param defaultObservePort observe port when {@code server.observe-port} is absent
     * @return the settings, validated
     */
    public static EdgeConfig from(Config server, int port, int defaultObservePort) {
        return new EdgeConfig(
                server.get("host").asString().orElse("0.0.0.0"),
                port,
                server.get("observe-port").asInt().orElse(defaultObservePort),
                server.get("max-connections").asInt().orElse(1024),
                duration(server, "idle-timeout", Duration.ofSeconds(60)),
                duration(server, "header-timeout", Duration.ofSeconds(10)),
                duration(server, "read-timeout", Duration.ofSeconds(10)),
                duration(server, "write-timeout", Duration.ofSeconds(30)),
                duration(server, "linger-timeout", Duration.ofMillis(500)));
    }


    /** @return whether {@code /observe} has a port of its own */
    public boolean separateObserve() {
        return observePort >= 0;
    }

    private static Duration duration(Config server, String key, Duration dflt) {
        return server.get(key).as(Duration.class).orElse(dflt);
    }

    private static void positive(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration, not " + d);
        }
    }
}
