package moe.ids.store;

import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.core.platform.Platform;
import moe.ids.core.platform.Platforms;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entries per platform (entries with a non-null ID there) and {@code total}, as {@code /status} shows them
 * when the merge report brings none. Kept exact across incremental applies by adding the upserted entries and
 * subtracting the entries they replace or delete.
 */
public final class Counts {
    private static final List<String> PLATFORMS = Platforms.lookupPlatforms().stream().map(Platform::name)
            .filter(AnimeEntry.KEYS::contains).toList();

    private final Map<String, Long> counts;

    private Counts(Map<String, Long> start) {
        counts = new LinkedHashMap<>();
        for (String p : PLATFORMS) {
            counts.put(p, start.getOrDefault(p, 0L));
        }
        counts.put("total", start.getOrDefault("total", 0L));
    }

    /**
     * @return zero counts for every platform
     */
    public static Counts empty() {
        return new Counts(Map.of());
    }

    /**
     * @param start counts to continue from (missing platforms count 0)
     * @return counts starting there
     */
    public static Counts from(Map<String, Long> start) {
        return new Counts(start);
    }

    /**
     * @param json canonical JSON of an entry that joins the set
     */
    void add(byte[] json) {
        add(CanonicalJson.parse(json), 1);
    }

    /**
     * @param e     an entry
     * @param delta +1 when it joins, -1 when it leaves
     */
    public void add(AnimeEntry e, int delta) {
        for (String p : PLATFORMS) {
            if (e.get(p) != null) {
                counts.merge(p, (long) delta, Long::sum);
            }
        }
        counts.merge("total", (long) delta, Long::sum);
    }

    /**
     * @return platform → n, then total
     */
    public Map<String, Long> toMap() {
        return new LinkedHashMap<>(counts);
    }
}
