package moe.ids.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import moe.ids.deploy.cluster.AuthorizingDispatcher;
import moe.ids.deploy.cluster.Rbac;
import moe.ids.deploy.cluster.StandInApiServer;
import moe.ids.merger.MergeService;
import moe.ids.merger.operator.ControllerConfig;
import moe.ids.merger.operator.Refresh;
import moe.ids.merger.operator.RefreshBackend;
import moe.ids.merger.operator.RefreshController;
import moe.ids.merger.operator.RefreshCreate;
import moe.ids.merger.operator.RefreshReconciler;
import moe.ids.merger.operator.RefreshStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every actor of the chart that talks to the Kubernetes API, run under its own ServiceAccount against the
 * {@link StandInApiServer}, which enforces exactly the Roles and RoleBindings the chart renders (and the
 * owner-reference admission check): the CronJob's trigger ({@code refresh create} with the CronJob's args),
 * two controller replicas with the rendered {@code merger.yaml} settings (leading and renewing past the renew
 * deadline, the second taking over after the first is killed), Job creation, status updates and pruning. Any
 * refused request fails the test; the requests each ServiceAccount made are logged with the rule that allowed
 * them.
 */
class ChartRbacMockTest {
    private static final System.Logger LOG = System.getLogger(ChartRbacMockTest.class.getName());
    private static final String NS = Charts.NAMESPACE;
    private static final String R = Charts.RELEASE;

    /** Second-scale controller timings (the defaults are for real clusters), set as a user would. */
    private static final Map<String, Object> FAST = Map.of("merger.controller.leaseDurationSeconds", "4",
            "merger.controller.renewDeadlineSeconds", "3", "merger.controller.retryPeriodSeconds", "1",
            "merger.controller.pollSeconds", "1", "merger.controller.ingestPollSeconds", "1",
            "merger.controller.keepFinished", "2");

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger exits = new java.util.concurrent.atomic.AtomicInteger();

    static Stream<String> variants() throws IOException {
        try (Stream<Path> files = Files.list(Charts.chart().resolve("ci"))) {
            return Stream.concat(Stream.of("default"), files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith("-values.yaml")).sorted().toList().stream());
        }
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    /** Pipeline steps in memory: every source changed, each merge publishes the next version, applied at once. */
    static final class Backend implements RefreshBackend {
        final AtomicLong version = new AtomicLong();

        @Override
        public List<RefreshStatus.SourceStatus> results(Instant since, List<String> sources) {
            return sources.stream().map(s -> new RefreshStatus.SourceStatus(s, "Changed", 10, 1L, null)).toList();
        }

        @Override
        public MergeService.Outcome merge(boolean force) {
            return new MergeService.Outcome(version.incrementAndGet(), true, 1, 0, 1, 0, null);
        }

