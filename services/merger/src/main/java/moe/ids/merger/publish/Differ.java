package moe.ids.merger.publish;

import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.MappingKeys;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes the published mapping of a merged set and its difference to what is published: upserts of new or
 * changed entries, deletes of vanished ones, {@code map_set} for keys that are new or point elsewhere now,
 * {@code map_del} for every key that no longer exists. Pure.
 */
public final class Differ {
    private Differ() {
    }

    /**
     * Mapping keys → internal ID. Keys of shared platforms resolve deterministically: {@code trakt/shows/{id}}
     * to season 1, else the lowest season; everything else to the lowest internal ID.
     *
     * @param ids     internal IDs, parallel to entries
     * @param entries entries
     * @return the mapping (in no order: the change set's {@code map_set} is sorted by {@link #diff})
     */
    public static Map<String, Long> mapping(long[] ids, List<AnimeEntry> entries) {
        Map<String, Integer> owner = new HashMap<>();
        Comparator<Integer> better = Comparator.<Integer>comparingInt(i -> seasonRank(entries.get(i)))
                .thenComparingLong(i -> ids[i]);
        for (int i = 0; i < entries.size(); i++) {
            for (String key : MappingKeys.of(entries.get(i))) {
                int candidate = i;
                owner.merge(key, candidate, (a, b) -> {
                    boolean showKey = key.startsWith("trakt/shows/") && !key.contains("/seasons/");
                    Comparator<Integer> c = showKey ? better : Comparator.comparingLong(x -> ids[x]);
                    return c.compare(a, b) <= 0 ? a : b;
                });
            }
        }
        Map<String, Long> mapping = HashMap.newHashMap(owner.size());
        owner.forEach((k, i) -> mapping.put(k, ids[i]));
        return mapping;
    }

    private static int seasonRank(AnimeEntry e) {
        Integer s = e.traktSeason();
        return s == null ? Integer.MAX_VALUE : s == 1 ? 0 : s;
    }

    /**
     * @param version   version of the change set
     * @param base      published version it applies on
     * @param now       creation time
     * @param published internal ID → content hash of what is published
     * @param publishedMapping published mapping
     * @param ids       new internal IDs, parallel to entries
     * @param entries   new entries
     * @param hashes    content hashes of the new entries, parallel to entries
     * @param mapping   new mapping (from {@link #mapping})
     * @return the change set (possibly empty)
     */
    public static ChangeSet diff(long version, long base, Instant now, Map<Long, String> published,
                                 Map<String, Long> publishedMapping, long[] ids, List<AnimeEntry> entries,
                                 String[] hashes, Map<String, Long> mapping) {
        List<ChangeSet.Upsert> upserts = new ArrayList<>();
        Map<Long, Boolean> present = new HashMap<>(entries.size() * 2);
        for (int i = 0; i < entries.size(); i++) {
            present.put(ids[i], Boolean.TRUE);
            if (!hashes[i].equals(published.get(ids[i]))) {
                upserts.add(new ChangeSet.Upsert(ids[i], entries.get(i)));
            }
        }
        upserts.sort(Comparator.comparingLong(ChangeSet.Upsert::id));
        List<Long> deletes = published.keySet().stream().filter(id -> !present.containsKey(id)).sorted().toList();
        // Sorted by key as one array on every core: a first publish sets every one of ~270k keys, and a sorted map
        // built key by key cost a core about a second.
        String[] changed = mapping.entrySet().stream()
                .filter(e -> !e.getValue().equals(publishedMapping.get(e.getKey())))
                .map(Map.Entry::getKey).toArray(String[]::new);
        Arrays.parallelSort(changed);
        Map<String, Long> mapSet = LinkedHashMap.newLinkedHashMap(changed.length);
        for (String k : changed) {
            mapSet.put(k, mapping.get(k));
        }
        List<String> mapDel = publishedMapping.keySet().stream().filter(k -> !mapping.containsKey(k)).sorted().toList();
        return new ChangeSet(version, base, now, upserts, deletes, mapSet, mapDel);
    }
}
