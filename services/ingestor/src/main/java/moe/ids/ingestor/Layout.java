package moe.ids.ingestor;

import moe.ids.core.redis.RedisKeys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Redis layout the ingestor writes and {@link RedisReader} reads (see {@code services/ingestor/DESIGN.md}).
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
     * Lua, read-only: {@code KEYS[1]} = meta, {@code ARGV[1]} = prefix, {@code ARGV[2..]} = mapping keys. Returns
     * {@code {version, id1, json1, id2, json2, …}} (nil pairs for misses), or an empty array when no generation
     * is served. One script resolves both tiers, so it is atomic with respect to a change set's MULTI/EXEC.
     */
    public static final String LOOKUP_SCRIPT = """
            local m = redis.call('HMGET', KEYS[1], 'version', 'gen', 'mbuckets', 'abuckets')
            if not m[1] or not m[2] then return {} end
            local p = ARGV[1] .. 'g' .. m[2] .. ':'
            local mb = tonumber(m[3])
            local ab = tonumber(m[4])
            local out = {m[1]}
            for i = 2, #ARGV do
              local k = ARGV[i]
              local h = 0
              for j = 1, #k do h = (h * 31 + string.byte(k, j)) % mb end
              local id = redis.call('HGET', p .. 'm:' .. h, k)
              if id then
                out[#out + 1] = id
                out[#out + 1] = redis.call('HGET', p .. 'a:' .. (tonumber(id) % ab), id)
              else
                out[#out + 1] = false
                out[#out + 1] = false
              end
            end
            return out
            """;

    /**
     * Lua, read-only: {@code KEYS[1]} = meta, {@code ARGV[1]} = prefix, {@code ARGV[2..]} = internal IDs.
     * Returns {@code {version, json1, json2, …}}, or an empty array when no generation is served.
     */
    public static final String ENTRIES_SCRIPT = """
            local m = redis.call('HMGET', KEYS[1], 'version', 'gen', 'abuckets')
            if not m[1] or not m[2] then return {} end
            local p = ARGV[1] .. 'g' .. m[2] .. ':a:'
            local ab = tonumber(m[3])
            local out = {m[1]}
            for i = 2, #ARGV do
              out[#out + 1] = redis.call('HGET', p .. (tonumber(ARGV[i]) % ab), ARGV[i])
            end
            return out
            """;

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
     * @param script a Lua script's bytes
     * @return its SHA-1 in lower-case hex, as {@code EVALSHA} takes it
     */
    public static byte[] scriptSha(byte[] script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script))
                    .getBytes(StandardCharsets.US_ASCII);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * The tier-1 bucket of a mapping key: {@code h = (h * 31 + byte) mod buckets} over its UTF-8 bytes — the same
     * arithmetic as {@link #LOOKUP_SCRIPT}, exact in Lua's doubles for any bucket count below 2^40.
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