        @Override
        public long appliedVersion() {
            return version.get();
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void everyActorStaysWithinItsRole(String variant) throws Exception {
        Charts.Rendered rendered = Charts.install(variant.equals("default") ? null
                : Charts.chart().resolve("ci").resolve(variant), FAST);
        List<HasMetadata> objects = rendered.objects();
        StandInApiServer api = StandInApiServer.start(objects, NS);
        closing.add(api);
        api.apply(objects);

        Deployment mergerDeployment = rendered.get(Deployment.class, R + "-merger");
        PodSpec mergerPod = mergerDeployment.getSpec().getTemplate().getSpec();
        assertTrue(Boolean.TRUE.equals(mergerPod.getAutomountServiceAccountToken()), "the controller needs its token");
        String mergerSa = mergerPod.getServiceAccountName();
        Backend backend = new Backend();
        Path configFile = Files.createTempFile("merger", ".yaml");
        closing.add(() -> Files.deleteIfExists(configFile));
        Files.writeString(configFile, rendered.get(ConfigMap.class, R + "-config").getData().get("merger.yaml"));

        Controller a = controller(api, configFile, mergerSa, "merger-a", backend);
        ControllerConfig cfg = a.cfg;
        until(api, "controller a leads", a.controller::leading);
        Lease lease = api.admin().leases().inNamespace(NS).withName(cfg.leaseName()).get();
        assertEquals("merger-a", lease.getSpec().getHolderIdentity());
        // keep leading past the renew deadline: renewals must be allowed
        Instant acquired = lease.getSpec().getAcquireTime().toInstant();
        Instant past = acquired.plus(cfg.timings().renewDeadline()).plus(cfg.timings().leaseDuration());
        until(api, "lease renewed past the renew deadline", () -> renewedAfter(api, cfg, past));
        assertTrue(a.controller.leading(), "still leading after renewals");
        assertEquals(0, exits.get(), "no leader loss");

        // the CronJob's pod: `refresh create` with its args, under its own ServiceAccount
        String first = trigger(api, rendered);
        Job job = awaitJob(api, first);
        assertEquals(first, job.getMetadata().getOwnerReferences().getFirst().getName());
        complete(api, job);
        until(api, first + " Succeeded", () -> phase(api, first) == RefreshStatus.Phase.Succeeded);

        // a second replica waits; the first dies without releasing the Lease; the second takes over
        Controller b = controller(api, configFile, mergerSa, "merger-b", backend);
        a.client.close();
        a.controller.close();
        until(api, "controller b takes over", b.controller::leading);
        assertEquals("merger-b", api.admin().leases().inNamespace(NS).withName(cfg.leaseName()).get().getSpec()
                .getHolderIdentity());

        // more Refreshes than keep-finished: the new leader runs them and prunes the oldest
        List<String> later = new ArrayList<>();
        for (int i = 0; i <= cfg.keepFinished(); i++) {
            String name = trigger(api, rendered);
            later.add(name);
            complete(api, awaitJob(api, name));
            until(api, name + " Succeeded", () -> phase(api, name) == RefreshStatus.Phase.Succeeded);
        }
        until(api, first + " pruned", () -> api.admin().resources(Refresh.class).inNamespace(NS).withName(first)
                .get() == null);

        LOG.log(System.Logger.Level.INFO, "requests by ServiceAccount ({0}):\n{1}", variant, api.requestsByUserText());
        List<AuthorizingDispatcher.Decision> denied = api.denied();
        assertEquals(List.of(), denied.stream().map(d -> d.user() + ": " + d.denial()).toList(),
                "requests the chart's RBAC refuses");
    }

    private record Controller(RefreshController controller, KubernetesClient client, ControllerConfig cfg) {
    }

    private Controller controller(StandInApiServer api, Path configFile, String sa, String identity,
                                  RefreshBackend backend) {
        Config config = Config.just(
                ConfigSources.create(Map.of("controller.namespace", NS, "controller.identity", identity,
                        "controller.enabled", "true")),
                ConfigSources.file(configFile));
        ControllerConfig cfg = ControllerConfig.from(config);
        KubernetesClient client = api.client(Rbac.User.serviceAccount(NS, sa), NS);
        // a dead client (below) makes the elector lose the Lease: the process would exit; here it is counted
        RefreshController c = new RefreshController(client, cfg, new RefreshReconciler(client, cfg, backend,
                Clock.systemUTC()), code -> exits.incrementAndGet());
        closing.add(c);
        c.start();
        return new Controller(c, client, cfg);
    }

    private static boolean renewedAfter(StandInApiServer api, ControllerConfig cfg, Instant after) {
        Lease l = api.admin().leases().inNamespace(NS).withName(cfg.leaseName()).get();
        return l.getSpec().getRenewTime() != null && l.getSpec().getRenewTime().toInstant().isAfter(after);
    }

    /** What the CronJob's pod does, with the CronJob's args and ServiceAccount; returns the Refresh created. */
    private static String trigger(StandInApiServer api, Charts.Rendered rendered) {
        CronJob cronJob = rendered.get(CronJob.class, R + "-refresh");
        PodSpec pod = cronJob.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        assertTrue(Boolean.TRUE.equals(pod.getAutomountServiceAccountToken()), "the trigger needs its token");
        Container c = pod.getContainers().getFirst();
        assertEquals(List.of("refresh", "create"), c.getArgs().subList(0, 2));
        KubernetesClient client = api.client(Rbac.User.serviceAccount(NS, pod.getServiceAccountName()), NS);
        Config config = Config.just(ConfigSources.create(Map.of("controller.namespace", NS)));
        List<String> before = names(api);
        int exit = RefreshCreate.run(ControllerConfig.from(config), c.getArgs().subList(2, c.getArgs().size()), client);
        assertEquals(0, exit, "refresh create " + c.getArgs());
        return names(api).stream().filter(n -> !before.contains(n)).findFirst().orElseThrow();
    }

    private static List<String> names(StandInApiServer api) {
        return api.admin().resources(Refresh.class).inNamespace(NS).list().getItems().stream()
                .map(r -> r.getMetadata().getName()).toList();
    }

    private static RefreshStatus.Phase phase(StandInApiServer api, String name) {
        Refresh r = api.admin().resources(Refresh.class).inNamespace(NS).withName(name).get();
        return r == null || r.getStatus() == null ? null : r.getStatus().getPhase();
    }

    /** Waits up to a minute; a timeout fails with the requests the API server refused meanwhile. */
    private static void until(StandInApiServer api, String what, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(Duration.ofSeconds(60)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<AuthorizingDispatcher.Decision> audit = api.audit();
            throw new AssertionError("not reached: " + what + "; refused: " + api.denied().stream()
                    .map(d -> d.user() + ": " + d.denial()).distinct().toList() + "; last requests: "
                    + audit.subList(Math.max(0, audit.size() - 15), audit.size()).stream()
                    .map(d -> d.user() + " " + d.attrs().verb() + " " + d.attrs().path() + " " + d.code()).toList(), e);
        }
    }

    private static Job awaitJob(StandInApiServer api, String refresh) {
        java.util.concurrent.atomic.AtomicReference<Job> found = new java.util.concurrent.atomic.AtomicReference<>();
        until(api, "a Job for " + refresh, () -> {
            found.set(api.admin().batch().v1().jobs().inNamespace(NS).list().getItems().stream()
                    .filter(j -> j.getMetadata().getOwnerReferences().stream()
                            .anyMatch(o -> o.getName().equals(refresh))).findFirst().orElse(null));
            return found.get() != null;
        });
        return found.get();
    }

    /** The Job controller's part: every index succeeded. */
    private static void complete(StandInApiServer api, Job job) {
        job.setStatus(new JobStatusBuilder().withSucceeded(job.getSpec().getCompletions())
                .withConditions(new JobConditionBuilder().withType("Complete").withStatus("True").build()).build());
        api.admin().batch().v1().jobs().inNamespace(NS).resource(job).updateStatus();
    }
}
