package moe.ids.merger.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.helidon.health.HealthCheckResponse;
import moe.ids.merger.MergeService;
import moe.ids.core.snapshot.SourceNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Refresh controller against fabric8's CRUD mock API server, with an in-memory pipeline backend. The client
 * field is not static, so every test gets a fresh server: fabric8 8.0.0's mock server can block its event loop
 * for up to a minute when a watch is closed while it sends an event (WatchEventsListener.onClosed awaits its
 * executor on the event loop), and a shared server then fails the next tests' requests after 10 s.
 */
@EnableKubernetesMockClient(crud = true)
class RefreshControllerMockTest {
    private static final String NS = "ids";
    KubernetesClient client;

    private static final String LEASE = "ids-moe-controller";
    private final List<RefreshController> controllers = new ArrayList<>();
    private final FakeBackend backend = new FakeBackend();
    /** Exit codes the controllers asked for. */
    private final List<Integer> exits = new CopyOnWriteArrayList<>();

    /** Scrape results, merges and the applied version, in memory. */
    static final class FakeBackend implements RefreshBackend {
        final Map<String, String> failing = new ConcurrentHashMap<>();
        final AtomicInteger merges = new AtomicInteger();
        final AtomicLong version = new AtomicLong();
        final AtomicLong applied = new AtomicLong();
        final List<List<String>> asked = new CopyOnWriteArrayList<>();
        final List<Boolean> forced = new CopyOnWriteArrayList<>();
        /** When set, a merge is skipped (its inputs unchanged): it reports the current version. */
        volatile boolean skip;
        /** When set, a merge waits for it (interruptibly). */
        volatile CountDownLatch mergeGate;
        final AtomicBoolean mergeInterrupted = new AtomicBoolean();

        @Override
        public List<RefreshStatus.SourceStatus> results(Instant since, List<String> sources) {
            asked.add(sources);
            return sources.stream().map(s -> failing.containsKey(s)
                    ? new RefreshStatus.SourceStatus(s, "Failed", 10, 5L, failing.get(s))
                    : new RefreshStatus.SourceStatus(s, "Changed", 100, 20L, null)).toList();
        }

        @Override
        public MergeService.Outcome merge(boolean force) {
            merges.incrementAndGet();
            forced.add(force);
            CountDownLatch gate = mergeGate;
            if (gate != null) {
                try {
                    gate.await();
                } catch (InterruptedException ex) {
                    mergeInterrupted.set(true);
                    throw new IllegalStateException("merge interrupted", ex);
                }
            }
            if (skip) {
                return MergeService.Outcome.skipped(version.get());
            }
            return new MergeService.Outcome(version.incrementAndGet(), true, 7, 1, 30, 2, null);
        }

        @Override
        public long appliedVersion() {
            return applied.get();
        }
    }

    /** Second-scale leader election; polls of a second or less. */
    static final ControllerConfig.Timings FAST = new ControllerConfig.Timings(Duration.ofSeconds(4),
            Duration.ofSeconds(3), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(500));

    private ControllerConfig config(String identity, int keep, Duration ingestTimeout, ControllerConfig.Timings t) {
        return new ControllerConfig(true, NS, identity, LEASE, "scraper:test", "scraper", List.of("cfg"),
                List.of("db"), 4, 2, Duration.ofMinutes(30), Map.of("memory-limit", "512Mi"), keep,
                ingestTimeout, "default", t, ControllerConfig.ScraperPod.NONE);
    }

    private RefreshController controller(String identity, int keep) {
        return controller(config(identity, keep, Duration.ofMinutes(5), FAST));
    }

    private RefreshController controller(ControllerConfig cfg) {
        RefreshController c = new RefreshController(client, cfg, new RefreshReconciler(client, cfg, backend,
                Clock.systemUTC()), exits::add);
        controllers.add(c);
        c.start();
        return c;
    }

