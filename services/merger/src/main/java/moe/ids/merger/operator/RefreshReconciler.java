package moe.ids.merger.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import moe.ids.core.error.IdsMoeException;
import moe.ids.merger.MergeService;
import moe.ids.scraper.source.Sources;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One reconcile of one Refresh, level-based: it reads the Refresh's status and the world, moves one phase
 * forward and says when to look again. Every step is idempotent, so a controller killed anywhere resumes the
 * same Refresh without a second Job (fixed name, created only when absent) or a second change set (a merge
 * with nothing new publishes nothing). See DESIGN.md in this package.
 */
public final class RefreshReconciler {
    private static final System.Logger LOG = System.getLogger(RefreshReconciler.class.getName());
    /** How often a running phase is looked at again (informer events usually come first). */
    static final Duration POLL = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final ControllerConfig cfg;
    private final RefreshBackend backend;
    private final Clock clock;

    /**
     * @param client  Kubernetes client
     * @param cfg     settings
     * @param backend pipeline steps
     * @param clock   time source
     */
    public RefreshReconciler(KubernetesClient client, ControllerConfig cfg, RefreshBackend backend, Clock clock) {
        this.client = client;
        this.cfg = cfg;
        this.backend = backend;
        this.clock = clock;
    }

    /**
     * @param refresh   the Refresh (from the informer cache)
     * @param all       every Refresh of the namespace (for ordering)
     * @return when to reconcile it again, or empty when it needs no more attention
     */
    public Optional<Duration> reconcile(Refresh refresh, List<Refresh> all) {
        RefreshStatus st = refresh.getStatus() == null ? new RefreshStatus() : refresh.getStatus();
        RefreshStatus.Phase phase = st.getPhase();
        if (phase == RefreshStatus.Phase.Succeeded || phase == RefreshStatus.Phase.Failed) {
            return Optional.empty();
        }
        Refresh turn = next(all);
        if (turn != null && !turn.getMetadata().getName().equals(refresh.getMetadata().getName())) {
            if (phase != RefreshStatus.Phase.Pending) {
                st.setPhase(RefreshStatus.Phase.Pending);
                ready(st, "False", "Waiting", "waiting for " + turn.getMetadata().getName() + " to finish");
                update(refresh, st);
            }
            return Optional.empty();
        }
        try {
            return switch (phase == null ? RefreshStatus.Phase.Pending : phase) {
                case Pending -> start(refresh, st);
                case Scraping -> scraping(refresh, st);
                case Merging -> merging(refresh, st);
                case Ingesting -> ingesting(refresh, st);
                default -> Optional.empty();
            };
        } catch (MergeService.MassDeletionException ex) {
            return fail(refresh, st, "MassDeletion", ex.getMessage());
        } catch (KubernetesClientException ex) {
            if (ex.getCode() == 409) {
                return Optional.of(Duration.ZERO); // stale copy: look again with the newer one
            }
            throw ex;
        } catch (IdsMoeException ex) {
            LOG.log(System.Logger.Level.WARNING, "{0}: {1}; retrying", refresh.getMetadata().getName(), ex.getMessage());
            ready(st, "False", "Retrying", ex.getMessage());
            update(refresh, st);
            return Optional.of(POLL);
        }
    }

