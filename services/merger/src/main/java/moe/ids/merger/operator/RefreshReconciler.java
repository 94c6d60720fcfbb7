package moe.ids.merger.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import moe.ids.core.error.IdsMoeException;
import moe.ids.merger.MergeService;
import moe.ids.merger.merge.Merger;
import moe.ids.core.snapshot.SourceNames;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One reconcile of one Refresh, level-based: it reads the Refresh's status and the world, moves one phase
 * forward and says when to look again. Every step is idempotent, so a controller killed anywhere resumes the
 * same Refresh without a second Job (fixed name, created only when absent) or a second change set (a merge
 * with nothing new publishes nothing). See DESIGN.md in this package.
 */
public final class RefreshReconciler {
    private static final System.Logger LOG = System.getLogger(RefreshReconciler.class.getName());
    /** Condition type set when the spec was edited after the Refresh started. */
    static final String SPEC_CHANGED = "SpecChanged";

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
     * @param refresh   the Refresh (read fresh from the API server)
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
            if (phase != RefreshStatus.Phase.Pending
                    || !Objects.equals(st.getObservedGeneration(), refresh.getMetadata().getGeneration())) {
                st.setPhase(RefreshStatus.Phase.Pending);
                ready(refresh, st, "False", "Waiting", "waiting for " + turn.getMetadata().getName() + " to finish");
                update(refresh, st);
            }
            return Optional.empty();
        }
        try {
            if (phase != null && phase != RefreshStatus.Phase.Pending && holdCourse(refresh, st)) {
                update(refresh, st);
            }
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
            ready(refresh, st, "False", "Retrying", ex.getMessage());
            update(refresh, st);
            return Optional.of(cfg.timings().poll());
        }
    }

    /**
     * Keeps a started Refresh on the course it started with: what it runs was fixed in {@code status.run} when
     * it left Pending (a Refresh started without it takes it from its spec now), and a spec edited since (the
     * CRD refuses such edits; this guards clusters where the rule is not enforced) is reported as
     * {@code SpecChanged=True}, never adopted.
     *
     * @param refresh a Refresh past Pending
     * @param st      its status (changed in place)
     * @return true when the status changed and must be written
     */
    boolean holdCourse(Refresh refresh, RefreshStatus st) {
        Long generation = refresh.getMetadata().getGeneration();
        boolean changed = false;
        if (st.getRun() == null) {
            st.setRun(runSpec(refresh));
            changed = true;
        }
        Long running = st.getRun().generation();
        if (generation != null && running != null && !generation.equals(running)) {
            Condition old = find(st, SPEC_CHANGED);
            if (old == null || !generation.equals(old.getObservedGeneration())) {
                LOG.log(System.Logger.Level.WARNING, "{0}: spec changed to generation {1} while running generation "
                        + "{2}; ignored", refresh.getMetadata().getName(), generation, running);
                set(st, generation, SPEC_CHANGED, "True", "Ignored", "spec changed while running (generation "
                        + generation + ", running " + running + "); the change applies to no running step; "
                        + "create a new Refresh", clock.instant());
                changed = true;
            }
        }
        return changed;
    }

    /**
     * @param refresh a Refresh
     * @return what it asks for now: its generation, its sources in the scraper's order, force
     */
    static RefreshStatus.RunSpec runSpec(Refresh refresh) {
        return new RefreshStatus.RunSpec(refresh.getMetadata().getGeneration(), sources(refresh),
                refresh.getSpec() != null && refresh.getSpec().isForce());
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

    /**
     * The finished Refreshes beyond the newest {@code keep}, oldest first. Age is when they finished (an instant
     * to the nanosecond), not their creation time: Kubernetes keeps that to the second, so Refreshes created in
     * the same second would otherwise be ordered by name and the newest could be pruned first.
     *
     * @param all  every Refresh
     * @param keep finished Refreshes kept
     * @return those to delete
     */
    static List<Refresh> prunable(List<Refresh> all, int keep) {
        List<Refresh> finished = all.stream().filter(RefreshReconciler::finished)
                .sorted(Comparator.comparing((Refresh r) -> r.getStatus().getFinishedAt() == null ? Instant.MIN
                                : Instant.parse(r.getStatus().getFinishedAt()))
                        .thenComparing(r -> r.getMetadata().getCreationTimestamp(),
                                Comparator.nullsFirst(Comparator.naturalOrder()))
                        .thenComparing(r -> r.getMetadata().getName()))
                .toList();
        return finished.subList(0, Math.max(0, finished.size() - keep));
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
        st.setRun(runSpec(refresh));
        st.setJob(DesiredJob.name(refresh));
        ready(refresh, st, "False", "Scraping", "scraping " + st.getRun().sources().size() + " sources");
        update(refresh, st);
        ensureJob(refresh, st);
        return Optional.of(cfg.timings().poll());
    }

    private Optional<Duration> scraping(Refresh refresh, RefreshStatus st) {
        Optional<String> done = jobFinished(ensureJob(refresh, st));
        if (done.isEmpty()) {
            return Optional.of(cfg.timings().poll());
        }
        // Complete, or Failed for any reason (FailedIndexes: some sources' pods failed; DeadlineExceeded, …): each
        // source's own outcome is in PostgreSQL either way.
        List<RefreshStatus.SourceStatus> results = backend.results(Instant.parse(st.getStartedAt()),
                st.getRun().sources());
        st.setSources(results);
        long bad = results.stream().filter(r -> "Failed".equals(r.result())).count();
        if (bad == results.size()) {
            return fail(refresh, st, "ScrapeFailed", "every source failed"
                    + ("Complete".equals(done.get()) ? "" : " (Job " + done.get() + ")") + ": "
                    + results.getFirst().message());
        }
        st.setPhase(RefreshStatus.Phase.Merging);
        ready(refresh, st, "False", "Merging", (results.size() - bad) + " of " + results.size() + " sources fetched"
                + (bad > 0 ? "; " + bad + " failed, their last good snapshots are merged" : ""));
        update(refresh, st);
        return Optional.of(Duration.ZERO);
    }

    /**
     * @param job the scraper Job (null when absent)
     * @return empty while it runs; "Complete", or "Failed" with the Job's reason ("Failed: FailedIndexes") once
     *         it is finished
     */
    static Optional<String> jobFinished(Job job) {
        if (job == null || job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        for (JobCondition c : job.getStatus().getConditions()) {
            if ("True".equals(c.getStatus()) && "Complete".equals(c.getType())) {
                return Optional.of("Complete");
            }
            if ("True".equals(c.getStatus()) && "Failed".equals(c.getType())) {
                return Optional.of(c.getReason() == null ? "Failed" : "Failed: " + c.getReason());
            }
        }
        return Optional.empty();
    }

    private Optional<Duration> merging(Refresh refresh, RefreshStatus st) {
        boolean anyChanged = st.getSources().stream().anyMatch(s -> "Changed".equals(s.result()));
        MergeService.Outcome out = backend.merge(Boolean.TRUE.equals(st.getRun().force()));
        st.setChangeSet(new RefreshStatus.ChangeSetStatus(out.version(), out.upserts(), out.deletes(), out.mapSets(),
                out.mapDels(), out.published()));
        String result = out.skipped() ? RefreshStatus.MergeSummary.INPUTS_UNCHANGED
                : out.published() ? RefreshStatus.MergeSummary.PUBLISHED : RefreshStatus.MergeSummary.NOTHING_CHANGED;
        if (out.report() != null) {
            Map<String, RefreshStatus.TitleMatching> titles = new TreeMap<>();
            for (String site : Merger.TITLE_MATCHED) {
                titles.put(site, RefreshStatus.TitleMatching.of(site, out.report().matching()));
            }
            st.setMerge(new RefreshStatus.MergeSummary(result, out.report().anime(), out.report().conflicts().count(),
                    out.report().dropped().values().stream().mapToInt(t -> t.count()).sum(), titles));
        } else {
            st.setMerge(new RefreshStatus.MergeSummary(result, null, null, null, null));
        }
        st.setPhase(RefreshStatus.Phase.Ingesting);
        st.setIngestingSince(clock.instant().toString());
        // a skipped merge waits for the version that is published already, never for a new one
        ready(refresh, st, "False", "Ingesting", out.published() ? "published version " + out.version()
                : out.skipped() ? "merge skipped (" + result + "): inputs unchanged since the last merge; version "
                + out.version()
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
            boolean skipped = st.getMerge() != null
                    && RefreshStatus.MergeSummary.INPUTS_UNCHANGED.equals(st.getMerge().result());
            ready(refresh, st, "True", "Succeeded", "version " + want + " applied"
                    + (skipped ? " (merge skipped: inputs unchanged)" : ""));
            update(refresh, st);
            return Optional.empty();
        }
        if (st.getIngestingSince() == null) {
            // began Ingesting under a controller that did not record when: the wait counts from now
            st.setIngestingSince(clock.instant().toString());
            update(refresh, st);
        }
        if (ingestTimedOut(st, cfg.ingestTimeout(), clock.instant())) {
            return fail(refresh, st, "IngestTimeout", "the ingestor applied version " + applied + ", not " + want
                    + ", within " + cfg.ingestTimeout().toSeconds() + " s");
        }
        return Optional.of(cfg.timings().ingestPoll());
    }

    /**
     * @param st      status of an Ingesting Refresh
     * @param timeout {@code controller.ingest-timeout-seconds}
     * @param now     now
     * @return true when the ingestor has had the whole timeout since the Refresh began Ingesting
     */
    static boolean ingestTimedOut(RefreshStatus st, Duration timeout, Instant now) {
        return st.getIngestingSince() != null && now.isAfter(Instant.parse(st.getIngestingSince()).plus(timeout));
    }

    private Optional<Duration> fail(Refresh refresh, RefreshStatus st, String reason, String message) {
        st.setPhase(RefreshStatus.Phase.Failed);
        st.setFinishedAt(clock.instant().toString());
        ready(refresh, st, "False", reason, message);
        update(refresh, st);
        LOG.log(System.Logger.Level.WARNING, "{0} failed: {1}", refresh.getMetadata().getName(), message);
        return Optional.empty();
    }

    private Job ensureJob(Refresh refresh, RefreshStatus st) {
        String ns = refresh.getMetadata().getNamespace();
        // the name recorded at the start wins: a Refresh started by an older controller keeps its Job
        String name = st.getJob() != null ? st.getJob() : DesiredJob.name(refresh);
        Job existing = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
        if (existing != null) {
            return existing;
        }
        Job job = DesiredJob.of(refresh, st.getRun().sources(), Boolean.TRUE.equals(st.getRun().force()), cfg);
        job.getMetadata().setName(name);
        try {
            Job created = client.batch().v1().jobs().inNamespace(ns).resource(job).create();
            LOG.log(System.Logger.Level.INFO, "{0}: created Job {1} for {2} sources", refresh.getMetadata().getName(),
                    job.getMetadata().getName(), job.getSpec().getCompletions());
            return created;
        } catch (KubernetesClientException ex) {
            if (ex.getCode() == 409) {
                return client.batch().v1().jobs().inNamespace(ns).withName(name).get();
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
        for (String s : SourceNames.ALL) {
            if (named.isEmpty() || named.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private void ready(Refresh refresh, RefreshStatus st, String status, String reason, String message) {
        set(st, refresh.getMetadata().getGeneration(), "Ready", status, reason, message, clock.instant());
    }

    private static Condition find(RefreshStatus st, String type) {
        return st.getConditions() == null ? null
                : st.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    /**
     * Sets a condition in place (Ready stays first), keeping its lastTransitionTime while its status stays the
     * same; its observedGeneration is the generation it was decided on.
     */
    private static void set(RefreshStatus st, Long generation, String type, String status, String reason,
                            String message, Instant now) {
        List<Condition> conditions = new ArrayList<>(st.getConditions() == null ? List.of() : st.getConditions());
        Condition old = find(st, type);
        String since = old != null && Objects.equals(old.getStatus(), status) ? old.getLastTransitionTime()
                : now.toString();
        Condition c = new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message).withLastTransitionTime(since).withObservedGeneration(generation).build();
        if (old == null) {
            conditions.add(c);
        } else {
            conditions.set(conditions.indexOf(old), c);
        }
        st.setConditions(conditions);
    }

    private void update(Refresh refresh, RefreshStatus st) {
        st.setObservedGeneration(refresh.getMetadata().getGeneration());
        refresh.setStatus(st);
        Refresh updated = client.resources(Refresh.class).inNamespace(refresh.getMetadata().getNamespace())
                .resource(refresh).updateStatus();
        refresh.getMetadata().setResourceVersion(updated.getMetadata().getResourceVersion());
        LOG.log(System.Logger.Level.INFO, "{0}: {1}", refresh.getMetadata().getName(), st.getPhase());
    }
}
