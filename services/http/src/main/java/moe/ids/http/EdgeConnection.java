package moe.ids.http;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.task.InterruptableTask;
import io.helidon.http.DirectHandler;
import io.helidon.http.Header;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.spi.ServerConnection;

import java.util.Optional;

/**
 * One client connection as the HTTP/1.1 connection sees it, with the edge's bookkeeping around it: every socket
 * read and write is timed (so {@link Watchdog} can close a connection that waits too long at any step), HTTP/1.0
 * requests and absolute-form targets are rewritten as HTTP/1.1 ({@link RequestHead}), and after an error answer what the client still
 * sends is read and dropped for a moment before the socket closes, so the kernel does not reset the answer away.
 */
final class EdgeConnection implements ServerConnection, InterruptableTask<Void>, ConnectionContext {
    /** Where the connection is in its request cycle. */
    enum Phase {
        /** Waiting for the first byte of a request. */
        IDLE,
        /** Reading a request line and headers. */
        HEAD,
        /** Reading a body, or answering. */
        BODY,
        /** Dropping what the client sends after an error answer, before closing. */
        LINGER
    }

    private static final int HEAD_LIMIT = 64 * 1024;
    private static final int LINGER_BYTES = 1 << 20;

    private final ConnectionContext ctx;
    private final DirectHandler errors;
    private final HelidonSocket socket;
    private final EdgeConfig cfg;
    private final EdgeReader reader;
    private final TimedWriter writer;
    private ServerConnection delegate;

    private volatile Phase phase = Phase.IDLE;
    private volatile long phaseSince = System.nanoTime();
    private volatile boolean reading;
    private volatile long readSince;
    private volatile boolean writing;
    private volatile long writeSince;
    private volatile int lastStatus;
    private volatile String closedFor;
    private volatile boolean closeAfterAnswer;

    EdgeConnection(ConnectionContext ctx, EdgeConfig cfg, int maxLine, DirectHandler errors) {
        this.ctx = ctx;
        this.errors = errors;
        this.socket = ctx.serverSocket();
        this.cfg = cfg;
        this.reader = new EdgeReader(this::read, maxLine, maxLine);
        this.writer = new TimedWriter(ctx.dataWriter());
    }

    void delegate(ServerConnection http1) {
        this.delegate = http1;
    }

    // ---- request cycle, from the HTTP/1.1 connection's listeners

    void prologueRead() {
        if (phase != Phase.HEAD) {
            phase(Phase.HEAD);
        }
    }

    void headersRead() {
        phase(Phase.BODY);
    }

    void answered(int status) {
        lastStatus = status;
    }

    void closeAfterAnswer() {
        closeAfterAnswer = true;
    }

    private void phase(Phase p) {
        phaseSince = System.nanoTime();
        phase = p;
    }

    // ---- the connection

    @Override
    public void handle(Limit limit) throws InterruptedException {
        try {
            delegate.handle(limit);
        } finally {
            if (lastStatus >= 400 && closedFor == null) {
                linger();
            }
        }
    }

    private void linger() {
        phase(Phase.LINGER);
        int dropped = 0;
        try {
            byte[] b;
            while (dropped < LINGER_BYTES && (b = timedRead()) != null) {
                dropped += b.length;
            }
        } catch (RuntimeException closedOrReset) {
            // the watchdog ended the wait, or the client went away: either way, done
        }
    }

    @Override
    public Duration idleTime() {
        return delegate.idleTime();
    }

    @Override
    public void close(boolean interrupt) {
        delegate.close(interrupt);
    }

    @Override
    public boolean canInterrupt() {
        return delegate instanceof InterruptableTask<?> t && t.canInterrupt();
    }

    /**
     * Called by the watchdog.
     *
     * @param now {@link System#nanoTime()}
     * @return why the connection was closed, or null when it may go on
     */
    String check(long now) {
        if (writing && now - writeSince > cfg.writeTimeout().toNanos()) {
            return kill("write-timeout");
        }
        if (!reading) {
            return null;
        }
        return switch (phase) {
            case IDLE -> now - phaseSince > cfg.idleTimeout().toNanos() ? kill("idle-timeout") : null;
            case HEAD -> now - phaseSince > cfg.headerTimeout().toNanos() ? timeout() : null;
            case BODY -> now - readSince > cfg.readTimeout().toNanos() ? kill("read-timeout") : null;
            case LINGER -> now - phaseSince > cfg.lingerTimeout().toNanos() ? kill("linger") : null;
        };
    }

