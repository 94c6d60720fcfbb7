package moe.ids.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on a free loopback port in front of a real server, for failure tests: it forwards both ways until
 * {@link #freeze() frozen} (the server's bytes are dropped: a server that stopped answering) or {@link #stop()
 * stopped} (every connection and the port closed: a server that went away). Also a silent server on its own:
 * {@link #silent()} accepts connections and never says a word.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String host;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean frozen;

    private TcpProxy(String host, int targetPort) throws IOException {
        this.host = host;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("proxy-accept-" + port()).start(this::accept);
    }

    /**
     * @param host server host
     * @param port server port
     * @return a proxy forwarding to it
     * @throws IOException when no port is free
     */
    public static TcpProxy to(String host, int port) throws IOException {
        return new TcpProxy(host, port);
    }

    /**
     * @return a server that accepts TCP connections and never answers
     * @throws IOException when no port is free
     */
    public static TcpProxy silent() throws IOException {
        return new TcpProxy(null, 0);
    }

    /**
     * @return the loopback port to connect to
     */
    public int port() {
        return listener.getLocalPort();
    }

    /** From now on nothing the server sends reaches the clients. */
    public void freeze() {
        frozen = true;
    }

    /** Closes the port and every connection, as a server that stops. */
    public void stop() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        sockets.forEach(TcpProxy::quietClose);
    }

    @Override
    public void close() {
        stop();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                if (host == null) {
                    continue; // silent: hold it open, say nothing
                }
                Socket server = new Socket(host, targetPort);
                sockets.add(server);
                pump(client, server, false);
                pump(server, client, true);
            } catch (IOException ex) {
                // closed, or the server is gone: the client sees its connection end
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromServer) {
        Thread.ofPlatform().daemon().name("proxy-pump").start(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (!(fromServer && frozen)) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException ignored) {
                // one side closed
            } finally {
                quietClose(from);
                quietClose(to);
            }
        });
    }

    private static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
