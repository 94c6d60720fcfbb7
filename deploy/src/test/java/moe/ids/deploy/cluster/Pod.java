package moe.ids.deploy.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One pod as the kubelet would run it, as a local process: the container's image ({@link Images}) with the
 * pod's {@code command}/{@code args}, its environment resolved as the kubelet resolves it ({@code value} with
 * {@code $(VAR)} expansion, Secret/ConfigMap keys, the downward API, {@code envFrom}; {@code HOSTNAME},
 * {@code KUBERNETES_SERVICE_HOST/PORT} and, unless {@code enableServiceLinks: false}, the Service variables),
 * its ConfigMap, Secret and emptyDir volumes materialised in a directory of its own, the ServiceAccount token
 * mounted only when automounting is on, and its own loopback address.
 * <p>
 * Container paths are translated: a mounted path in the command, args, environment values or mounted files
 * is replaced by the directory that holds it here, and the JVM's fixed paths are given as system properties
 * (the token file, the namespace file; cluster DNS as {@code jdk.net.hosts.file}; a memory limit as
 * {@code -XX:MaxRAM}, which is what a container limit means to the JVM). A pod listens on its own address:
 * {@code SERVER_HOST} carries it to Helidon, {@code --bind} to Redis, as {@code 0.0.0.0} inside a pod's network
 * namespace would. Readiness is the rendered probe, polled faster than its period.
 */
public final class Pod {
    private static final System.Logger LOG = System.getLogger(Pod.class.getName());
    private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final LocalCluster cluster;
    private final String name;
    private final String namespace;
    private final Map<String, String> labels;
    private final PodSpec spec;
    private final Map<String, String> extraEnv;
    private final String ip;
    private final Path dir;
    private final Container container;
    private final Images.Image image;
    private volatile Process process;
    private volatile boolean ready;
    private volatile boolean deleted;
    private volatile int restarts;
    private volatile Integer exitCode;

