package moe.ids.testing;

import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Test support: the diff the merger will make, from two snapshots to a change set. */
public final class ChangeSets {
    private ChangeSets() {
    }

    /**
     * @param version new version
     * @param base    version of {@code from}
     * @param from    old entries (empty for the first)
     * @param to      new entries
     * @return the change set turning the published state of {@code from} into that of {@code to}
     */
    public static ChangeSet diff(long version, long base, Map<Long, AnimeEntry> from, Map<Long, AnimeEntry> to) {
        List<ChangeSet.Upsert> upsert = new ArrayList<>();
        to.forEach((id, e) -> {
            AnimeEntry old = from.get(id);
            if (old == null || !Arrays.equals(CanonicalJson.toBytes(old), CanonicalJson.toBytes(e))) {
                upsert.add(new ChangeSet.Upsert(id, e));
            }
        });
        List<Long> delete = from.keySet().stream().filter(id -> !to.containsKey(id)).toList();
        Map<String, Long> fromMap = SyntheticData.mappings(from);
        Map<String, Long> toMap = SyntheticData.mappings(to);
        Map<String, Long> mapSet = new LinkedHashMap<>();
        toMap.forEach((k, id) -> {
            if (!Objects.equals(fromMap.get(k), id)) {
                mapSet.put(k, id);
            }
        });
        List<String> mapDel = fromMap.keySet().stream().filter(k -> !toMap.containsKey(k)).toList();
        return new ChangeSet(version, base, Instant.now(), upsert, delete, mapSet, mapDel);
    }
}
