package moe.ids.merger.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reconciler's decisions that need no API server. */
class RefreshReconcilerTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private final RefreshReconciler reconciler = new RefreshReconciler(null, new ControllerConfig(true, "ids", "a",
            "lease", "scraper:test", "scraper", List.of(), List.of(), 4, 2, Duration.ofHours(6), Map.of(), 10,
            Duration.ofMinutes(10), "default", ControllerConfig.Timings.DEFAULT, ControllerConfig.ScraperPod.NONE),
            null, Clock.fixed(NOW, ZoneOffset.UTC));

    private static Job job(String type, String reason) {
        return new JobBuilder().withNewStatus().addNewCondition().withType(type).withStatus("True").withReason(reason)
                .endCondition().endStatus().build();
    }

    private static Refresh running(long generation, List<SourceName> sources, boolean force) {
        Refresh r = new Refresh();
        r.getMetadata().setName("r1");
        r.getMetadata().setGeneration(generation);
        r.getSpec().setSources(sources);
        r.getSpec().setForce(force);
        RefreshStatus st = new RefreshStatus();
        st.setPhase(RefreshStatus.Phase.Scraping);
        st.setRun(new RefreshStatus.RunSpec(1L, List.of("aod"), false));
        r.setStatus(st);
        return r;
    }

    private static Refresh finished(String name, String created, String finishedAt) {
        Refresh r = new Refresh();
        r.getMetadata().setName(name);
        r.getMetadata().setCreationTimestamp(created);
        RefreshStatus st = new RefreshStatus();
        st.setPhase(RefreshStatus.Phase.Succeeded);
        st.setFinishedAt(finishedAt);
        r.setStatus(st);
        return r;
    }

    @Test
    void pruningTakesTheEarliestFinishedEvenWhenCreatedInTheSameSecond() {
        String second = "2026-06-01T11:00:00Z";
        List<Refresh> all = List.of(finished("refresh-b", second, "2026-06-01T11:00:02.100Z"),
                finished("refresh-a", second, "2026-06-01T11:00:05.300Z"),
                finished("refresh-c", second, "2026-06-01T11:00:01.200Z"), running(1, List.of(), false));
        assertEquals(List.of("refresh-c", "refresh-b"), RefreshReconciler.prunable(all, 1).stream()
                .map(r -> r.getMetadata().getName()).toList());
    }

    @Test
    void aJobFailedWithFailedIndexesIsFinished() {
        assertEquals(Optional.of("Failed: FailedIndexes"), RefreshReconciler.jobFinished(job("Failed", "FailedIndexes")));
        assertEquals(Optional.of("Complete"), RefreshReconciler.jobFinished(job("Complete", null)));
        assertEquals(Optional.empty(), RefreshReconciler.jobFinished(job("FailureTarget", "FailedIndexes")));
        assertEquals(Optional.empty(), RefreshReconciler.jobFinished(new Job()));
    }

    @Test
    void theIngestTimeoutCountsFromIngestingSinceNotFromTheStart() {
        RefreshStatus st = new RefreshStatus();
        st.setStartedAt(NOW.minus(Duration.ofHours(7)).toString());
        st.setIngestingSince(NOW.minus(Duration.ofMinutes(9)).toString());
        assertFalse(RefreshReconciler.ingestTimedOut(st, Duration.ofMinutes(10), NOW));
        st.setIngestingSince(NOW.minus(Duration.ofMinutes(11)).toString());
        assertTrue(RefreshReconciler.ingestTimedOut(st, Duration.ofMinutes(10), NOW));
    }

    @Test
    void aSpecEditedAfterTheStartIsReportedAndTheRunKept() {
        Refresh r = running(2, List.of(SourceName.AOD, SourceName.ARM), true);
        assertTrue(reconciler.holdCourse(r, r.getStatus()));
        Condition c = r.getStatus().getConditions().getFirst();
        assertEquals(RefreshReconciler.SPEC_CHANGED, c.getType());
        assertEquals("True", c.getStatus());
        assertEquals(2L, c.getObservedGeneration());
        assertTrue(c.getMessage().contains("create a new Refresh"), c.getMessage());
        assertEquals(new RefreshStatus.RunSpec(1L, List.of("aod"), false), r.getStatus().getRun());
        assertFalse(reconciler.holdCourse(r, r.getStatus()), "reported once per generation");
    }

    @Test
    void anUnchangedSpecIsNotReported() {
        Refresh r = running(1, List.of(SourceName.AOD), false);
        assertFalse(reconciler.holdCourse(r, r.getStatus()));
        assertTrue(r.getStatus().getConditions().isEmpty());
    }

    @Test
    void aRefreshStartedWithoutARunTakesItFromItsSpec() {
        Refresh r = running(3, List.of(SourceName.ARM, SourceName.AOD), true);
        r.getStatus().setRun(null);
        assertTrue(reconciler.holdCourse(r, r.getStatus()));
        assertEquals(new RefreshStatus.RunSpec(3L, List.of("aod", "arm"), true), r.getStatus().getRun());
        assertNull(r.getStatus().getConditions().stream().filter(c -> c.getType().equals("SpecChanged"))
                .findFirst().orElse(null));
    }

    @Test
    void theElectorIsAliveWhileItReadsTheLease() {
        ControllerConfig.Timings t = ControllerConfig.Timings.DEFAULT;
        assertTrue(RefreshController.electorAlive(true, false, NOW.minusSeconds(30), NOW, t));
        assertFalse(RefreshController.electorAlive(true, false, NOW.minusSeconds(33), NOW, t), "no read for 2 leases");
        assertFalse(RefreshController.electorAlive(true, true, NOW, NOW, t), "the election is over");
        assertFalse(RefreshController.electorAlive(false, false, NOW, NOW, t), "never started");
    }
}