    /**
     * The Refresh whose turn it is: one already running, else the oldest pending (creation time, then name).
     *
     * @param all every Refresh
     * @return it, or null when none is unfinished
     */
    static Refresh next(List<Refresh> all) {
        Comparator<Refresh> order = Comparator.comparing((Refresh r) -> r.getMetadata().getCreationTimestamp(),
                Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(r -> r.getMetadata().getName());
        List<Refresh> unfinished = all.stream().filter(r -> !finished(r)).sorted(order).toList();
        return unfinished.stream().filter(r -> running(r)).findFirst()
                .orElse(unfinished.isEmpty() ? null : unfinished.getFirst());
    }

    static boolean finished(Refresh r) {
        RefreshStatus.Phase p = r.getStatus() == null ? null : r.getStatus().getPhase();
        return p == RefreshStatus.Phase.Succeeded || p == RefreshStatus.Phase.Failed;
    }

    private static boolean running(Refresh r) {
        RefreshStatus.Phase p = r.getStatus() == null ? null : r.getStatus().getPhase();
        return p == RefreshStatus.Phase.Scraping || p == RefreshStatus.Phase.Merging
                || p == RefreshStatus.Phase.Ingesting;
    }

    private Optional<Duration> start(Refresh refresh, RefreshStatus st) {
        st.setPhase(RefreshStatus.Phase.Scraping);
        st.setStartedAt(clock.instant().toString());
        st.setJob(DesiredJob.name(refresh));
        st.setObservedGeneration(refresh.getMetadata().getGeneration());
        ready(st, "False", "Scraping", "scraping " + sources(refresh).size() + " sources");
        update(refresh, st);
        ensureJob(refresh);
        return Optional.of(POLL);
    }

    private Optional<Duration> scraping(Refresh refresh, RefreshStatus st) {
        Job job = ensureJob(refresh);
        boolean complete = condition(job, "Complete");
        boolean failed = condition(job, "Failed");
        if (!complete && !failed) {
            return Optional.of(POLL);
        }
        List<RefreshStatus.SourceStatus> results = backend.results(Instant.parse(st.getStartedAt()), sources(refresh));
        st.setSources(results);
        long bad = results.stream().filter(r -> "Failed".equals(r.result())).count();
        if (bad == results.size()) {
            return fail(refresh, st, "ScrapeFailed", "every source failed"
                    + (failed ? " (Job failed)" : "") + ": " + results.getFirst().message());
        }
        st.setPhase(RefreshStatus.Phase.Merging);
        ready(st, "False", "Merging", (results.size() - bad) + " of " + results.size() + " sources fetched"
                + (bad > 0 ? "; " + bad + " failed, their last good snapshots are merged" : ""));
        update(refresh, st);
        return Optional.of(Duration.ZERO);
    }

    private Optional<Duration> merging(Refresh refresh, RefreshStatus st) {
        boolean anyChanged = st.getSources().stream().anyMatch(s -> "Changed".equals(s.result()));
        MergeService.Outcome out = backend.merge(refresh.getSpec().isForce());
        st.setChangeSet(new RefreshStatus.ChangeSetStatus(out.version(), out.upserts(), out.deletes(), out.mapSets(),
                out.mapDels(), out.published()));
        if (out.report() != null) {
            st.setMerge(new RefreshStatus.MergeSummary(out.report().anime(), out.report().conflicts().count(),
                    out.report().dropped().values().stream().mapToInt(t -> t.count()).sum()));
        }
        st.setPhase(RefreshStatus.Phase.Ingesting);
        ready(st, "False", "Ingesting", out.published() ? "published version " + out.version()
                : "nothing changed" + (anyChanged ? " after merging" : "") + "; version " + out.version());
        update(refresh, st);
        return Optional.of(Duration.ZERO);
    }

    private Optional<Duration> ingesting(Refresh refresh, RefreshStatus st) {
        long want = st.getChangeSet() == null || st.getChangeSet().version() == null ? 0 : st.getChangeSet().version();
        long applied = backend.appliedVersion();
        if (applied >= want) {
            st.setPhase(RefreshStatus.Phase.Succeeded);
            st.setFinishedAt(clock.instant().toString());
            ready(st, "True", "Succeeded", "version " + want + " applied");
            update(refresh, st);
            return Optional.empty();
        }
        Instant since = Instant.parse(st.getStartedAt());
        if (clock.instant().isAfter(since.plus(cfg.activeDeadline()).plus(cfg.ingestTimeout()))) {
            return fail(refresh, st, "IngestTimeout", "the ingestor applied version " + applied + ", not " + want);
        }
        return Optional.of(Duration.ofSeconds(2));
    }

    private Optional<Duration> fail(Refresh refresh, RefreshStatus st, String reason, String message) {
        st.setPhase(RefreshStatus.Phase.Failed);
        st.setFinishedAt(clock.instant().toString());
        ready(st, "False", reason, message);
        update(refresh, st);
        LOG.log(System.Logger.Level.WARNING, "{0} failed: {1}", refresh.getMetadata().getName(), message);
        return Optional.empty();
    }

    private Job ensureJob(Refresh refresh) {
        String ns = refresh.getMetadata().getNamespace();
        Job existing = client.batch().v1().jobs().inNamespace(ns).withName(DesiredJob.name(refresh)).get();
        if (existing != null) {
            return existing;
        }
        Job job = DesiredJob.of(refresh, sources(refresh), cfg);
        try {
            Job created = client.batch().v1().jobs().inNamespace(ns).resource(job).create();
            LOG.log(System.Logger.Level.INFO, "{0}: created Job {1} for {2} sources", refresh.getMetadata().getName(),
                    job.getMetadata().getName(), job.getSpec().getCompletions());
            return created;
        } catch (KubernetesClientException ex) {
            if (ex.getCode() == 409) {
                return client.batch().v1().jobs().inNamespace(ns).withName(DesiredJob.name(refresh)).get();
            }
            throw ex;
        }
    }

    /**
     * @param refresh a Refresh
     * @return the sources it asks for, in the scraper's order (all when none are named)
     */
    static List<String> sources(Refresh refresh) {
        List<String> named = refresh.getSpec() == null ? List.of()
                : refresh.getSpec().getSources().stream().map(SourceName::id).toList();
        List<String> out = new ArrayList<>();
        for (String s : Sources.names()) {
            if (named.isEmpty() || named.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private static boolean condition(Job job, String type) {
        if (job == null || job.getStatus() == null || job.getStatus().getConditions() == null) {
            return false;
        }
        for (JobCondition c : job.getStatus().getConditions()) {
            if (type.equals(c.getType()) && "True".equals(c.getStatus())) {
                return true;
            }
        }
        return false;
    }

    private void ready(RefreshStatus st, String status, String reason, String message) {
        List<Condition> conditions = new ArrayList<>(st.getConditions() == null ? List.of() : st.getConditions());
        Condition old = conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
        String since = old != null && Objects.equals(old.getStatus(), status) ? old.getLastTransitionTime()
                : clock.instant().toString();
        conditions.removeIf(c -> "Ready".equals(c.getType()));
        conditions.add(new ConditionBuilder().withType("Ready").withStatus(status).withReason(reason)
                .withMessage(message).withLastTransitionTime(since).build());
        st.setConditions(conditions);
    }

    private void update(Refresh refresh, RefreshStatus st) {
        refresh.setStatus(st);
        Refresh updated = client.resources(Refresh.class).inNamespace(refresh.getMetadata().getNamespace())
                .resource(refresh).updateStatus();
        refresh.getMetadata().setResourceVersion(updated.getMetadata().getResourceVersion());
        LOG.log(System.Logger.Level.INFO, "{0}: {1}", refresh.getMetadata().getName(), st.getPhase());
    }
}
