package moe.ids.store;

import moe.ids.core.config.RecordText;
import java.time.Duration;

/**
 * Knobs of the Redis writer (validated by {@link IngestorConfig}).
 *
 * @param mappingBucketFields tier-1 fields per bucket at a full load; 0 (the default) = the whole tier in one hash,
 *                            which the API reads with one HMGET per script call (DESIGN.md: 2.4x less Redis CPU per
 *                            lookup than 64-field listpack buckets, for ~13 MB more memory per 385k keys)
 * @param entryBucketFields   tier-2 fields per bucket at a full load; 0 (the default) = one hash
 * @param batchFields         fields per pipeline flush during a full load
 * @param maxTransactionOps   largest change set (upserts + deletes + map_set + map_del) applied as one
 *                            MULTI/EXEC; larger ones go through a staged full load with an atomic switch
 * @param buildLease          how long a generation being built survives its builder's silence
 */
public record Tuning(int mappingBucketFields, int entryBucketFields, int batchFields, int maxTransactionOps,
                     Duration buildLease) {
    /** Defaults, measured (see DESIGN.md). */
    public static final Tuning DEFAULT = new Tuning(0, 0, 20_000, 50_000, Duration.ofSeconds(30));

    /**
     * @param mapping tier-1 fields per bucket (0 = one hash)
     * @param entry   tier-2 fields per bucket (0 = one hash)
     * @return a copy with those bucket sizes
     */
    public Tuning withBucketFields(int mapping, int entry) {
        return new Tuning(mapping, entry, batchFields, maxTransactionOps, buildLease);
    }

    /** Written out: the generated method costs the start path tens of milliseconds ({@link RecordText}). */
    @Override
    public String toString() {
        return RecordText.of("Tuning", "mappingBucketFields", mappingBucketFields,
                "entryBucketFields", entryBucketFields, "batchFields", batchFields,
                "maxTransactionOps", maxTransactionOps, "buildLease", buildLease);
    }
}