    /**
     * A request that did not arrive in time: answered 408 (nothing else is being written: the connection's own
     * thread waits for the rest of the head), then closed.
     */
    private String timeout() {
        if (closedFor != null) {
            return null;
        }
        try {
            DirectHandler.TransportResponse r = errors.handle(DirectHandler.TransportRequest.empty(),
                    DirectHandler.EventType.OTHER, Status.REQUEST_TIMEOUT_408, ServerResponseHeaders.create(),
                    "The request did not arrive within " + cfg.headerTimeout().toMillis() + " ms");
            byte[] body = r.entity().orElse(new byte[0]);
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(r.status().code()).append(' ')
                    .append(r.status().reasonPhrase()).append("\r\n");
            for (Header h : r.headers()) {
                head.append(h.name()).append(": ").append(h.get()).append("\r\n");
            }
            head.append("Connection: close\r\nContent-Length: ").append(body.length).append("\r\n\r\n");
            BufferData answer = BufferData.create(head.toString().getBytes(StandardCharsets.US_ASCII));
            socket.write(answer);
            socket.write(BufferData.create(body));
        } catch (RuntimeException clientGone) {
            // nothing to answer to
        }
        return kill("header-timeout");
    }

    private String kill(String why) {
        if (closedFor != null) {
            return null;
        }
        closedFor = why;
        try {
            socket.close();
        } catch (RuntimeException e) {
            // already closed
        }
        return why;
    }

    // ---- reading

    private byte[] read() {
        // the HTTP/1.1 connection waits for a request line with nothing buffered: the next byte starts a request
        boolean requestStart = phase != Phase.LINGER && reader.available() == 0 && canInterrupt();
        if (requestStart && closeAfterAnswer) {
            // the answer said "Connection: close" (the client asked, or the service ended the connection), but
            // Helidon would read a next request: the connection ends here instead, as if the client had closed it
            return null;
        }
        if (requestStart && phase != Phase.HEAD) {
            phase(Phase.IDLE);
        }
        byte[] b = timedRead();
        if (b != null && phase == Phase.IDLE) {
            phase(Phase.HEAD);
        }
        return requestStart && b != null ? requestHead(b) : b;
    }

    private byte[] requestHead(byte[] b) {
        byte[] buf = b;
        int len = b.length;
        RequestHead.Verdict v = RequestHead.inspect(buf, len);
        while (v == RequestHead.Verdict.MORE && len < HEAD_LIMIT) {
            byte[] more = timedRead();
            if (more == null) {
                break;
            }
            if (buf.length < len + more.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more.length));
            }
            System.arraycopy(more, 0, buf, len, more.length);
            len += more.length;
            v = RequestHead.inspect(buf, len);
        }
        if (v == RequestHead.Verdict.REWRITE) {
            return RequestHead.rewrite(buf, len, hostOf(ctx.localPeer()));
        }
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    private static String hostOf(PeerInfo local) {
        String h = local.host();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + local.port();
    }

    private byte[] timedRead() {
        DataReader sniffed = ctx.dataReader();
        if (sniffed.available() > 0) {
            // bytes Helidon read to pick a protocol (it does when a listener has more than one selector, e.g. when
            // server.protocols is configured): they come first
            return sniffed.readBytes(sniffed.available());
        }
        readSince = System.nanoTime();
        reading = true;
        try {
            return socket.get();
        } catch (UncheckedIOException e) {
            throw new ServerConnectionException(closedFor != null ? "closed: " + closedFor
                    : "Failed to get data from socket", e);
        } finally {
            reading = false;
        }
    }

    // ---- ConnectionContext, as given, but for the timed reader and writer

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public DataWriter dataWriter() {
        return writer;
    }

    @Override
    public ListenerContext listenerContext() {
        return ctx.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return ctx.executor();
    }

    @Override
    public Router router() {
        return ctx.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return ctx.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return socket;
    }

    @Override
    public PeerInfo remotePeer() {
        return ctx.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return ctx.localPeer();
    }

    @Override
    public boolean isSecure() {
        return ctx.isSecure();
    }

    @Override
    public String socketId() {
        return ctx.socketId();
    }

    @Override
    public String childSocketId() {
        return ctx.childSocketId();
    }

    /** The connection's writer, timed. */
    private final class TimedWriter implements DataWriter {
        private final DataWriter out;

        TimedWriter(DataWriter out) {
            this.out = out;
        }

        @Override
        public void write(BufferData... buffers) {
            begin();
            try {
                out.write(buffers);
            } finally {
                writing = false;
            }
        }

        @Override
        public void write(BufferData buffer) {
            begin();
            try {
                out.write(buffer);
            } finally {
                writing = false;
            }
        }

        @Override
        public void writeNow(BufferData... buffers) {
            begin();
            try {
                out.writeNow(buffers);
            } finally {
                writing = false;
            }
        }

        @Override
        public void writeNow(BufferData buffer) {
            begin();
            try {
                out.writeNow(buffer);
            } finally {
                writing = false;
            }
        }

        @Override
        public void flush() {
            begin();
            try {
                out.flush();
            } finally {
                writing = false;
            }
        }

        @Override
        public void close() {
            out.close();
        }

        private void begin() {
            writeSince = System.nanoTime();
            writing = true;
        }
    }
}
