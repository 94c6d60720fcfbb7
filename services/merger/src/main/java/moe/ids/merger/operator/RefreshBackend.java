package moe.ids.merger.operator;

import moe.ids.merger.MergeService;

import java.time.Instant;
import java.util.List;

/**
 * What the controller needs from the pipeline besides Kubernetes: the scrape results a Job left in
 * PostgreSQL, the merge, and the ingestor's applied version. {@link PostgresBackend} is the real one.
 */
public interface RefreshBackend {
    /**
     * @param since   the refresh's start
     * @param sources the sources it asked for
     * @return per source, its latest attempt since {@code since} (Failed with a reason when there is none)
     */
    List<RefreshStatus.SourceStatus> results(Instant since, List<String> sources);

    /**
     * Merges and publishes (idempotent: nothing changed → nothing published).
     *
     * @param force bypass the mass-deletion guard
     * @return the outcome
     */
    MergeService.Outcome merge(boolean force);

    /**
     * @return the version the ingestor reports applied
     */
    long appliedVersion();
}
