package moe.ids.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import moe.ids.replay.ReplayServer;
import moe.ids.replay.SyntheticUpstream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End to end on a real single-node cluster (k3s in Docker): the images built by the workflow are loaded into
 * k3s, the chart is installed with real Helm, a Refresh runs the pipeline against the replay server (beside
 * the cluster, reached through Testcontainers' host port tunnel) and {@code GET /mal/1} is answered by an API pod
 * on its named container port {@code http} (the one the Service targets), its health and metrics on {@code observe}. The replay server serves the recorded upstream when
 * it is found (as by
 * {@link ReplayServer#locateUpstream()}: {@code -Dids.moe.upstream}, {@code IDS_MOE_UPSTREAM}, {@code ../shared})
 * and the Refresh then names every source; otherwise (the GitHub workflow) a synthetic one
 * ({@link SyntheticUpstream}, written here unless {@code IDS_MOE_UPSTREAM} points at one), and the Refresh names
 * only its sources and every lookup of its manifest is checked through the API. Skipped without Docker (as on
 * the development machines) or without the images ({@code ghcr.io/ids-moe/<service>:$IDS_MOE_E2E_TAG}, default
 * {@code e2e}).
 */
@Testcontainers(disabledWithoutDocker = true)
class K3sIT {
    private static final System.Logger LOG = System.getLogger(K3sIT.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NS = "ids-moe";
    private static final String R = Charts.RELEASE;
    private static final String TAG = System.getenv().getOrDefault("IDS_MOE_E2E_TAG", "e2e");
    private static final List<String> SERVICES = List.of("scraper", "merger", "ingestor", "api");
    private static final ResourceDefinitionContext REFRESH = new ResourceDefinitionContext.Builder()
            .withGroup("ids.moe").withVersion("v1").withKind("Refresh").withPlural("refreshes").withNamespaced(true)
            .build();

    /** Started only once the images and the upstream are known to be there (no k3s pull for a skipped test). */
    private static K3sContainer K3S;

    private static ReplayServer replay;
    private static KubernetesClient kube;
    /** The upstream replayed (a synthetic one written by this test is deleted afterwards). */
    private static TestUpstream upstreamFolder;
    /** Sources the Refresh names: empty (= all) for the recorded upstream, the synthetic one's otherwise. */
    private static List<String> sources = List.of();
    /** Lookups to check through the API (the synthetic upstream's manifest), mapping key → expected fields. */
    private static Map<String, JsonNode> expected = Map.of();

    @BeforeAll
    static void setUp() throws Exception {
        DockerClient docker = DockerClientFactory.instance().client();
        for (String s : SERVICES) {
            String image = image(s);
            boolean present = !docker.listImagesCmd().withReferenceFilter(image).exec().isEmpty();
            assumeTrue(present, "image " + image + " not built (docker build -f docker/Dockerfile --build-arg SERVICE="
                    + s + " -t " + image + " .)");
        }
        upstreamFolder = TestUpstream.locateOrWrite();
        Path upstream = upstreamFolder.root();
        if (upstreamFolder.synthetic()) {
            sources = SyntheticUpstream.SOURCES;
            expected = SyntheticUpstream.expectedLookups(upstream);
        }
        LOG.log(System.Logger.Level.INFO, "replaying {0} (synthetic: {1})", upstream,
                SyntheticUpstream.isSynthetic(upstream));
        replay = ReplayServer.start(upstream, "b");
        org.testcontainers.Testcontainers.exposeHostPorts(replay.port());
        K3S = new K3sContainer(DockerImageName.parse(
                System.getenv().getOrDefault("IDS_MOE_K3S_IMAGE", "rancher/k3s:v1.33.5-k3s1")));
        K3S.start();
        for (String s : SERVICES) {
            load(docker, image(s));
        }
        kube = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(K3S.getKubeConfigYaml())).build();
    }

    @AfterAll
    static void tearDown() {
        if (kube != null) {
            kube.close();
        }
        if (K3S != null) {
            K3S.stop();
        }
        if (replay != null) {
            replay.close();
        }
        if (upstreamFolder != null) {
            upstreamFolder.close();
        }
    }

    @Test
    @Timeout(value = 25, unit = TimeUnit.MINUTES)
    void installRefreshAndLookUp() throws Exception {
        // pods reach the replay server through the tunnel container, by address (there is no DNS name for it)
        String mirror = "http://" + hostAddress() + ":" + replay.port();
        Release release;
        try {
            release = new Helm(Charts.chart()).install()
                    .withName(R).withNamespace(NS).createNamespace()
                    .withKubeConfigContents(K3S.getKubeConfigYaml())
                    .set("image.tag", TAG)
                    .set("image.pullPolicy", "Never")
                    .set("scraper.upstreamMirror", mirror)
                    .set("api.autoscaling.enabled", "false")
                    .set("api.replicas", "1")
                    .set("postgresql.persistence.size", "1Gi")
                    .set("redisServer.persistence.size", "1Gi")
                    .set("refresh.suspend", "true")
                    .waitReady().withTimeout(600)
                    .call();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "helm install failed: {0}\n{1}", e.getMessage(), diagnostics());
            throw e;
        }
        assertThat(release.getStatus(), equalTo("deployed"));

        GenericKubernetesResource refresh = kube.genericKubernetesResources(REFRESH).inNamespace(NS)
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion("ids.moe/v1").withKind("Refresh")
                        .withNewMetadata().withName("e2e").endMetadata()
                        .withAdditionalProperties(Map.of("spec", Map.of("force", true, "sources", sources)))
                        .build())
                .create();
        String phase = waitForPhase(refresh.getMetadata().getName(), Duration.ofMinutes(15));
        if (!phase.equals("Succeeded")) {
            LOG.log(System.Logger.Level.ERROR, "Refresh e2e ended {0}\n{1}", phase, diagnostics());
        }
        assertThat("Refresh status: " + status("e2e"), phase, equalTo("Succeeded"));

        // fabric8 forwards a Service's port only when its targetPort is a number; the chart's are names (`http` for
        // lookups, `observe` for health and metrics), so forward to a ready API pod's container ports of those names.
        Pod apiPod = kube.pods().inNamespace(NS).withLabel("app.kubernetes.io/component", "api")
                .withLabel("app.kubernetes.io/instance", R).list().getItems().stream()
                .filter(p -> p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .findFirst().orElseThrow(() -> new AssertionError("no ready API pod\n" + diagnostics()));
        int apiPort = containerPort(apiPod, "http");
        int observePort = containerPort(apiPod, "observe");
        try (LocalPortForward pf = kube.pods().inNamespace(NS).withName(apiPod.getMetadata().getName())
                .portForward(apiPort);
             LocalPortForward observe = kube.pods().inNamespace(NS).withName(apiPod.getMetadata().getName())
                .portForward(observePort)) {
            HttpClient http = HttpClient.newHttpClient();
            // health and metrics on the observe port (the probes', Prometheus'), not on the lookup port
            HttpResponse<String> ready = get(http, observe, "observe/health/ready");
            assertThat(ready.body(), ready.statusCode(), equalTo(200));
            HttpResponse<String> metrics = get(http, observe, "observe/metrics");
            assertThat(metrics.body(), metrics.statusCode(), equalTo(200));
            assertThat(metrics.body(), containsString("api_near_cache_entries"));
            HttpResponse<String> notServed = get(http, pf, "observe/health/ready");
            assertThat(notServed.body(), notServed.statusCode(), equalTo(404));
            assertThat(notServed.body(), not(containsString("\"checks\"")));
            HttpResponse<String> answer = get(http, pf, "mal/1");
            assertThat(answer.body(), answer.statusCode(), equalTo(200));
            assertThat(answer.body(), containsString("\"myanimelist\":1"));
            assertThat(answer.body(), containsString("\"anidb\":23"));
            for (Map.Entry<String, JsonNode> lookup : expected.entrySet()) {
                HttpResponse<String> found = get(http, pf, lookup.getKey());
                assertThat(lookup.getKey() + ": " + found.body(), found.statusCode(), equalTo(200));
                JsonNode entry = JSON.readTree(found.body());
                lookup.getValue().properties().forEach(f -> assertEquals(f.getValue(), entry.get(f.getKey()),
                        lookup.getKey() + " " + f.getKey() + " in " + found.body()));
            }
        }

        // the chart's own check: the helm test pod calls /heartbeat
        String test = Helm.test(R).withNamespace(NS).withKubeConfigContents(K3S.getKubeConfigYaml()).call()
                .getStatus();
        assertThat(test, equalTo("deployed"));
    }

    private static int containerPort(Pod pod, String name) {
        return pod.getSpec().getContainers().getFirst().getPorts().stream().filter(p -> name.equals(p.getName()))
                .findFirst().orElseThrow(() -> new AssertionError(pod.getMetadata().getName() + " has no port " + name))
                .getContainerPort();
    }

    private static String image(String service) {
        return "ghcr.io/ids-moe/" + service + ":" + TAG;
    }

    /** docker save | ctr images import inside the k3s node. */
    private static void load(DockerClient docker, String image) throws Exception {
        Path tar = Files.createTempFile("ids-moe-image", ".tar");
        try (InputStream in = docker.saveImageCmd(image).exec()) {
            Files.copy(in, tar, StandardCopyOption.REPLACE_EXISTING);
        }
        K3S.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/image.tar");
        var result = K3S.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar");
        assertThat(image + ": " + result.getStderr(), result.getExitCode(), equalTo(0));
        K3S.execInContainer("rm", "-f", "/tmp/image.tar");
        Files.deleteIfExists(tar);
    }

    /** The address Testcontainers wrote for host.testcontainers.internal into the node's /etc/hosts. */
    private static String hostAddress() throws Exception {
        String hosts = K3S.execInContainer("cat", "/etc/hosts").getStdout();
        return hosts.lines().filter(l -> l.contains("host.testcontainers.internal"))
                .map(l -> l.trim().split("\\s+")[0]).findFirst()
                .orElseThrow(() -> new AssertionError("no host.testcontainers.internal in /etc/hosts:\n" + hosts));
    }

    private static HttpResponse<String> get(HttpClient http, LocalPortForward pf, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + pf.getLocalPort() + "/" + path);
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The Refresh's phase once it is Succeeded or Failed; the last phase seen when the time is up. */
    private static String waitForPhase(String name, Duration timeout) {
        try {
            return await().atMost(timeout).pollInterval(Duration.ofSeconds(5)).ignoreExceptions()
                    .until(() -> String.valueOf(status(name).get("phase")),
                           p -> p.equals("Succeeded") || p.equals("Failed"));
        } catch (ConditionTimeoutException e) {
            return String.valueOf(status(name).get("phase"));
        }
    }

    /** The Refresh's status, every pod with its state and the tail of its log, for a failed run. */
    private static String diagnostics() {
        StringBuilder out = new StringBuilder("Refresh status: ").append(status("e2e")).append('\n');
        List<Pod> pods;
        try {
            pods = kube.pods().inNamespace(NS).list().getItems();
        } catch (RuntimeException e) {
            return out.append("(no pod list: ").append(e).append(")\n").toString();
        }
        for (Pod pod : pods) {
            String name = pod.getMetadata().getName();
            out.append("--- pod ").append(name).append(' ').append(pod.getStatus().getPhase()).append(' ')
                    .append(pod.getStatus().getContainerStatuses()).append('\n');
            try {
                out.append(kube.pods().inNamespace(NS).withName(name).tailingLines(60).getLog()).append('\n');
            } catch (RuntimeException e) {
                out.append("(no log: ").append(e.getMessage()).append(")\n");
            }
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(String name) {
        GenericKubernetesResource r = kube.genericKubernetesResources(REFRESH).inNamespace(NS).withName(name).get();
        Object status = r == null ? null : r.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
