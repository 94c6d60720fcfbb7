package moe.ids.http;

import java.util.List;
import java.util.Set;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * The listener's only connection selector: every connection is HTTP/1.1 (or HTTP/1.0, served as such), so no
 * bytes are sniffed before the HTTP/1.1 parser sees them. Helidon's own protocol detection, which runs whenever a
 * listener has two selectors, closes the connection without a word when the first line is not exactly
 * {@code … HTTP/1.1}; the HTTP/1.1 parser instead answers 400, 414, 431 or 505.
 */
final class EdgeSelector implements ServerConnectionSelector {
    private final Http1ConnectionSelector http1;
    private final EdgeConfig cfg;
    private final Watchdog watchdog;
    private final int maxLine;
    private final DirectHandler errors;

    /**
     * @param http1    the HTTP/1.1 settings (its connection listeners are replaced by the edge's)
     * @param cfg      timeouts
     * @param watchdog where connections are registered
     * @param errors   answers for requests rejected before routing (here: a head that did not arrive in time)
     */
    EdgeSelector(Http1Config http1, EdgeConfig cfg, Watchdog watchdog, DirectHandler errors) {
        this.errors = errors;
        this.http1 = Http1ConnectionSelector.builder()
                // each list holds one listener: Helidon 4.5 combines two or more into a listener that calls none
                .config(Http1Config.builder().from(http1)
                        .receiveListeners(List.of(new Received()))
                        .sendListeners(List.of(new Sent()))
                        .build())
                .build();
        this.cfg = cfg;
        this.watchdog = watchdog;
        this.maxLine = Math.max(1024, http1.maxPrologueLength());
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData data) {
        return Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        EdgeConnection c = new EdgeConnection(ctx, cfg, maxLine, errors);
        c.delegate(http1.connection(c));
        return watchdog.track(c);
    }

    /** Request cycle events, read. */
    private static final class Received implements Http1ConnectionListener {
        @Override
        public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
            if (ctx instanceof EdgeConnection c) {
                c.prologueRead();
            }
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            if (ctx instanceof EdgeConnection c) {
                c.headersRead();
                if (headers.containsToken(HeaderValues.CONNECTION_CLOSE)) {
                    c.closeAfterAnswer();
                }
            }
        }
    }

    /** Request cycle events, written. */
    private static final class Sent implements Http1ConnectionListener {
        @Override
        public void status(ConnectionContext ctx, Status status) {
            if (ctx instanceof EdgeConnection c) {
                c.answered(status.code());
            }
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            if (ctx instanceof EdgeConnection c && headers.containsToken(HeaderValues.CONNECTION_CLOSE)) {
                c.closeAfterAnswer();
            }
        }
    }
}
