package moe.ids.deploy.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The cluster network on the loopback range, in a 127.N.0.0/16 of its own (N drawn at random, so that two test
 * runs on one machine do not meet): every pod gets an address of its own in 127.N.0.0/17 (so two pods can listen
 * on the same container port, as in their own network namespaces), every Service a cluster IP in 127.N.200.0/24
 * with a TCP forwarder per port that plays kube-proxy (round-robin over the ready endpoints at
 * connect time), and cluster DNS is a hosts file (the JDK's {@code jdk.net.hosts.file}) naming each Service
 * as {@code svc}, {@code svc.ns}, {@code svc.ns.svc} and {@code svc.ns.svc.cluster.local}; a headless Service
 * names its ready pods directly. Nothing leaves 127.0.0.0/8.
 */
public final class Network implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Network.class.getName());

    private final Path hostsFile;
    private final int net = java.util.concurrent.ThreadLocalRandom.current().nextInt(16, 250);
    private final AtomicInteger nextPod = new AtomicInteger(1);
    private final AtomicInteger nextService = new AtomicInteger(1);
    private final Map<String, List<String>> names = new LinkedHashMap<>();
    private final List<ServerSocket> listeners = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param dir where the hosts file is written
     */
    public Network(Path dir) {
        this.hostsFile = dir.resolve("hosts");
        write();
    }

    /**
     * @return the hosts file the pods' JVMs resolve names with
     */
    public Path hostsFile() {
        return hostsFile;
    }

    /**
     * @return a new pod address
     */
    public String podIp() {
        int n = nextPod.getAndIncrement();
        return "127." + net + "." + (n / 250) + "." + (n % 250 + 1);
    }

    /**
     * @return a new cluster IP
     */
    public String serviceIp() {
        return "127." + net + ".200." + nextService.getAndIncrement();
    }

    /**
     * Publishes a Service's DNS names.
     *
     * @param service   Service name
     * @param namespace its namespace
     * @param ips       the addresses the names resolve to
     */
    public synchronized void dns(String service, String namespace, List<String> ips) {
        for (String name : List.of(service, service + "." + namespace, service + "." + namespace + ".svc",
                service + "." + namespace + ".svc.cluster.local")) {
            names.put(name, List.copyOf(ips));
        }
        write();
    }

    private synchronized void write() {
        StringBuilder out = new StringBuilder("127.0.0.1 localhost\n");
        names.forEach((name, ips) -> ips.forEach(ip -> out.append(ip).append(' ').append(name).append('\n')));
        try {
            Path tmp = hostsFile.resolveSibling("hosts.tmp");
            Files.writeString(tmp, out);
            Files.move(tmp, hostsFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts kube-proxy's forwarding for one Service port.
     *
     * @param ip        the cluster IP
     * @param port      the Service port
     * @param endpoints the ready endpoints, asked at every connection
     * @param what      a name for logs
     */
    public void forward(String ip, int port, Supplier<List<InetSocketAddress>> endpoints, String what) {
        ServerSocket server;
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(ip), port), 128);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + ip + ":" + port + " for " + what
                    + " (is the port taken on every interface?)", e);
        }
        listeners.add(server);
        Thread.ofVirtual().name("proxy-" + what).start(() -> {
            while (!closed) {
                try {
                    Socket client = server.accept();
                    Thread.ofVirtual().start(() -> connect(client, endpoints, what));
                } catch (IOException e) {
                    if (!closed) {
                        LOG.log(System.Logger.Level.WARNING, "proxy {0} stopped: {1}", what, e.getMessage());
                    }
                    return;
                }
            }
        });
    }

    private void connect(Socket client, Supplier<List<InetSocketAddress>> endpoints, String what) {
        sockets.add(client);
        List<InetSocketAddress> ready = endpoints.get();
        if (ready.isEmpty()) {
            close(client); // no endpoints: the connection is refused, as kube-proxy's REJECT rule does
            return;
        }
        InetSocketAddress target = ready.get(Math.floorMod(roundRobin.getAndIncrement(), ready.size()));
        Socket upstream = new Socket();
        try {
            upstream.connect(target, 5000);
        } catch (IOException e) {
            close(client);
            close(upstream);
            return;
        }
        sockets.add(upstream);
        Thread.ofVirtual().start(() -> pipe(client, upstream));
        pipe(upstream, client);
    }

    private void pipe(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away
        } finally {
            close(from);
            close(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        for (ServerSocket s : listeners) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        new ArrayList<>(sockets).forEach(Network::close);
    }
}
