package moe.ids.deploy.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.db.Database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A cluster on this machine for one test: the {@link StandInApiServer} holding every rendered object, a
 * {@link Network} of loopback addresses, Service forwarders and DNS, and a control loop playing the
 * controllers and the kubelet — Deployments and StatefulSets keep their replicas running as {@link Pod}s
 * (restarted when they exit, replaced when deleted; a Deployment without {@code replicas} gets its
 * HorizontalPodAutoscaler's {@code minReplicas}), Jobs run through {@link JobController}, and the garbage
 * collector deletes Jobs whose owner is gone. Created with what {@code helm install} would create; nothing of the
 * manifests is interpreted beyond what a cluster would.
 */
public final class LocalCluster implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LocalCluster.class.getName());

    private final String namespace;
    private final Path workDir;
    private final StandInApiServer api;
    private final Network network;
    private final Images images;
    private final DatabaseUrl postgresAdmin;
    private final JobController jobs = new JobController(this);
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private final Map<String, Instant> restartAt = new ConcurrentHashMap<>();
    private final Map<String, List<String>> headless = new ConcurrentHashMap<>();
    private final Map<String, String> serviceLinks = new LinkedHashMap<>();
    private final Map<String, String> clusterIps = new ConcurrentHashMap<>();
    private final List<String> provisioned = new CopyOnWriteArrayList<>();
    private final Thread loop;
    /** Kills the pods' processes if the test JVM ends without closing the cluster (they would outlive it). */
    private final Thread reaper = new Thread(() -> pods.values().forEach(Pod::kill), "local-cluster-reaper");
    private volatile boolean closed;

    private LocalCluster(List<HasMetadata> objects, String namespace, Path root, DatabaseUrl postgresAdmin)
            throws IOException {
        this.namespace = namespace;
        this.workDir = Files.createTempDirectory("ids-moe-cluster");
        this.postgresAdmin = postgresAdmin;
        this.images = new Images(root);
        this.api = StandInApiServer.start(objects, namespace);
        this.network = new Network(workDir);
        api.apply(objects);
        for (Service s : api.admin().services().inNamespace(namespace).list().getItems()) {
            service(s);
        }
        loop = Thread.ofPlatform().name("local-cluster").daemon(true).start(this::run);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Installs the rendered objects and starts running them.
     *
     * @param objects       what {@code helm template} rendered
     * @param namespace     the release's namespace
     * @param root          the repository (its Dockerfile and built service jars)
     * @param postgresAdmin a PostgreSQL server and a role that may create roles and databases, standing in for
     *                      the bundled PostgreSQL image
     * @return the running cluster
     */
    public static LocalCluster start(List<HasMetadata> objects, String namespace, Path root, DatabaseUrl postgresAdmin) {
        try {
            return new LocalCluster(objects, namespace, root, postgresAdmin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return the API server
     */
    public StandInApiServer apiServer() {
        return api;
    }

    /**
     * @return a cluster-admin client
     */
    public KubernetesClient admin() {
        return api.admin();
    }

    Network network() {
        return network;
    }

    Images images() {
        return images;
    }

    Path workDir() {
        return workDir;
    }

    synchronized Map<String, String> serviceLinks(String ns) {
        return Map.copyOf(serviceLinks);
    }

    private void service(Service s) {
        String name = s.getMetadata().getName();
        Map<String, String> selector = s.getSpec().getSelector() == null ? Map.of() : s.getSpec().getSelector();
        if ("None".equals(s.getSpec().getClusterIP())) {
            headless.put(name, List.of());
            network.dns(name, namespace, List.of());
            return;
        }
        String ip = network.serviceIp();
        clusterIps.put(name, ip);
        network.dns(name, namespace, List.of(ip));
        String env = name.toUpperCase().replace('-', '_');
        synchronized (this) {
            serviceLinks.put(env + "_SERVICE_HOST", ip);
            serviceLinks.put(env + "_SERVICE_PORT", Integer.toString(s.getSpec().getPorts().getFirst().getPort()));
        }
        for (ServicePort port : s.getSpec().getPorts()) {
            network.forward(ip, port.getPort(), () -> endpoints(selector, port), name + ":" + port.getPort());
        }
        LOG.log(System.Logger.Level.INFO, "service {0} at {1} {2}", name, ip,
                s.getSpec().getPorts().stream().map(ServicePort::getPort).toList());
    }

    private List<InetSocketAddress> endpoints(Map<String, String> selector, ServicePort port) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Pod p : pods.values()) {
            if (p.ready() && matches(selector, p.labels())) {
                var target = port.getTargetPort() == null ? new io.fabric8.kubernetes.api.model.IntOrString(port.getPort())
                        : port.getTargetPort();
                p.port(target).ifPresent(n -> out.add(new InetSocketAddress(p.ip(), n)));
            }
        }
        return out;
    }

    private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        return !selector.isEmpty() && selector.entrySet().stream()
                .allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()));
    }

    private static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty()) {
            throw new IllegalArgumentException("matchExpressions in a workload selector are not supported here");
        }
        return matches(selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels(), labels);
    }

    Pod newPod(String name, String ns, Map<String, String> labels, PodSpec spec, Map<String, String> env) {
        Pod p = new Pod(this, name, ns, labels, spec, env);
        pods.put(name, p);
        return p;
    }

    private void run() {
        while (!closed) {
            try {
                workloads();
                jobs.reconcile(namespace);
                collectGarbage();
                publishHeadless();
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "control loop: " + e, e);
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** ReplicaSet and StatefulSet controllers, and the kubelet's restartPolicy Always. */
    private void workloads() {
        KubernetesClient admin = api.admin();
        Map<String, Integer> hpa = new LinkedHashMap<>();
        for (HorizontalPodAutoscaler h : admin.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace)
                .list().getItems()) {
            hpa.put(h.getSpec().getScaleTargetRef().getKind() + "/" + h.getSpec().getScaleTargetRef().getName(),
                    h.getSpec().getMinReplicas() == null ? 1 : h.getSpec().getMinReplicas());
        }
        for (Deployment d : admin.apps().deployments().inNamespace(namespace).list().getItems()) {
            String name = d.getMetadata().getName();
            int want = d.getSpec().getReplicas() != null ? d.getSpec().getReplicas()
                    : hpa.getOrDefault("Deployment/" + name, 1);
            String hash = String.format("%010x", Integer.toUnsignedLong(name.hashCode()));
            scale(name + "-", d.getSpec().getSelector(), d.getSpec().getTemplate().getMetadata().getLabels(),
                    d.getSpec().getTemplate().getSpec(), want, i -> name + "-" + hash + "-" + randomSuffix());
        }
        for (StatefulSet s : admin.apps().statefulSets().inNamespace(namespace).list().getItems()) {
            String name = s.getMetadata().getName();
            int want = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
            scale(name + "-", s.getSpec().getSelector(), s.getSpec().getTemplate().getMetadata().getLabels(),
                    s.getSpec().getTemplate().getSpec(), want, i -> name + "-" + i);
        }
    }

    private void scale(String prefix, LabelSelector selector, Map<String, String> labels, PodSpec spec, int want,
                       java.util.function.IntFunction<String> names) {
        if (!matches(selector, labels)) {
            throw new IllegalStateException(prefix + ": the selector does not select the template's labels");
        }
        List<Pod> mine = pods.values().stream().filter(p -> !p.deleted() && p.name().startsWith(prefix)
                && p.labels().equals(labels)).sorted(Comparator.comparing(Pod::name)).toList();
        for (Pod p : mine) {
            if (!p.running()) {
                Instant at = restartAt.computeIfAbsent(p.name(), n -> Instant.now().plusMillis(
                        Math.min(10_000, 500L << Math.min(p.restarts(), 5))));
                if (Instant.now().isAfter(at)) {
                    restartAt.remove(p.name());
                    LOG.log(System.Logger.Level.INFO, "restarting {0} (exit {1}, restarts {2})", p.name(),
                            p.exitCode(), p.restarts());
                    p.start();
                }
            }
        }
        for (int i = mine.size(); i < want; i++) {
            String name = names.apply(i);
            if (pods.containsKey(name) && !pods.get(name).deleted()) {
                continue;
            }
            newPod(name, namespace, labels, spec, Map.of()).start();
        }
    }

    /** @return five characters as Kubernetes' generated names end with */
    static String randomSuffix() {
        String chars = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            b.append(chars.charAt(ThreadLocalRandom.current().nextInt(chars.length())));
        }
        return b.toString();
    }

    /** Jobs whose controlling owner no longer exists are deleted (foreground deletion is not modelled). */
    private void collectGarbage() {
        for (Job j : api.admin().batch().v1().jobs().inNamespace(namespace).list().getItems()) {
            for (OwnerReference o : j.getMetadata().getOwnerReferences()) {
                if ("Refresh".equals(o.getKind()) && api.admin().genericKubernetesResources(o.getApiVersion(), o.getKind())
                        .inNamespace(namespace).withName(o.getName()).get() == null) {
                    LOG.log(System.Logger.Level.INFO, "garbage collector: deleting Job {0} (owner {1} gone)",
                            j.getMetadata().getName(), o.getName());
                    api.admin().batch().v1().jobs().inNamespace(namespace).withName(j.getMetadata().getName()).delete();
                }
            }
        }
    }

    private void publishHeadless() {
        for (Map.Entry<String, List<String>> h : headless.entrySet()) {
            Service s = api.admin().services().inNamespace(namespace).withName(h.getKey()).get();
            Map<String, String> selector = s.getSpec().getSelector() == null ? Map.of() : s.getSpec().getSelector();
            boolean notReady = Boolean.TRUE.equals(s.getSpec().getPublishNotReadyAddresses());
            List<String> ips = pods.values().stream().filter(p -> !p.deleted() && (notReady || p.ready())
                    && matches(selector, p.labels())).map(Pod::ip).sorted().toList();
            if (!ips.equals(h.getValue())) {
                h.setValue(ips);
                network.dns(h.getKey(), namespace, ips);
            }
        }
    }

    /** What the postgres image's entrypoint does on an empty volume: its user (with password) and database. */
    void provisionPostgres(Map<String, String> env) {
        String user = env.get("POSTGRES_USER");
        String password = env.get("POSTGRES_PASSWORD");
        String db = env.getOrDefault("POSTGRES_DB", user);
        if (user == null || password == null || password.isEmpty()) {
            throw new IllegalStateException("the postgres container needs POSTGRES_USER and POSTGRES_PASSWORD");
        }
        try (Connection c = Database.connect(postgresAdmin); Statement st = c.createStatement()) {
            if (!provisioned.contains(db)) {
                st.execute("CREATE ROLE \"" + user + "\" LOGIN PASSWORD '" + password.replace("'", "''") + "'");
                st.execute("CREATE DATABASE \"" + db + "\" OWNER \"" + user + "\"");
                provisioned.add(db);
                provisioned.add(user);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot provision PostgreSQL user " + user + ": " + e.getMessage(), e);
        }
    }

    /**
     * What {@code kubectl create job NAME --from=cronjob/CRONJOB} creates: the CronJob's Job template, owned by it.
     *
     * @param cronJob the CronJob's name
     * @param name    the Job's name
     * @return the created Job
     */
    public Job createJobFromCronJob(String cronJob, String name) {
        CronJob cj = api.admin().batch().v1().cronjobs().inNamespace(namespace).withName(cronJob).get();
        var template = cj.getSpec().getJobTemplate();
        Job job = new JobBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(template.getMetadata() == null ? Map.of() : template.getMetadata().getLabels())
                .withAnnotations(Map.of("cronjob.kubernetes.io/instantiate", "manual"))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("CronJob")
                        .withName(cronJob).withUid(cj.getMetadata().getUid()).withController(true).build())
                .endMetadata().withSpec(template.getSpec()).build();
        return api.admin().batch().v1().jobs().inNamespace(namespace).resource(job).create();
    }

    /**
     * @param service a Service of the release
     * @param port    one of its ports
     * @return where a client in the cluster connects to it (its cluster IP)
     */
    public InetSocketAddress serviceAddress(String service, int port) {
        return new InetSocketAddress(Objects.requireNonNull(clusterIps.get(service), service), port);
    }

    /**
     * @param pod  a pod
     * @param port the name of one of its container ports
     * @return where to reach it (what the kubelet's probes and Prometheus use)
     */
    public InetSocketAddress podAddress(String pod, String port) {
        Pod p = Objects.requireNonNull(pods.get(pod), pod);
        return new InetSocketAddress(p.ip(), p.port(new io.fabric8.kubernetes.api.model.IntOrString(port))
                .orElseThrow(() -> new IllegalArgumentException(pod + " has no port " + port)));
    }

    /**
     * @param prefix pod name prefix, e.g. {@code ids-moe-merger-}
     * @return the live pods whose names start with it
     */
    public List<String> pods(String prefix) {
        return pods.values().stream().filter(p -> !p.deleted() && p.name().startsWith(prefix)).map(Pod::name)
                .sorted().toList();
    }

    /**
     * @param name a pod
     * @return whether it is ready
     */
    public boolean ready(String name) {
        Pod p = pods.get(name);
        return p != null && p.ready();
    }

    /**
     * @return whether every Deployment's and StatefulSet's pods are ready
     */
    public boolean workloadsReady() {
        List<Pod> live = pods.values().stream().filter(p -> !p.deleted() && !p.labels().containsKey("job-name")).toList();
        return !live.isEmpty() && live.stream().allMatch(Pod::ready);
    }

    /**
     * {@code kubectl delete pod --grace-period=0 --force}: the process is killed at once and the pod is gone; its
     * workload creates a replacement.
     *
     * @param name a pod
     */
    public void forceDelete(String name) {
        Pod p = Objects.requireNonNull(pods.get(name), name);
        p.kill();
        p.delete();
    }

    /**
     * @return every pod with its address, state and the tail of its log (for a failed test)
     */
    public String describe() {
        return pods.values().stream().sorted(Comparator.comparing(Pod::name)).map(p -> {
            String tail;
            try (Stream<String> lines = Files.exists(p.log()) ? Files.lines(p.log()) : Stream.empty()) {
                List<String> all = lines.toList();
                tail = String.join("\n    ", all.subList(Math.max(0, all.size() - 40), all.size()));
            } catch (IOException | UncheckedIOException e) {
                tail = "(no log)";
            }
            return "--- pod " + p.name() + " " + p.ip() + (p.deleted() ? " deleted" : p.ready() ? " ready" : " not ready")
                    + " restarts=" + p.restarts() + " exit=" + p.exitCode() + "\n    " + tail;
        }).collect(Collectors.joining("\n"));
    }

    /** Stops the control loop and every pod, closes the network and the API server, drops what was provisioned. */
    @Override
    public void close() {
        closed = true;
        loop.interrupt();
        try {
            loop.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        jobs.close();
        pods.values().forEach(Pod::delete);
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the reaper runs anyway
        }
        network.close();
        api.close();
        try (Connection c = Database.connect(postgresAdmin); Statement st = c.createStatement()) {
            for (int i = 0; i + 1 < provisioned.size(); i += 2) {
                st.execute("DROP DATABASE IF EXISTS \"" + provisioned.get(i) + "\" WITH (FORCE)");
                st.execute("DROP ROLE IF EXISTS \"" + provisioned.get(i + 1) + "\"");
            }
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot drop the provisioned PostgreSQL database: {0}", e.getMessage());
        }
        try (Stream<Path> files = Files.walk(workDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete {0}", workDir);
        }
    }
}
