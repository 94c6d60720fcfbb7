package moe.ids.merger.operator;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Where a Refresh is; written only by the controller. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RefreshStatus {
    private Phase phase;
    private List<Condition> conditions = new ArrayList<>();
    private List<SourceStatus> sources = new ArrayList<>();
    private ChangeSetStatus changeSet;
    private MergeSummary merge;
    private String job;
    private RunSpec run;
    private String startedAt;
    private String ingestingSince;
    private String finishedAt;
    private Long observedGeneration;

    /** Phases of a Refresh, in order. */
    public enum Phase {
        /** Waiting for its turn (one Refresh runs at a time, oldest first). */
        Pending,
        /** The scraper Job runs. */
        Scraping,
        /** Merging and publishing the change set. */
        Merging,
        /** Waiting for the ingestor to apply the version. */
        Ingesting,
        /** Done: the version is applied (or nothing changed). */
        Succeeded,
        /** Done: see the Ready condition for the reason. */
        Failed
    }

    /**
     * What a started Refresh runs, fixed when it leaves Pending: a later edit of the spec changes none of it.
     *
     * @param generation the spec's generation it was taken from
     * @param sources    the sources, in the scraper's order (all of them when the spec names none)
     * @param force      forced
     */
    public record RunSpec(Long generation, List<String> sources, Boolean force) {
    }

    /**
     * One source's outcome in this refresh.
     *
     * @param name       source name
     * @param result     Changed, Unchanged, Failed or Skipped
     * @param records    records of its current snapshot
     * @param durationMs fetch time
     * @param message    reason or note
     */
    public record SourceStatus(String name, String result, Integer records, Long durationMs, String message) {
    }

    /**
     * The change set this refresh published (or the version that was current when nothing changed).
     *
     * @param version   version
     * @param upserts   entries upserted
     * @param deletes   entries deleted
     * @param mapSets   mapping keys set
     * @param mapDels   mapping keys deleted
     * @param published false when nothing changed
     */
    public record ChangeSetStatus(Long version, Integer upserts, Integer deletes, Integer mapSets, Integer mapDels,
                                  Boolean published) {
    }

    /**
     * A summary of the merge: what came of it and, when it ran, of its report.
     *
     * @param result    {@value #PUBLISHED} (a change set was published), {@value #NOTHING_CHANGED} (merged, nothing
     *                  to publish) or {@value #INPUTS_UNCHANGED} (skipped: every source's last good snapshot, the
     *                  settings and the merge code were those of the last completed merge; the rest is then absent)
     * @param anime     anime in the set
     * @param conflicts one-to-one conflicts resolved
     * @param dropped   values dropped as malformed
     * @param titles    title matching per site (silveryasha, otakotaku, kaize, nautiljon)
     */
    public record MergeSummary(String result, Integer anime, Integer conflicts, Integer dropped,
                               Map<String, TitleMatching> titles) {
        /** {@code result}: a change set was published. */
        public static final String PUBLISHED = "Published";
        /** {@code result}: the merge ran and found nothing to publish. */
        public static final String NOTHING_CHANGED = "NothingChanged";
        /** {@code result}: the merge was skipped, its inputs unchanged since the last completed merge. */
        public static final String INPUTS_UNCHANGED = "InputsUnchanged";
    }

    /**
     * How one site's items were matched by title.
     *
     * @param exact       matched by equal titles (as written, folded or normalized)
     * @param fuzzy       matched by the same name with compatible facts, or by similar names
     * @param ambiguous   left unmatched: their best match tied with another
     * @param vetoed      left unmatched: a related title's type, sequel number or year contradicted theirs
     * @param staleManual manual mappings pointing at items no longer on the site
     */
    public record TitleMatching(Integer exact, Integer fuzzy, Integer ambiguous, Integer vetoed, Integer staleManual) {
        /**
         * @param site     the site
         * @param matching the merge report's {@code matching}
         * @return the site's figures
         */
        public static TitleMatching of(String site, Map<String, Map<String, Integer>> matching) {
            Map<String, Integer> m = matching.getOrDefault(site, Map.of());
            int vetoed = m.getOrDefault("vetoed_type", 0) + m.getOrDefault("vetoed_season", 0)
                    + m.getOrDefault("vetoed_year", 0);
            return new TitleMatching(m.getOrDefault("exact", 0), m.getOrDefault("fuzzy", 0),
                    m.getOrDefault("ambiguous", 0), vetoed,
                    matching.getOrDefault(site + "-manual", Map.of()).getOrDefault("stale", 0));
        }
    }

    /** @return phase */
    public Phase getPhase() {
        return phase;
    }

    /** @param phase phase */
    public void setPhase(Phase phase) {
        this.phase = phase;
    }

    /** @return conditions (Ready; SpecChanged when the spec was edited after the start) */
    public List<Condition> getConditions() {
        return conditions;
    }

    /** @param conditions conditions */
    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    /** @return per-source results */
    public List<SourceStatus> getSources() {
        return sources;
    }

    /** @param sources per-source results */
    public void setSources(List<SourceStatus> sources) {
        this.sources = sources;
    }

    /** @return change set */
    public ChangeSetStatus getChangeSet() {
        return changeSet;
    }

    /** @param changeSet change set */
    public void setChangeSet(ChangeSetStatus changeSet) {
        this.changeSet = changeSet;
    }

    /** @return merge summary */
    public MergeSummary getMerge() {
        return merge;
    }

    /** @param merge merge summary */
    public void setMerge(MergeSummary merge) {
        this.merge = merge;
    }

    /** @return the scraper Job's name */
    public String getJob() {
        return job;
    }

    /** @param job the scraper Job's name */
    public void setJob(String job) {
        this.job = job;
    }

    /** @return what this run does, fixed at its start (null before) */
    public RunSpec getRun() {
        return run;
    }

    /** @param run what this run does */
    public void setRun(RunSpec run) {
        this.run = run;
    }

    /** @return RFC 3339 start time */
    public String getStartedAt() {
        return startedAt;
    }

    /** @param startedAt RFC 3339 start time */
    public void setStartedAt(String startedAt) {
        this.startedAt = startedAt;
    }

    /** @return RFC 3339 time the Refresh began waiting for the ingestor */
    public String getIngestingSince() {
        return ingestingSince;
    }

    /** @param ingestingSince RFC 3339 time the Refresh began waiting for the ingestor */
    public void setIngestingSince(String ingestingSince) {
        this.ingestingSince = ingestingSince;
    }

    /** @return RFC 3339 end time */
    public String getFinishedAt() {
        return finishedAt;
    }

    /** @param finishedAt RFC 3339 end time */
    public void setFinishedAt(String finishedAt) {
        this.finishedAt = finishedAt;
    }

    /** @return the latest spec generation the controller has seen */
    public Long getObservedGeneration() {
        return observedGeneration;
    }

    /** @param observedGeneration the latest spec generation the controller has seen */
    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }
}
