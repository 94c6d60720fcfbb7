package moe.ids.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.deploy.cluster.LocalCluster;
import moe.ids.replay.ReplayServer;
import moe.ids.replay.SyntheticUpstream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole chart, running: every object {@code helm template} renders is created in the RBAC-enforcing
 * stand-in API server, each Deployment's and StatefulSet's pods run as local processes of what their images hold
 * (the service jars of this checkout, the machine's Redis, a role and database on the machine's PostgreSQL), with
 * exactly the rendered command, args, environment, mounted files and ServiceAccount tokens; Services are cluster
 * IPs with forwarders and DNS names; Jobs (the controller's scraper Jobs, the CronJob's trigger Job) run through a
 * stand-in Job controller; upstream is the replay server, reached through the rendered {@code UPSTREAM_MIRROR}
 * (always the synthetic upstream: this tests the deployment, and every one of its lookups is checked; the recorded
 * data is the subject of the system tests). Everything goes through the API the chart
 * exposes: Refreshes walk their phases, the API Service answers lookups, the API's health and metrics are on its
 * observe port (the one its probes, its prometheus.io annotations and its observe Service name) and not on its
 * lookup port, a failing source fails alone, a killed leader is replaced, a second Refresh waits its turn, and no
 * request is refused by the chart's RBAC.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final System.Logger LOG = System.getLogger(ClusterIT.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NS = Charts.NAMESPACE;
    private static final String R = Charts.RELEASE;
    private static final ResourceDefinitionContext REFRESH = new ResourceDefinitionContext.Builder()
            .withGroup("ids.moe").withVersion("v1").withKind("Refresh").withPlural("refreshes").withNamespaced(true)
            .build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration REFRESH_TIMEOUT = Duration.ofMinutes(5);

    private static TestUpstream upstreamFolder;
    private static ReplayServer replay;
    private static LocalCluster cluster;
    private static Map<String, JsonNode> expected = Map.of();
    private static final Map<String, List<String>> TIMELINES = new ConcurrentHashMap<>();
    private static Watch watch;
    private static Instant t0;
    /** The API's /observe port (api.observePort). */
    private static int observePort;

    @BeforeAll
    static void install() throws Exception {
        upstreamFolder = TestUpstream.writeSynthetic();
        Path upstream = upstreamFolder.root();
        expected = upstreamFolder.synthetic() ? SyntheticUpstream.expectedLookups(upstream) : Map.of();
        replay = ReplayServer.start(upstream, "b");
        String unique = "ids_moe_c_" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("postgresql.auth.username", unique);
        set.put("postgresql.auth.database", unique);
        set.put("scraper.upstreamMirror", "http://127.0.0.1:" + replay.port());
        for (int i = 0; i < SyntheticUpstream.SOURCES.size(); i++) {
            set.put("refresh.sources[" + i + "]", SyntheticUpstream.SOURCES.get(i));
        }
        set.put("merger.replicas", "2");
        // second-scale timings (the defaults are for real clusters: 15 s leases, 5 s polls)
        set.put("merger.controller.leaseDurationSeconds", "6");
        set.put("merger.controller.renewDeadlineSeconds", "4");
        set.put("merger.controller.retryPeriodSeconds", "1");
        set.put("merger.controller.pollSeconds", "1");
        set.put("merger.controller.ingestPollSeconds", "1");
        set.put("ingestor.config.ingestor.poll-seconds", "1");
        // not the default 9080: an API run on this machine holds its observe port on every interface, where no pod
        // address could bind it; a free port also shows every object following api.observePort
        observePort = freePort();
        set.put("api.observePort", Integer.toString(observePort));
        Charts.Rendered rendered = Charts.install(null, set);
        String server = System.getenv().getOrDefault("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres");
        t0 = Instant.now();
        cluster = LocalCluster.start(rendered.objects(), NS, Charts.chart().getParent().getParent(),
                DatabaseUrl.parse("TEST_DATABASE_URL", server));
        watch = cluster.admin().genericKubernetesResources(REFRESH).inNamespace(NS).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource r) {
                record(r);
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        try {
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(cluster::workloadsReady);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the release did not become ready:\n" + cluster.describe(), e);
        }
        LOG.log(System.Logger.Level.INFO, "release ready after {0} ms", Duration.between(t0, Instant.now()).toMillis());
    }

    @AfterAll
    static void uninstall() {
        if (watch != null) {
            watch.close();
        }
        TIMELINES.forEach((name, phases) -> LOG.log(System.Logger.Level.INFO, "timeline {0}: {1}", name, phases));
        if (cluster != null) {
            cluster.close();
        }
        if (replay != null) {
            replay.close();
        }
        if (upstreamFolder != null) {
            upstreamFolder.close();
        }
    }

    @Test
    @Order(1)
    void cronJobRefreshRunsThePipelineAndTheApiServesIt() throws Exception {
        cluster.createJobFromCronJob(R + "-refresh", "refresh-now");
        String name = awaitNewRefresh(Set.of());
        Map<String, Object> status = awaitFinished(name);
        assertEquals("Succeeded", status.get("phase"), () -> "status " + status + "\n" + cluster.describe());
        await().atMost(Duration.ofSeconds(10)).until(() -> phases(name).contains("Succeeded"));
        assertEquals(List.of("Pending", "Scraping", "Merging", "Ingesting", "Succeeded"), phases(name));
        List<Map<String, Object>> sources = list(status.get("sources"));
        assertEquals(SyntheticUpstream.SOURCES, sources.stream().map(s -> s.get("name")).toList());
        assertTrue(sources.stream().allMatch(s -> "Changed".equals(s.get("result"))), sources::toString);
        HttpResponse<String> answer = api("/mal/1");
        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode entry = JSON.readTree(answer.body());
        assertEquals(1, entry.get("myanimelist").asInt());
        assertEquals(23, entry.get("anidb").asInt());
        for (Map.Entry<String, JsonNode> lookup : expected.entrySet()) {
            HttpResponse<String> found = api("/" + lookup.getKey());
            assertEquals(200, found.statusCode(), lookup.getKey());
            JsonNode got = JSON.readTree(found.body());
            lookup.getValue().properties().forEach(f -> assertEquals(f.getValue(), got.get(f.getKey()),
                    lookup.getKey() + " " + f.getKey()));
        }
    }

    @Test
    @Order(2)
    void aFailingSourceFailsOnlyItselfAndTheRestIsMerged() {
        replay.enableFaults(Set.of(SyntheticUpstream.FRIBB_EMPTY_FAULT));
        try {
            Set<String> before = refreshNames();
            cluster.createJobFromCronJob(R + "-refresh", "refresh-with-fault");
            String name = awaitNewRefresh(before);
            Map<String, Object> status = awaitFinished(name);
            assertEquals("Succeeded", status.get("phase"), () -> "status " + status);
            Map<String, String> results = list(status.get("sources")).stream().collect(Collectors.toMap(
                    s -> (String) s.get("name"), s -> (String) s.get("result")));
            assertEquals("Failed", results.get("fribb"), results::toString);
            results.remove("fribb");
            assertTrue(results.values().stream().noneMatch("Failed"::equals), results::toString);
            Job job = cluster.admin().batch().v1().jobs().inNamespace(NS).withName((String) status.get("job")).get();
            int fribb = SyntheticUpstream.SOURCES.indexOf("fribb");
            assertEquals(Integer.toString(fribb), job.getStatus().getFailedIndexes(), "only fribb's index failed");
            assertEquals(SyntheticUpstream.SOURCES.size() - 1, job.getStatus().getSucceeded());
        } finally {
            replay.enableFaults(Set.of());
        }
    }

    @Test
    @Order(3)
    void anotherReplicaFinishesTheRefreshWhenTheLeaderDies() {
        String name = create("leader-dies");
        await().atMost(REFRESH_TIMEOUT).until(() -> "Scraping".equals(status(name).get("phase")));
        String leader = holder();
        assertTrue(cluster.pods(R + "-merger-").contains(leader), () -> leader + " is not a merger pod");
        cluster.forceDelete(leader);
        String next = await().atMost(Duration.ofMinutes(1)).until(ClusterIT::holder,
                h -> h != null && !h.equals(leader));
        assertTrue(cluster.pods(R + "-merger-").contains(next), next);
        Map<String, Object> status = awaitFinished(name);
        assertEquals("Succeeded", status.get("phase"), () -> "status " + status);
        assertEquals(1, cluster.admin().batch().v1().jobs().inNamespace(NS).list().getItems().stream()
                .filter(j -> j.getMetadata().getOwnerReferences().stream().anyMatch(o -> o.getName().equals(name)))
                .count(), "one scraper Job for the Refresh");
        await().atMost(Duration.ofMinutes(2)).until(() -> cluster.pods(R + "-merger-").size() == 2
                && cluster.pods(R + "-merger-").stream().allMatch(cluster::ready));
    }

    @Test
    @Order(4)
    void aRefreshCreatedWhileOneRunsWaitsItsTurn() {
        String first = create("first");
        String second = create("second");
        await().atMost(REFRESH_TIMEOUT).until(() -> "Pending".equals(status(second).get("phase"))
                && "Waiting".equals(readyReason(second)));
        Map<String, Object> a = awaitFinished(first);
        Map<String, Object> b = awaitFinished(second);
        assertEquals("Succeeded", a.get("phase"));
        assertEquals("Succeeded", b.get("phase"));
        assertFalse(Instant.parse((String) b.get("startedAt")).isBefore(Instant.parse((String) a.get("finishedAt"))),
                "the second started after the first finished");
    }

    @Test
    @Order(5)
    void theApiAnswersObserveOnItsObservePortOnly() throws Exception {
        assertEquals("observe", observePort(R + "-api"), "the API's probes use its observe port");
        Map<String, String> annotations = cluster.admin().apps().deployments().inNamespace(NS).withName(R + "-api").get()
                .getSpec().getTemplate().getMetadata().getAnnotations();
        List<String> pods = cluster.pods(R + "-api-");
        assertFalse(pods.isEmpty(), "no API pod");
        for (String pod : pods) {
            // the lookup port serves lookups only
            InetSocketAddress lookups = cluster.podAddress(pod, "http");
            assertEquals(200, get(lookups, "/heartbeat").statusCode());
            notServed(get(lookups, "/observe/health/ready"));
            notServed(get(lookups, "/observe/metrics"));
            // the observe port: the probes' health checks
            InetSocketAddress observe = cluster.podAddress(pod, "observe");
            assertEquals(observePort, observe.getPort());
            HttpResponse<String> ready = get(observe, "/observe/health/ready");
            assertEquals(200, ready.statusCode(), ready.body());
            Set<String> checks = new TreeSet<>();
            JSON.readTree(ready.body()).path("checks").forEach(c -> checks.add(c.path("name").asText()));
            assertTrue(checks.containsAll(Set.of("redis", "dataset")), ready.body());
            // and the metrics, where the prometheus.io annotations send a scraper
            InetSocketAddress scraped = new InetSocketAddress(observe.getHostString(),
                    Integer.parseInt(annotations.get("prometheus.io/port")));
            HttpResponse<String> metrics = get(scraped, annotations.get("prometheus.io/path"));
            assertEquals(200, metrics.statusCode(), metrics.body());
            assertTrue(metrics.body().contains("api_near_cache_entries"), metrics.body());
        }
        // through the Services: the clients' one has no /observe, the observe one (the ServiceMonitor's) has
        notServed(api("/observe/health/ready"));
        notServed(api("/observe/metrics"));
        HttpResponse<String> metrics = get(cluster.serviceAddress(R + "-api-observe", observePort), "/observe/metrics");
        assertEquals(200, metrics.statusCode(), metrics.body());
        assertTrue(metrics.body().contains("api_near_cache_entries"), metrics.body());
    }

    @Test
    @Order(6)
    void eachMergerSaysWhetherItLeadsOrStandsBy() throws Exception {
        List<String> roles = new ArrayList<>();
        for (String pod : cluster.pods(R + "-merger-")) {
            HttpResponse<String> ready = get(cluster.podAddress(pod, observePort(R + "-merger")), "/observe/health/ready");
            assertEquals(200, ready.statusCode(), ready.body());
            JsonNode check = null;
            for (JsonNode c : JSON.readTree(ready.body()).path("checks")) {
                if ("controller".equals(c.path("name").asText())) {
                    check = c;
                }
            }
            assertTrue(check != null, ready.body());
            roles.add(check.path("data").path("role").asText());
            assertEquals(holder(), check.path("data").path("leader").asText(), ready.body());
        }
        roles.sort(Comparator.naturalOrder());
        assertEquals(List.of("leader", "standby"), roles);
    }

    @Test
    @Order(7)
    void noRequestWasRefusedAndEveryServiceAccountStayedInItsRole() {
        Map<String, java.util.SortedSet<String>> byUser = cluster.apiServer().requestsByUser();
        LOG.log(System.Logger.Level.INFO, "requests by ServiceAccount:\n{0}", cluster.apiServer().requestsByUserText());
        assertEquals(List.of(), cluster.apiServer().denied().stream().map(d -> d.user() + ": " + d.denial())
                .distinct().toList());
        assertTrue(byUser.containsKey("system:serviceaccount:" + NS + ":" + R + "-refresh-trigger"), byUser::toString);
        assertTrue(byUser.containsKey("system:serviceaccount:" + NS + ":" + R + "-merger"), byUser::toString);
        assertEquals(2, byUser.size(), "only the trigger and the controller talk to the API: " + byUser.keySet());
    }

    // ---- helpers

    private static HttpResponse<String> api(String path) throws Exception {
        return get(cluster.serviceAddress(R + "-api", 80), path);
    }

    private static HttpResponse<String> get(InetSocketAddress address, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address.getHostString() + ":"
                + address.getPort() + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A 404, neither health checks nor metrics. */
    private static void notServed(HttpResponse<String> r) {
        assertEquals(404, r.statusCode(), () -> r.uri() + " answered " + r.statusCode() + ": " + r.body());
        assertFalse(r.body().contains("\"checks\"") || r.body().contains("api_near_cache_entries"),
                () -> r.uri() + " answered " + r.body());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The container port a Deployment's readiness probe names: where its pods serve /observe. */
    private static String observePort(String deployment) {
        return cluster.admin().apps().deployments().inNamespace(NS).withName(deployment).get().getSpec().getTemplate()
                .getSpec().getContainers().getFirst().getReadinessProbe().getHttpGet().getPort().getStrVal();
    }

    private static String holder() {
        Lease lease = cluster.admin().leases().inNamespace(NS).withName(R + "-merger-leader").get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    /**
     * A forced Refresh of one source: the tests that use it are about the controller (leadership, queueing), and one
     * scraper pod instead of one per source keeps them short; the first two tests run every source.
     */
    private static String create(String name) {
        cluster.admin().genericKubernetesResources(REFRESH).inNamespace(NS).resource(new GenericKubernetesResourceBuilder()
                .withApiVersion("ids.moe/v1").withKind("Refresh").withNewMetadata().withName(name).endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("force", true, "sources", List.of("aod"))))
                .build()).create();
        return name;
    }

    private static Set<String> refreshNames() {
        return cluster.admin().genericKubernetesResources(REFRESH).inNamespace(NS).list().getItems().stream()
                .map(r -> r.getMetadata().getName()).collect(Collectors.toSet());
    }

    private static String awaitNewRefresh(Set<String> before) {
        try {
            return await().atMost(Duration.ofMinutes(2)).until(() -> refreshNames().stream()
                    .filter(n -> !before.contains(n)).findFirst().orElse(null), Objects::nonNull);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the trigger created no Refresh:\n" + cluster.describe(), e);
        }
    }

    private static Map<String, Object> awaitFinished(String name) {
        try {
            await().atMost(REFRESH_TIMEOUT).pollInterval(Duration.ofMillis(500))
                    .until(() -> Set.of("Succeeded", "Failed").contains(String.valueOf(status(name).get("phase"))));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(name + " did not finish: " + status(name) + "\n" + cluster.describe(), e);
        }
        return status(name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(String name) {
        GenericKubernetesResource r = cluster.admin().genericKubernetesResources(REFRESH).inNamespace(NS)
                .withName(name).get();
        Object st = r == null ? null : r.getAdditionalProperties().get("status");
        return st instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String readyReason(String name) {
        return list(status(name).get("conditions")).stream().filter(c -> "Ready".equals(c.get("type")))
                .map(c -> String.valueOf(c.get("reason"))).findFirst().orElse(null);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return o instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    /** Phase changes of every Refresh, from a watch (every status write is an event, so no phase is missed). */
    private static void record(GenericKubernetesResource r) {
        String name = r.getMetadata().getName();
        Object st = r.getAdditionalProperties().get("status");
        String phase = st instanceof Map<?, ?> m && m.get("phase") != null ? m.get("phase").toString() : "Pending";
        List<String> seen = TIMELINES.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>());
        if (seen.isEmpty() || !seen.getLast().startsWith(phase + " ")) {
            seen.add(phase + " +" + Duration.between(t0, Instant.now()).toMillis() / 100 / 10.0 + "s");
        }
    }

    private static List<String> phases(String name) {
        List<String> out = new ArrayList<>();
        for (String p : TIMELINES.getOrDefault(name, List.of())) {
            out.add(p.substring(0, p.indexOf(' ')));
        }
        return out;
    }
}
