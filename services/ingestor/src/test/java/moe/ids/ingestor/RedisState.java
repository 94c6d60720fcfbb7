package moe.ids.ingestor;

import moe.ids.store.Layout;
import moe.ids.store.Meta;
import moe.ids.store.Counts;
import moe.ids.testing.SyntheticData;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Test support: the logical content of the served generation (every mapping field, every entry), checking on
 * the way that every field sits in the bucket readers will look in.
 *
 * @param version  meta version
 * @param mappings mapping key → internal ID
 * @param entries  internal ID → JSON text
 * @param counts   meta counts
 */
public record RedisState(long version, TreeMap<String, Long> mappings, TreeMap<Long, String> entries,
                         Map<String, Long> counts) {

    /**
     * @param redis  client
     * @param layout layout
     * @return the served state
     */
    public static RedisState read(UnifiedJedis redis, Layout layout) {
        Meta m = Meta.fromHash(redis.hgetAll(layout.meta())).orElseThrow(() -> new AssertionError("no meta"));
        TreeMap<String, Long> mappings = new TreeMap<>();
        for (int b = 0; b < m.mappingBuckets(); b++) {
            int bucket = b;
            redis.hgetAll(layout.mappingBucketKey(m.generation(), b)).forEach((k, v) -> {
                if (Layout.mappingBucket(k, m.mappingBuckets()) != bucket) {
                    throw new AssertionError("mapping key " + k + " in bucket " + bucket);
                }
                mappings.put(k, Long.parseLong(v));
            });
        }
        TreeMap<Long, String> entries = new TreeMap<>();
        for (int b = 0; b < m.entryBuckets(); b++) {
            int bucket = b;
            redis.hgetAll(layout.entryBucketKey(m.generation(), b).getBytes(StandardCharsets.UTF_8)).forEach((k, v) -> {
                long id = Long.parseLong(new String(k, StandardCharsets.US_ASCII));
                if (Layout.entryBucket(id, m.entryBuckets()) != bucket) {
                    throw new AssertionError("entry " + id + " in bucket " + bucket);
                }
                entries.put(id, new String(v, StandardCharsets.UTF_8));
            });
        }
        return new RedisState(m.version(), mappings, entries, m.counts());
    }

    /**
     * @param version   version
     * @param published entries
     * @return the state Redis must hold for them
     */
    public static RedisState expected(long version, Map<Long, AnimeEntry> published) {
        TreeMap<Long, String> entries = new TreeMap<>();
        published.forEach((id, e) -> entries.put(id, new String(CanonicalJson.toBytes(e), StandardCharsets.UTF_8)));
        Counts counts = Counts.empty();
        published.values().forEach(e -> counts.add(e, 1));
        return new RedisState(version, SyntheticData.mappings(published), entries, counts.toMap());
    }

    /**
     * @param redis  client
     * @param prefix prefix
     * @return every key under the prefix
     */
    public static TreeSet<String> keys(UnifiedJedis redis, String prefix) {
        TreeSet<String> keys = new TreeSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams params = new ScanParams().match(prefix.replace("[", "\\[").replace("*", "\\*")
                .replace("?", "\\?") + "*").count(5000);
        do {
            ScanResult<String> r = redis.scan(cursor, params);
            keys.addAll(r.getResult());
            cursor = r.getCursor();
        } while (!"0".equals(cursor));
        return keys;
    }

    /**
     * Deletes every key under the prefix.
     *
     * @param redis  client
     * @param prefix prefix
     */
    public static void clear(UnifiedJedis redis, String prefix) {
        List<String> keys = new ArrayList<>(keys(redis, prefix));
        for (int i = 0; i < keys.size(); i += 1000) {
            redis.unlink(keys.subList(i, Math.min(keys.size(), i + 1000)).toArray(String[]::new));
        }
    }
}
