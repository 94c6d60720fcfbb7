package moe.ids.merger.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every request the controller makes, as RBAC sees it (resource and verb), against the merger Role in the chart:
 * the Role grants exactly what the controller calls. Two Refreshes run to the end, one is pruned, the controller
 * closes (releasing the Lease); the test's own requests carry another user agent and are left out.
 */
@EnableKubernetesMockClient(crud = true)
class ControllerRbacMockTest {
    private static final String NS = "ids";
    private static final String AGENT = "ids-moe-controller-under-test";
    private static final Pattern PATH = Pattern.compile(
            "/apis?/(?:([^/]+)/)?v1/namespaces/[^/]+/([^/?]+)(?:/([^/?]+))?(?:/([^/?]+))?(?:\\?(.*))?");
    KubernetesClient client;
    KubernetesMockServer server;

    @Test
    void theRoleGrantsExactlyWhatTheControllerCalls() throws Exception {
        Config config = new ConfigBuilder(client.getConfiguration()).build();
        config.setUserAgent(AGENT);
        RefreshControllerMockTest.FakeBackend backend = new RefreshControllerMockTest.FakeBackend();
        try (KubernetesClient own = new KubernetesClientBuilder().withConfig(config).build()) {
            ControllerConfig cfg = new ControllerConfig(true, NS, "a", "lease", "scraper:test", "scraper", List.of(),
                    List.of(), 4, 2, Duration.ofMinutes(30), Map.of(), 1, Duration.ofMinutes(5), "default",
                    RefreshControllerMockTest.FAST, ControllerConfig.ScraperPod.NONE);
            RefreshController controller = new RefreshController(own, cfg,
                    new RefreshReconciler(own, cfg, backend, Clock.systemUTC()), code -> { });
            controller.start();
            for (int i = 1; i <= 2; i++) {
                String name = "r" + i;
                Refresh r = new Refresh();
                r.getMetadata().setName(name);
                r.getMetadata().setCreationTimestamp(Instant.now().plusSeconds(i).toString());
                r.getSpec().setSources(List.of(SourceName.AOD));
                client.resources(Refresh.class).inNamespace(NS).resource(r).create();
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        client.batch().v1().jobs().inNamespace(NS).withName(name + "-scrape").get() != null);
                Job job = client.batch().v1().jobs().inNamespace(NS).withName(name + "-scrape").get();
                job.setStatus(new JobStatusBuilder().withSucceeded(1).withConditions(new JobConditionBuilder()
                        .withType("Complete").withStatus("True").build()).build());
                client.batch().v1().jobs().inNamespace(NS).resource(job).updateStatus();
                backend.applied.set(i);
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    Refresh got = client.resources(Refresh.class).inNamespace(NS).withName(name).get();
                    return got.getStatus() != null && got.getStatus().getPhase() == RefreshStatus.Phase.Succeeded;
                });
            }
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    client.resources(Refresh.class).inNamespace(NS).withName("r1").get() == null);
            controller.close();
        }
        assertEquals(granted(), called());
    }

    /** The controller's requests as {@code group/resource[/subresource]} → verbs. */
    private Map<String, Set<String>> called() throws InterruptedException {
        Map<String, Set<String>> out = new TreeMap<>();
        RecordedRequest req;
        while ((req = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (!AGENT.equals(req.getHeader("User-Agent"))) {
                continue;
            }
            Matcher m = PATH.matcher(req.getPath());
            if (!m.matches()) {
                throw new AssertionError("unexpected request " + req.getMethod() + " " + req.getPath());
            }
            String resource = (m.group(1) == null ? "" : m.group(1)) + "/" + m.group(2)
                    + (m.group(4) == null ? "" : "/" + m.group(4));
            boolean named = m.group(3) != null;
            String query = m.group(5) == null ? "" : m.group(5);
            String verb = switch (req.getMethod()) {
                case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> named ? "delete" : "deletecollection";
                default -> req.getMethod();
            };
            out.computeIfAbsent(resource, k -> new TreeSet<>()).add(verb);
        }
        // OwnerReferencesPermissionEnforcement: creating an object that blocks its owner's deletion needs update on
        // the owner's finalizers
        boolean blocks = client.batch().v1().jobs().inNamespace(NS).list().getItems().stream()
                .flatMap(j -> j.getMetadata().getOwnerReferences().stream())
                .anyMatch(o -> "Refresh".equals(o.getKind()) && Boolean.TRUE.equals(o.getBlockOwnerDeletion()));
        if (blocks) {
            out.computeIfAbsent("ids.moe/refreshes/finalizers", k -> new TreeSet<>()).add("update");
        }
        return out;
    }

    /** The merger Role of charts/ids-moe/templates/merger.yaml as {@code group/resource} → verbs. */
    private static Map<String, Set<String>> granted() throws Exception {
        String template = Files.readString(Path.of("../../charts/ids-moe/templates/merger.yaml"));
        String role = List.of(template.split("(?m)^---$")).stream().filter(d -> d.contains("\nkind: Role\n"))
                .findFirst().orElseThrow();
        String yaml = role.lines().filter(l -> !l.contains("{{")).reduce("", (a, b) -> a + b + "\n");
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(yaml).get("rules");
        Map<String, Set<String>> out = new TreeMap<>();
        for (JsonNode rule : rules) {
            for (JsonNode g : rule.get("apiGroups")) {
                for (JsonNode r : rule.get("resources")) {
                    Set<String> verbs = out.computeIfAbsent(g.asText() + "/" + r.asText(), k -> new TreeSet<>());
                    rule.get("verbs").forEach(v -> verbs.add(v.asText()));
                }
            }
        }
        return out;
    }
}