    Pod(LocalCluster cluster, String name, String namespace, Map<String, String> labels, PodSpec spec,
        Map<String, String> extraEnv) {
        this.cluster = cluster;
        this.name = name;
        this.namespace = namespace;
        this.labels = labels == null ? Map.of() : Map.copyOf(labels);
        this.spec = spec;
        this.extraEnv = extraEnv;
        if (spec.getContainers().size() != 1 || !(spec.getInitContainers() == null || spec.getInitContainers().isEmpty())) {
            throw new IllegalArgumentException(name + ": the stand-in runs pods of exactly one container");
        }
        this.container = spec.getContainers().getFirst();
        this.image = cluster.images().resolve(container.getImage());
        this.ip = image.kind() == Images.Kind.POSTGRES ? "127.0.0.1" : cluster.network().podIp();
        try {
            this.dir = Files.createDirectories(cluster.workDir().resolve("pods").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    Map<String, String> labels() {
        return labels;
    }

    String ip() {
        return ip;
    }

    boolean ready() {
        return ready && !deleted;
    }

    boolean running() {
        return process != null && process.isAlive() || image.kind() == Images.Kind.POSTGRES && ready;
    }

    int restarts() {
        return restarts;
    }

    /**
     * @return the exit code of the last run, or null while running or never run
     */
    Integer exitCode() {
        return exitCode;
    }

    Path log() {
        return dir.resolve("log");
    }

    /**
     * @param portName a container port's name, or a number
     * @return the container port
     */
    Optional<Integer> port(IntOrString portName) {
        if (portName == null) {
            return Optional.empty();
        }
        if (portName.getIntVal() != null) {
            return Optional.of(portName.getIntVal());
        }
        for (ContainerPort p : container.getPorts() == null ? List.<ContainerPort>of() : container.getPorts()) {
            if (portName.getStrVal().equals(p.getName())) {
                return Optional.of(p.getContainerPort());
            }
        }
        return Optional.empty();
    }

    /** Starts (or restarts) the container. */
    synchronized void start() {
        if (deleted) {
            return;
        }
        if (process != null) {
            restarts++;
        }
        exitCode = null;
        ready = false;
        Map<String, Path> mounts = mount();
        Map<String, String> env = environment(mounts);
        if (image.kind() == Images.Kind.POSTGRES) {
            cluster.provisionPostgres(env);
            ready = true;
            return;
        }
        // the image's entrypoint names paths of this machine already; what the pod spec says is translated
        List<String> cmd = new ArrayList<>(container.getCommand() == null || container.getCommand().isEmpty()
                ? image.entrypoint()
                : container.getCommand().stream().map(a -> translate(expand(a, env), mounts)).toList());
        if (container.getArgs() != null) {
            cmd.addAll(container.getArgs().stream().map(a -> translate(expand(a, env), mounts)).toList());
        }
        if (image.kind() == Images.Kind.REDIS) {
            // the pod's 0.0.0.0 is its own address
            int last = cmd.size() - 1;
            cmd.set(last, cmd.get(last) + (cmd.getFirst().equals("sh") ? " --bind " + ip : ""));
            if (!cmd.getFirst().equals("sh")) {
                cmd.add("--bind");
                cmd.add(ip);
            }
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("HOME", dir.toString());
        pb.environment().putAll(env);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot start " + cmd, e);
        }
        LOG.log(System.Logger.Level.INFO, "pod {0} ({1}) started at {2}: {3}", name, image.name(), ip,
                String.join(" ", cmd));
        Process started = process;
        started.onExit().thenAccept(p -> {
            exitCode = p.exitValue();
            ready = false;
            LOG.log(System.Logger.Level.INFO, "pod {0} exited {1}", name, p.exitValue());
        });
        Thread.ofVirtual().name("probe-" + name).start(() -> probe(started, mounts, env));
    }

    /** Startup probe, then readiness, polled every 250 ms while the process lives. */
    private void probe(Process p, Map<String, Path> mounts, Map<String, String> env) {
        boolean started = container.getStartupProbe() == null;
        while (p.isAlive() && !deleted) {
            if (!started) {
                started = check(container.getStartupProbe(), mounts, env);
            } else {
                boolean ok = container.getReadinessProbe() == null || check(container.getReadinessProbe(), mounts, env);
                if (ok != ready) {
                    LOG.log(System.Logger.Level.INFO, "pod {0} {1}", name, ok ? "ready" : "not ready");
                }
                ready = ok;
            }
            try {
                Thread.sleep(250); // a probe's period, compressed
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private boolean check(Probe probe, Map<String, Path> mounts, Map<String, String> env) {
        try {
            if (probe.getHttpGet() != null) {
                HTTPGetAction get = probe.getHttpGet();
                int port = port(get.getPort()).orElseThrow(() -> new IllegalStateException(name
                        + ": probe port " + get.getPort() + " is not a container port"));
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":" + port
                        + get.getPath())).timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.discarding());
                return r.statusCode() >= 200 && r.statusCode() < 400;
            }
            if (probe.getTcpSocket() != null) {
                int port = port(probe.getTcpSocket().getPort()).orElseThrow();
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(ip, port), 2000);
                    return true;
                }
            }
            if (probe.getExec() != null) {
                List<String> cmd = probe.getExec().getCommand().stream()
                        .map(a -> translate(a, mounts).replace("127.0.0.1", ip)).toList();
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
                pb.environment().putAll(env);
                Process p = pb.start();
                return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
            }
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Kills the container's process at once (SIGKILL), as a node failure would.
     */
    void kill() {
        Process p = process;
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ready = false;
    }

    /** Stops it for good: SIGTERM, then SIGKILL after the grace period (capped for tests). */
    void delete() {
        deleted = true;
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
        ready = false;
    }

    boolean deleted() {
        return deleted;
    }

    /** Volumes: container path → the directory holding it here. */
    private Map<String, Path> mount() {
        Map<String, Path> mounts = new LinkedHashMap<>();
        Map<String, Volume> volumes = new LinkedHashMap<>();
        for (Volume v : spec.getVolumes() == null ? List.<Volume>of() : spec.getVolumes()) {
            volumes.put(v.getName(), v);
        }
        for (VolumeMount m : container.getVolumeMounts() == null ? List.<VolumeMount>of() : container.getVolumeMounts()) {
            Path host = dir.resolve("volumes").resolve(m.getName());
            Volume v = volumes.get(m.getName());
            try {
                Files.createDirectories(host);
                if (v == null) {
                    // a volumeClaimTemplate's claim: a directory that outlives container restarts
                    mounts.put(m.getMountPath(), host);
                    continue;
                }
                if (v.getConfigMap() != null) {
                    ConfigMap cm = cluster.admin().configMaps().inNamespace(namespace).withName(v.getConfigMap().getName()).get();
                    if (cm == null) {
                        throw new IllegalStateException(name + ": ConfigMap " + v.getConfigMap().getName() + " not found");
                    }
                    materialise(host, cm.getData(), v.getConfigMap().getItems());
                } else if (v.getSecret() != null) {
                    materialise(host, secretData(v.getSecret().getSecretName(), false), v.getSecret().getItems());
                } else if (v.getEmptyDir() == null && v.getPersistentVolumeClaim() == null) {
                    throw new IllegalArgumentException(name + ": volume " + v.getName() + " of an unsupported type");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            mounts.put(m.getMountPath(), m.getSubPath() == null ? host : host.resolve(m.getSubPath()));
        }
        // mounted files may name each other's container paths (Helidon's meta-config names application.yaml)
        for (Path host : mounts.values()) {
            try (var files = Files.walk(host)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String text = Files.readString(f, StandardCharsets.UTF_8);
                    String translated = translate(text, mounts);
                    if (!translated.equals(text)) {
                        Files.writeString(f, translated);
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // binary files stay as they are
            }
        }
        return mounts;
    }

    private static void materialise(Path dir, Map<String, String> data, List<KeyToPath> items) throws IOException {
        Map<String, String> all = data == null ? Map.of() : data;
        if (items == null || items.isEmpty()) {
            for (Map.Entry<String, String> e : all.entrySet()) {
                Files.writeString(dir.resolve(e.getKey()), e.getValue());
            }
            return;
        }
        for (KeyToPath item : items) {
            String value = all.get(item.getKey());
            if (value == null) {
                throw new IllegalStateException("key " + item.getKey() + " not found");
            }
            Path target = dir.resolve(item.getPath());
            Files.createDirectories(target.getParent());
            Files.writeString(target, value);
        }
    }

    /** A Secret's data, decoded; the stand-in store keeps {@code stringData} as it was sent. */
    private Map<String, String> secretData(String secretName, boolean optional) {
        Secret s = cluster.admin().secrets().inNamespace(namespace).withName(secretName).get();
        Map<String, String> out = new LinkedHashMap<>();
        if (s != null && s.getData() != null) {
            s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (s != null && s.getStringData() != null) {
            out.putAll(s.getStringData());
        }
        return found("Secret", secretName, s != null, optional, out);
    }

    private Map<String, String> configMapData(String cmName, boolean optional) {
        ConfigMap cm = cluster.admin().configMaps().inNamespace(namespace).withName(cmName).get();
        return found("ConfigMap", cmName, cm != null, optional, cm == null || cm.getData() == null ? Map.of() : cm.getData());
    }

    /** A missing, non-optional source keeps the container from starting (CreateContainerConfigError). */
    private Map<String, String> found(String kind, String source, boolean exists, boolean optional,
                                      Map<String, String> data) {
        if (!exists && !optional) {
            throw new IllegalStateException(name + ": " + kind + " " + source + " not found");
        }
        return data;
    }

    /** The container's environment as the kubelet builds it, plus the stand-in's translations. */
    private Map<String, String> environment(Map<String, Path> mounts) {
        Map<String, String> env = new LinkedHashMap<>(image.env());
        if (!Boolean.FALSE.equals(spec.getEnableServiceLinks())) {
            env.putAll(cluster.serviceLinks(namespace));
        }
        env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
        env.put("KUBERNETES_SERVICE_PORT", Integer.toString(cluster.apiServer().port()));
        env.put("HOSTNAME", name);
        for (EnvFromSource from : container.getEnvFrom() == null ? List.<EnvFromSource>of() : container.getEnvFrom()) {
            Map<String, String> data = from.getConfigMapRef() != null
                    ? configMapData(from.getConfigMapRef().getName(), Boolean.TRUE.equals(from.getConfigMapRef().getOptional()))
                    : secretData(from.getSecretRef().getName(), Boolean.TRUE.equals(from.getSecretRef().getOptional()));
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            data.forEach((k, v) -> {
                if (ENV_NAME.matcher(prefix + k).matches()) {
                    env.put(prefix + k, v);
                }
            });
        }
        for (EnvVar e : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
            env.put(e.getName(), e.getValueFrom() == null ? expand(Objects.toString(e.getValue(), ""), env)
                    : valueFrom(e));
        }
        env.putAll(extraEnv);
        env.replaceAll((k, v) -> translate(v, mounts));
        if (image.kind() == Images.Kind.JAVA) {
            env.put("SERVER_HOST", ip);
            List<String> jvm = new ArrayList<>();
            jvm.add(env.getOrDefault("JAVA_TOOL_OPTIONS", ""));
            jvm.add("-Djdk.net.hosts.file=" + cluster.network().hostsFile());
            memoryLimit().ifPresent(bytes -> jvm.add("-XX:MaxRAM=" + bytes));
            if (automount()) {
                Path sa = serviceAccountMount();
                jvm.add("-Dkubernetes.auth.serviceAccount.token=" + sa.resolve("token"));
                jvm.add("-Dkubenamespace=" + sa.resolve("namespace"));
            }
            // the stand-in API server speaks plain HTTP on loopback; a pod would reach https://$KUBERNETES_SERVICE_HOST
            jvm.add("-Dkubernetes.master=" + cluster.apiServer().url());
            jvm.add("-Dkubernetes.auth.tryKubeConfig=false");
            env.put("JAVA_TOOL_OPTIONS", String.join(" ", jvm).strip());
        }
        return env;
    }

    private String valueFrom(EnvVar e) {
        var from = e.getValueFrom();
        if (from.getSecretKeyRef() != null) {
            var ref = from.getSecretKeyRef();
            String v = secretData(ref.getName(), Boolean.TRUE.equals(ref.getOptional())).get(ref.getKey());
            if (v == null && !Boolean.TRUE.equals(ref.getOptional())) {
                throw new IllegalStateException(name + ": key " + ref.getKey() + " not in Secret " + ref.getName());
            }
            return v == null ? "" : v;
        }
        if (from.getConfigMapKeyRef() != null) {
            var ref = from.getConfigMapKeyRef();
            String v = configMapData(ref.getName(), Boolean.TRUE.equals(ref.getOptional())).get(ref.getKey());
            if (v == null && !Boolean.TRUE.equals(ref.getOptional())) {
                throw new IllegalStateException(name + ": key " + ref.getKey() + " not in ConfigMap " + ref.getName());
            }
            return v == null ? "" : v;
        }
        if (from.getFieldRef() != null) {
            String path = from.getFieldRef().getFieldPath();
            return switch (path) {
                case "metadata.name" -> name;
                case "metadata.namespace" -> namespace;
                case "status.podIP" -> ip;
                case "spec.serviceAccountName" -> serviceAccountName();
                default -> {
                    Matcher m = Pattern.compile("metadata\\.labels\\['(.+)']").matcher(path);
                    if (m.matches()) {
                        yield labels.getOrDefault(m.group(1), "");
                    }
                    throw new IllegalArgumentException(name + ": unsupported fieldRef " + path);
                }
            };
        }
        if (from.getResourceFieldRef() != null) {
            return memoryLimit().map(String::valueOf).orElse("0");
        }
        throw new IllegalArgumentException(name + ": unsupported valueFrom of " + e.getName());
    }

    private Optional<Long> memoryLimit() {
        if (container.getResources() == null || container.getResources().getLimits() == null) {
            return Optional.empty();
        }
        Quantity q = container.getResources().getLimits().get("memory");
        return q == null ? Optional.empty() : Optional.of(Quantity.getAmountInBytes(q).longValue());
    }

    private String serviceAccountName() {
        return spec.getServiceAccountName() == null ? "default" : spec.getServiceAccountName();
    }

    /** The pod's setting wins over its ServiceAccount's; both unset means mounted. */
    private boolean automount() {
        if (spec.getAutomountServiceAccountToken() != null) {
            return spec.getAutomountServiceAccountToken();
        }
        ServiceAccount sa = cluster.admin().serviceAccounts().inNamespace(namespace).withName(serviceAccountName()).get();
        return sa == null || sa.getAutomountServiceAccountToken() == null || sa.getAutomountServiceAccountToken();
    }

    private Path serviceAccountMount() {
        Path sa = dir.resolve("serviceaccount");
        try {
            Files.createDirectories(sa);
            Files.writeString(sa.resolve("token"), cluster.apiServer().token(
                    Rbac.User.serviceAccount(namespace, serviceAccountName())));
            Files.writeString(sa.resolve("namespace"), namespace);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sa;
    }

    /** {@code $(VAR)} references to variables defined before, as the kubelet expands them; others stay. */
    private static String expand(String value, Map<String, String> env) {
        Matcher m = VAR_REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = env.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Replaces each mounted container path by its directory here, in one pass (longest path first). */
    private static String translate(String value, Map<String, Path> mounts) {
        if (mounts.isEmpty()) {
            return value;
        }
        List<String> paths = new ArrayList<>(mounts.keySet());
        paths.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder alternatives = new StringBuilder();
        for (String p : paths) {
            alternatives.append(alternatives.isEmpty() ? "" : "|").append(Pattern.quote(p));
        }
        Matcher m = Pattern.compile("(?<![\\w./-])(" + alternatives + ")(?=/|$|[^\\w.-])").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(mounts.get(m.group(1)).toString()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
