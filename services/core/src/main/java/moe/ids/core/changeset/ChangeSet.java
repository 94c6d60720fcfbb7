package moe.ids.core.changeset;

import moe.ids.core.entry.AnimeEntry;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the merger hands the ingestor: applied on top of {@code base}, it yields the published
 * state of {@code version}. Mapping deletions are explicit, so no stale key survives.
 *
 * @param version   this change set's version (strictly increasing)
 * @param base      the version it applies on (0 for the first)
 * @param createdAt when the merger made it
 * @param upsert    entries that are new or changed, by internal ID
 * @param delete    internal IDs of vanished anime
 * @param mapSet    mapping keys ({@code platform/id}) that are new or point at another anime now
 * @param mapDel    mapping keys that no longer point anywhere
 */
public record ChangeSet(long version, long base, Instant createdAt, List<Upsert> upsert, List<Long> delete,
                        Map<String, Long> mapSet, List<String> mapDel) {

    /** Copies the collections and checks the versions. */
    public ChangeSet {
        if (version <= base) {
            throw new IllegalArgumentException("version " + version + " must be greater than base " + base);
        }
        upsert = List.copyOf(upsert);
        delete = List.copyOf(delete);
        mapSet = Collections.unmodifiableMap(new LinkedHashMap<>(mapSet));
        mapDel = List.copyOf(mapDel);
    }

    /**
     * @return true when applying it changes nothing
     */
    public boolean isEmpty() {
        return upsert.isEmpty() && delete.isEmpty() && mapSet.isEmpty() && mapDel.isEmpty();
    }

    /**
     * One new or changed entry.
     *
     * @param id    internal ID
     * @param entry the entry as it is to be served
     */
    public record Upsert(long id, AnimeEntry entry) {
    }
}
