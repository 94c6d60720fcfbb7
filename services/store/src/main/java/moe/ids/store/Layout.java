package moe.ids.store;

import moe.ids.store.RedisKeys;

import java.nio.charset.StandardCharsets;

/**
 * The Redis layout {@link RedisStore} writes and {@link RedisReader} and {@link ScriptPipe} read.
 * Every key starts with the prefix {@code P} (default {@code ids:}):
 * <ul>
 *   <li>{@code P meta} — hash: pointer to the served generation ({@code gen}, {@code mbuckets}, {@code abuckets})
 *       plus {@code version}, {@code applied_at}, counts and sources; see {@link Meta}.</li>
 *   <li>{@code P g{gen}:m:{b}} — tier 1, hash bucket: field {@code platform/id} → internal ID (decimal);
 *       {@code b = } {@link #mappingBucket}.</li>
 *   <li>{@code P g{gen}:a:{b}} — tier 2, hash bucket: field internal ID (decimal) → canonical entry JSON;
 *       {@code b = id mod abuckets}.</li>
 *   <li>{@code P gens} — hash gen → {@code "mbuckets,abuckets"}: every generation that may hold keys (for GC).</li>
 *   <li>{@code P gen:seq} — counter for new generation numbers; {@code P build:{gen}} — lease of a generation
 *       being built (expires when its builder dies).</li>
 * </ul>
 *
 * @param keys the prefix
 */
public record Layout(RedisKeys keys) {
    /** Field names of the meta hash. */
    public static final String F_VERSION = "version";
    /** Served generation. */
    public static final String F_GEN = "gen";
    /** Tier-1 bucket count of the served generation. */
    public static final String F_MBUCKETS = "mbuckets";
    /** Tier-2 bucket count of the served generation. */
    public static final String F_ABUCKETS = "abuckets";



    /**
     * Whether a lookup script's answer for one key means lost data (answer 503, never "unknown"): the script put an
     * empty string — which no id or entry is — in place of the id (the key's tier-1 bucket is missing from a
     * non-empty dataset) or of the entry (the found id's tier-2 bucket is missing).
     *
     * @param id   the id as answered (null when the key is unknown)
     * @param json the entry as answered (null when none)
     * @return true when a bucket this key needs is missing from Redis
     */
    public static boolean lost(byte[] id, byte[] json) {
        return lost(id) || lost(json);
    }

    /**
     * @param value an id or entry as a script answered it (null when unknown)
     * @return true when it is the empty string the scripts answer where its bucket is missing
     */
    public static boolean lost(byte[] value) {
        return value != null && value.length == 0;
    }

    /**
     * @return the prefix
     */
    public String prefix() {
        return keys.prefix();
    }

    /**
     * @return the meta hash
     */
    public String meta() {
        return keys.meta();
    }

    /**
     * @param gen    generation
     * @param bucket bucket number
     * @return the tier-1 bucket key
     */
    public String mappingBucketKey(long gen, int bucket) {
        return keys.prefix() + "g" + gen + ":m:" + bucket;
    }

    /**
     * @param gen    generation
     * @param bucket bucket number
     * @return the tier-2 bucket key
     */
    public String entryBucketKey(long gen, int bucket) {
        return keys.prefix() + "g" + gen + ":a:" + bucket;
    }

    /**
     * @return the hash of known generations
     */
    public String generations() {
        return keys.prefix() + "gens";
    }

    /**
     * @return the generation counter
     */
    public String generationSequence() {
        return keys.prefix() + "gen:seq";
    }

    /**
     * @param gen generation
     * @return the build lease of that generation
     */
    public String buildLease(long gen) {
        return keys.prefix() + "build:" + gen;
    }


    /**
     * The tier-1 bucket of a mapping key: {@code h = (h * 31 + byte) mod buckets} over its UTF-8 bytes — the same
     * arithmetic as the lookup script ({@link Scripts#LOOKUP}), exact in Lua's doubles for any bucket count below 2^40.
     *
     * @param mappingKey e.g. {@code myanimelist/1}
     * @param buckets    bucket count
     * @return bucket number in {@code [0, buckets)}
     */
    public static int mappingBucket(String mappingKey, int buckets) {
        long h = 0;
        for (byte b : mappingKey.getBytes(StandardCharsets.UTF_8)) {
            h = (h * 31 + (b & 0xff)) % buckets;
        }
        return (int) h;
    }

    /**
     * @param id      internal ID
     * @param buckets bucket count
     * @return the tier-2 bucket
     */
    public static int entryBucket(long id, int buckets) {
        return (int) Math.floorMod(id, (long) buckets);
    }

    /**
     * @param count  how many fields
     * @param target fields wanted per bucket; 0 = one bucket for the whole tier
     * @return a bucket count keeping buckets near {@code target} fields (at least 1)
     */
    public static int bucketsFor(long count, int target) {
        if (target <= 0) {
            return 1;
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (count + target - 1) / target));
    }
}
