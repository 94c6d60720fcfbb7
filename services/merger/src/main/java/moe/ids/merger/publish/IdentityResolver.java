package moe.ids.merger.publish;

import moe.ids.core.entry.AnimeEntry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stable internal IDs. Each anime votes for the internal IDs its strong platform IDs were last seen with;
 * the pairs with the most votes are taken first (ties: lower internal ID, then earlier anime), one anime per
 * internal ID. So an anime keeps its ID while any of its strong IDs (or its exact title) survives; the rest get
 * new IDs from a sequence, and IDs are never reused.
 */
public final class IdentityResolver {
    /** Platforms whose IDs identify an anime. */
    public static final List<String> STRONG = List.of("anidb", "myanimelist", "anilist", "kitsu", "animeplanet",
            "anisearch", "livechart", "notify", "simkl", "animenewsnetwork");

    private IdentityResolver() {
    }

    /**
     * @param entry an entry
     * @return its identity keys: {@code platform/id} for each strong platform it has, and {@code title/{title}}
     *         (titles are unique in a merged set; this keeps the ID of an anime that has no strong ID at all)
     */
    public static List<String> identityKeys(AnimeEntry entry) {
        List<String> keys = new ArrayList<>(STRONG.size() + 1);
        for (String p : STRONG) {
            Object v = entry.get(p);
            if (v != null) {
                keys.add(p + "/" + v);
            }
        }
        keys.add("title/" + entry.title());
        return keys;
    }

    /**
     * @param entries  the merged entries
     * @param identity known identity keys → internal ID
     * @return per entry (same order) its internal ID, or -1 where a new one is needed
     */
    public static long[] assign(List<AnimeEntry> entries, Map<String, Long> identity) {
        List<long[]> votes = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Map<Long, Integer> count = new HashMap<>();
            for (String key : identityKeys(entries.get(i))) {
                Long id = identity.get(key);
                if (id != null) {
                    count.merge(id, 1, Integer::sum);
                }
            }
            for (Map.Entry<Long, Integer> e : count.entrySet()) {
                votes.add(new long[] {i, e.getKey(), e.getValue()});
            }
        }
        votes.sort(Comparator.<long[]>comparingLong(v -> -v[2]).thenComparingLong(v -> v[1])
                .thenComparingLong(v -> v[0]));
        long[] ids = new long[entries.size()];
        java.util.Arrays.fill(ids, -1);
        Set<Long> used = new HashSet<>();
        for (long[] v : votes) {
            int i = (int) v[0];
            if (ids[i] < 0 && used.add(v[1])) {
                ids[i] = v[1];
            }
        }
        return ids;
    }
}