    /**
     * Another holder takes the Lease, as a replica that saw it expire would; a renewal by the leader between the
     * read and the write is a conflict (409), after which the intruder reads again and retries, as a real one would.
     */
    private void stealLease() {
        await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(KubernetesClientException.class)
                .until(() -> {
                    client.leases().inNamespace(NS).withName(LEASE).edit(l -> {
                        l.getSpec().setHolderIdentity("intruder");
                        l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
                        l.getSpec().setLeaseDurationSeconds(3600);
                        return l;
                    });
                    return true;
                });
    }

    private static Condition condition(Refresh r, String type) {
        return r.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    @AfterEach
    void stop() {
        CountDownLatch gate = backend.mergeGate;
        if (gate != null) {
            gate.countDown();
        }
        controllers.forEach(RefreshController::close); // the server (and its objects) goes with the test
    }

    private Refresh create(String name, List<SourceName> sources) {
        Refresh r = new Refresh();
        r.getMetadata().setName(name);
        r.getMetadata().setNamespace(NS);
        r.getMetadata().setCreationTimestamp(Instant.now().toString());
        r.getSpec().setSources(sources);
        return client.resources(Refresh.class).inNamespace(NS).resource(r).create();
    }

    private Refresh get(String name) {
        return client.resources(Refresh.class).inNamespace(NS).withName(name).get();
    }

    private RefreshStatus.Phase phase(String name) {
        Refresh r = get(name);
        return r == null || r.getStatus() == null ? null : r.getStatus().getPhase();
    }

    private Job awaitJob(String refresh) {
        await().atMost(Duration.ofSeconds(20)).until(() -> get(refresh) != null && get(refresh).getStatus() != null
                && get(refresh).getStatus().getJob() != null
                && client.batch().v1().jobs().inNamespace(NS).withName(get(refresh).getStatus().getJob()).get() != null);
        return client.batch().v1().jobs().inNamespace(NS).withName(get(refresh).getStatus().getJob()).get();
    }

    private void complete(String refresh) {
        Job job = awaitJob(refresh);
        job.setStatus(new JobStatusBuilder().withSucceeded(job.getSpec().getCompletions())
                .withConditions(new JobConditionBuilder().withType("Complete").withStatus("True").build()).build());
        client.batch().v1().jobs().inNamespace(NS).resource(job).updateStatus();
    }

    /** The Job ends as Kubernetes ends one whose indexes partly failed: Failed, reason FailedIndexes. */
    private void failIndexes(String refresh, String failedIndexes) {
        Job job = awaitJob(refresh);
        job.setStatus(new JobStatusBuilder().withFailedIndexes(failedIndexes)
                .withSucceeded(job.getSpec().getCompletions() - failedIndexes.split(",").length)
                .withConditions(new JobConditionBuilder().withType("Failed").withStatus("True")
                        .withReason("FailedIndexes").withMessage("Job has failed indexes").build()).build());
        client.batch().v1().jobs().inNamespace(NS).resource(job).updateStatus();
    }

    @Test
    void finishedRefreshesAreCountedAndTheLastSuccessIsExported() {
        var registry = io.helidon.metrics.api.Metrics.globalRegistry();
        var succeeded = List.of(io.helidon.metrics.api.Metrics.tag("result", "Succeeded"),
                io.helidon.metrics.api.Metrics.tag("reason", "Succeeded"));
        long before = registry.counter("refresh_runs", succeeded).map(c -> c.count()).orElse(0L);
        Instant start = Instant.now();
        controller("a", 10);
        create("counted", List.of());
        complete("counted");
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("counted") == RefreshStatus.Phase.Ingesting);
        backend.applied.set(backend.version.get());
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("counted") == RefreshStatus.Phase.Succeeded);
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.counter("refresh_runs", succeeded)
                .map(c -> c.count()).orElse(0L) == before + 1);
        double last = registry.gauge("refresh_last_success_timestamp_seconds", List.of()).orElseThrow().value()
                .doubleValue();
        assertTrue(last >= start.getEpochSecond(), "last success " + last);
    }

    @Test
    void walksEveryPhaseToSucceeded() {
        List<RefreshStatus.Phase> seen = new CopyOnWriteArrayList<>();
        try (Watch w = client.resources(Refresh.class).inNamespace(NS).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Refresh r) {
                RefreshStatus.Phase p = r.getStatus() == null ? null : r.getStatus().getPhase();
                if (p != null && (seen.isEmpty() || seen.getLast() != p)) {
                    seen.add(p);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            controller("a", 10);
            create("r1", List.of());
            Job job = awaitJob("r1");
            assertEquals("Indexed", job.getSpec().getCompletionMode());
            assertEquals(SourceNames.ALL.size(), job.getSpec().getCompletions());
            assertEquals(String.join(",", SourceNames.ALL), job.getSpec().getTemplate().getSpec().getContainers()
                    .getFirst().getEnv().getFirst().getValue());
            assertEquals("r1", job.getMetadata().getOwnerReferences().getFirst().getName());
            assertEquals(RefreshStatus.Phase.Scraping, phase("r1"));
            complete("r1");
            await().atMost(Duration.ofSeconds(20)).until(() -> phase("r1") == RefreshStatus.Phase.Ingesting);
            assertEquals(1L, get("r1").getStatus().getChangeSet().version());
            backend.applied.set(1);
            await().atMost(Duration.ofSeconds(20)).until(() -> phase("r1") == RefreshStatus.Phase.Succeeded);
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(RefreshStatus.Phase.Succeeded));
        }
        assertEquals(List.of(RefreshStatus.Phase.Scraping, RefreshStatus.Phase.Merging, RefreshStatus.Phase.Ingesting,
                RefreshStatus.Phase.Succeeded), seen);
        RefreshStatus st = get("r1").getStatus();
        assertEquals(SourceNames.ALL.size(), st.getSources().size());
        assertNotNull(st.getFinishedAt());
        assertEquals("True", st.getConditions().getFirst().getStatus());
        assertEquals(1, backend.merges.get());
    }

    @Test
    void aSkippedMergeSaysSoAndWaitsForNoNewVersion() {
        backend.version.set(4);
        backend.applied.set(4);
        backend.skip = true;
        controller("a", 10);
        create("same", List.of());
        complete("same");
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("same") == RefreshStatus.Phase.Succeeded);
        RefreshStatus st = get("same").getStatus();
        assertEquals(1, backend.merges.get());
        assertEquals(4L, st.getChangeSet().version(), "the version published already");
        assertFalse(st.getChangeSet().published());
        assertEquals(RefreshStatus.MergeSummary.INPUTS_UNCHANGED, st.getMerge().result());
        assertEquals(null, st.getMerge().anime(), "no merge ran, so no report");
        assertEquals("version 4 applied (merge skipped: inputs unchanged)",
                condition(get("same"), "Ready").getMessage());
    }

    @Test
    void aMergeThatRanSaysItPublished() {
        controller("a", 10);
        create("new", List.of());
        complete("new");
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("new") == RefreshStatus.Phase.Ingesting);
        assertEquals(RefreshStatus.MergeSummary.PUBLISHED, get("new").getStatus().getMerge().result());
        assertEquals("published version 1", condition(get("new"), "Ready").getMessage());
    }

    @Test
    void aFailedSourceIsReportedAndTheOthersAreMerged() {
        backend.failing.put("arm", "arm: HTTP 503 from https://raw.githubusercontent.com/…; last good snapshot kept");
        controller("a", 10);
        create("r1", List.of(SourceName.AOD, SourceName.ARM));
        complete("r1");
        backend.applied.set(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("r1") == RefreshStatus.Phase.Succeeded);
        List<RefreshStatus.SourceStatus> sources = get("r1").getStatus().getSources();
        assertEquals(List.of("aod", "arm"), sources.stream().map(RefreshStatus.SourceStatus::name).toList());
        assertEquals("Changed", sources.get(0).result());
        assertEquals("Failed", sources.get(1).result());
        assertTrue(sources.get(1).message().contains("503"));
        assertEquals(2, awaitJob("r1").getSpec().getCompletions());
    }

    @Test
    void everySourceFailingFailsTheRefresh() {
        backend.failing.put("aod", "aod: zstd decompression failed");
        controller("a", 10);
        create("r1", List.of(SourceName.AOD));
        complete("r1");
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("r1") == RefreshStatus.Phase.Failed);
        assertEquals("ScrapeFailed", get("r1").getStatus().getConditions().getFirst().getReason());
        assertEquals(0, backend.merges.get());
    }

    @Test
    void aSecondRefreshWaitsForTheFirst() {
        controller("a", 10);
        create("r1", List.of(SourceName.AOD));
        awaitJob("r1");
        create("r2", List.of(SourceName.ARM));
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("r2") == RefreshStatus.Phase.Pending);
        assertEquals("Waiting", get("r2").getStatus().getConditions().getFirst().getReason());
        assertEquals(null, client.batch().v1().jobs().inNamespace(NS).withName("r2-scrape").get());
        complete("r1");
        backend.applied.set(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("r1") == RefreshStatus.Phase.Succeeded);
        awaitJob("r2");
        complete("r2");
        backend.applied.set(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("r2") == RefreshStatus.Phase.Succeeded);
        assertEquals(2L, get("r2").getStatus().getChangeSet().version());
    }

    @Test
    void aRestartedControllerResumesWithoutASecondJob() {
        RefreshController first = controller("a", 10);
        create("r1", List.of(SourceName.AOD));
        Job job = awaitJob("r1");
        first.close();
        assertEquals(List.of(), exits, "closing leaves the election without ending the process");
        controllers.remove(first);
        await().atMost(Duration.ofSeconds(20)).until(() -> !first.leading());
        controller("b", 10);
        complete("r1");
        backend.applied.set(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> phase("r1") == RefreshStatus.Phase.Succeeded);
        List<Job> jobs = client.batch().v1().jobs().inNamespace(NS).list().getItems();
        assertEquals(1, jobs.size());
        assertEquals(job.getMetadata().getUid(), jobs.getFirst().getMetadata().getUid());
        assertEquals(1, backend.merges.get());
    }

    @Test
    void oldFinishedRefreshesArePruned() {
        controller("a", 2);
        for (int i = 1; i <= 4; i++) {
            String name = "r" + i;
            create(name, List.of(SourceName.AOD));
            complete(name);
            backend.applied.set(i);
            await().atMost(Duration.ofSeconds(20)).until(() -> phase(name) == RefreshStatus.Phase.Succeeded);
        }
        await().atMost(Duration.ofSeconds(20)).until(() ->
                client.resources(Refresh.class).inNamespace(NS).list().getItems().size() == 2);
        List<String> left = client.resources(Refresh.class).inNamespace(NS).list().getItems().stream()
                .map(r -> r.getMetadata().getName()).sorted().toList();
        assertEquals(List.of("r3", "r4"), left);
    }

    @Test
    void twoControllersOneLeaseOnlyOneActs() {
        RefreshController a = controller("a", 10);
        RefreshController b = controller("b", 10);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.leading() || b.leading());
        RefreshController leader = a.leading() ? a : b;
        RefreshController other = leader == a ? b : a;
        create("r1", List.of(SourceName.AOD));
        complete("r1");
        backend.applied.set(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("r1") == RefreshStatus.Phase.Succeeded);
        assertTrue(leader.reconciles() > 0);
        assertEquals(0, other.reconciles());
        assertTrue(!other.leading());
        assertEquals(1, client.batch().v1().jobs().inNamespace(NS).list().getItems().size());
        assertEquals(1, backend.merges.get());
    }

    @Test
    void losingTheLeaseEndsTheProcess() {
        RefreshController a = controller("a", 10);
        await().atMost(Duration.ofSeconds(20)).until(a::leading);
        stealLease();
        await().atMost(Duration.ofSeconds(20)).until(() -> !exits.isEmpty());
        assertEquals(List.of(RefreshController.LEADERSHIP_LOST), exits);
        assertFalse(a.leading());
    }

    @Test
    void aMergeRunningWhenTheLeaseIsLostIsInterruptedAndWritesNothing() {
        backend.mergeGate = new CountDownLatch(1);
        RefreshController a = controller("a", 10);
        create("r1", List.of(SourceName.AOD));
        complete("r1");
        await().atMost(Duration.ofSeconds(20)).until(() -> backend.merges.get() == 1);
        stealLease();
        // the exit is asked for from a thread of its own, after the interrupt
        await().atMost(Duration.ofSeconds(20)).until(() -> backend.mergeInterrupted.get() && !exits.isEmpty());
        assertEquals(List.of(RefreshController.LEADERSHIP_LOST), exits);
        assertEquals(RefreshStatus.Phase.Merging, phase("r1"));
        assertFalse(a.leading());
    }

    @Test
    void theLeaderAndAStandbyAreBothReadyAndSayWhich() {
        RefreshController a = controller("a", 10);
        RefreshController b = controller("b", 10);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.leading() || b.leading());
        RefreshController leader = a.leading() ? a : b;
        RefreshController standby = leader == a ? b : a;
        String leaderId = leader == a ? "a" : "b";
        await().atMost(Duration.ofSeconds(10)).until(() -> leaderId.equals(standby.standing().leader()));
        HealthCheckResponse l = ControllerHealth.readiness(leader).call();
        HealthCheckResponse s = ControllerHealth.readiness(standby).call();
        assertEquals(HealthCheckResponse.Status.UP, l.status());
        assertEquals("leader", l.details().get("role"));
        assertEquals(HealthCheckResponse.Status.UP, s.status());
        assertEquals("standby", s.details().get("role"));
        assertEquals(leaderId, s.details().get("leader"));
        assertEquals(HealthCheckResponse.Status.UP, ControllerHealth.liveness(standby).call().status());
        assertEquals(HealthCheckResponse.Status.UP, ControllerHealth.liveness(leader).call().status());
    }

    @Test
    void livenessIsDownOnceTheElectionIsOver() {
        RefreshController a = controller("a", 10);
        await().atMost(Duration.ofSeconds(20)).until(a::leading);
        assertEquals(HealthCheckResponse.Status.UP, ControllerHealth.liveness(a).call().status());
        stealLease();
        await().atMost(Duration.ofSeconds(20)).until(() -> !exits.isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() ->
                ControllerHealth.liveness(a).call().status() == HealthCheckResponse.Status.DOWN);
        assertEquals("stopped", ControllerHealth.liveness(a).call().details().get("role"));
    }

    @Test
    void aJobWithFailedIndexesMergesTheSourcesThatSucceeded() {
        backend.failing.put("arm", "arm: HTTP 503; last good snapshot kept");
        controller("a", 10);
        create("r1", List.of(SourceName.AOD, SourceName.ARM));
        failIndexes("r1", "1");
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("r1") == RefreshStatus.Phase.Ingesting);
        assertEquals(1, backend.merges.get());
        assertEquals(List.of("Changed", "Failed"), get("r1").getStatus().getSources().stream()
                .map(RefreshStatus.SourceStatus::result).toList());
    }

    @Test
    void aJobWithFailedIndexesWhereEverySourceFailedFailsTheRefresh() {
        backend.failing.put("aod", "aod: HTTP 503");
        controller("a", 10);
        create("r1", List.of(SourceName.AOD));
        failIndexes("r1", "0");
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("r1") == RefreshStatus.Phase.Failed);
        Condition ready = condition(get("r1"), "Ready");
        assertEquals("ScrapeFailed", ready.getReason());
        assertTrue(ready.getMessage().contains("FailedIndexes"), ready.getMessage());
        assertEquals(0, backend.merges.get());
    }

    @Test
    void aRefreshWithA253CharacterNameIsFollowedThroughItsJobsEvents() {
        // a poll slower than the test: only the Job's own events can move the Refresh on
        ControllerConfig.Timings slowPoll = new ControllerConfig.Timings(Duration.ofSeconds(4), Duration.ofSeconds(3),
                Duration.ofMillis(500), Duration.ofMinutes(10), Duration.ofMillis(500));
        controller(config("a", 10, Duration.ofMinutes(5), slowPoll));
        String name = "r" + "x".repeat(251) + "1";
        create(name, List.of(SourceName.AOD));
        Job job = awaitJob(name);
        assertTrue(job.getMetadata().getName().length() <= 57, job.getMetadata().getName());
        assertEquals(name, DesiredJob.refreshOf(job));
        complete(name);
        backend.applied.set(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> phase(name) == RefreshStatus.Phase.Succeeded);
    }

    @Test
    void theIngestTimeoutCountsFromWhenIngestingBegan() {
        // the Job may run 30 minutes; the ingestor gets 3 s once the change set is published
        controller(config("a", 10, Duration.ofSeconds(3), FAST));
        create("r1", List.of(SourceName.AOD));
        complete("r1");
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("r1") == RefreshStatus.Phase.Ingesting);
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("r1") == RefreshStatus.Phase.Failed);
        RefreshStatus st = get("r1").getStatus();
        assertEquals("IngestTimeout", condition(get("r1"), "Ready").getReason());
        assertNotNull(st.getIngestingSince());
        assertTrue(Duration.between(Instant.parse(st.getIngestingSince()), Instant.parse(st.getFinishedAt()))
                .compareTo(Duration.ofSeconds(3)) >= 0);
    }

    @Test
    void conditionsAndStatusCarryTheObservedGeneration() {
        controller("a", 10);
        create("r1", List.of(SourceName.AOD));
        complete("r1");
        backend.applied.set(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("r1") == RefreshStatus.Phase.Succeeded);
        Refresh r = get("r1");
        assertNotNull(r.getMetadata().getGeneration());
        assertEquals(r.getMetadata().getGeneration(), r.getStatus().getObservedGeneration());
        assertEquals(r.getMetadata().getGeneration(), condition(r, "Ready").getObservedGeneration());
    }

    @Test
    void aSpecEditedWhileRunningIsReportedAndNotAdopted() {
        controller("a", 10);
        create("r1", List.of(SourceName.AOD));
        awaitJob("r1");
        // the CRD's CEL rule refuses this on a real API server; the mock server takes it
        client.resources(Refresh.class).inNamespace(NS).withName("r1").edit(r -> {
            r.getSpec().setSources(List.of(SourceName.AOD, SourceName.ARM));
            r.getSpec().setForce(true);
            return r;
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> condition(get("r1"), RefreshReconciler.SPEC_CHANGED) != null);
        Refresh edited = get("r1");
        Condition changed = condition(edited, RefreshReconciler.SPEC_CHANGED);
        assertEquals("True", changed.getStatus());
        assertEquals(edited.getMetadata().getGeneration(), changed.getObservedGeneration());
        assertEquals(edited.getMetadata().getGeneration(), edited.getStatus().getObservedGeneration());
        assertEquals(List.of("aod"), edited.getStatus().getRun().sources());
        complete("r1");
        backend.applied.set(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> phase("r1") == RefreshStatus.Phase.Succeeded);
        assertEquals(List.of(List.of("aod")), backend.asked);
        assertEquals(List.of(false), backend.forced);
    }
}
