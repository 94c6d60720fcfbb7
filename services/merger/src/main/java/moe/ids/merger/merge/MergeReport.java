package moe.ids.merger.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a merge did: anime and IDs per platform, matches per source and method, conflicts and dropped values.
 * Stored as JSON in {@code merge_report} and logged.
 *
 * @param anime     anime in the merged set
 * @param counts    non-null values per entry key, plus {@code total}
 * @param matching  per source: matched by method ({@code direct}, {@code exact}, {@code fuzzy}, {@code manual})
 *                  and {@code unmatched}; manual mappings also {@code stale} (target no longer on the site, not
 *                  applied) and {@code unverified} (no list of the site to check against, applied)
 * @param conflicts one-to-one IDs claimed by more than one anime (how many, and the first examples)
 * @param dropped   values not published, by reason (how many, and the first examples)
 */
public record MergeReport(int anime, Map<String, Integer> counts, Map<String, Map<String, Integer>> matching,
                          Tally conflicts, Map<String, Tally> dropped) {

    /**
     * A count with the first few examples.
     *
     * @param count    how many
     * @param examples up to {@link #MAX_EXAMPLES} examples
     */
    public record Tally(int count, List<String> examples) {
        /** Examples kept per tally. */
        public static final int MAX_EXAMPLES = 20;

        /**
         * @param example one more case
         * @return the tally with it counted
         */
        public Tally plus(String example) {
            List<String> ex = examples;
            if (ex.size() < MAX_EXAMPLES) {
                ex = new ArrayList<>(examples);
                ex.add(example);
                ex = List.copyOf(ex);
            }
            return new Tally(count + 1, ex);
        }

        /** The empty tally. */
        public static final Tally NONE = new Tally(0, List.of());
    }

    /** Collects a report while merging. */
    static final class Builder {
        final Map<String, Map<String, Integer>> matching = new TreeMap<>();
        Tally conflicts = Tally.NONE;
        final Map<String, Tally> dropped = new TreeMap<>();

        void matched(String source, String method, int n) {
            matching.computeIfAbsent(source, k -> new TreeMap<>()).merge(method, n, Integer::sum);
        }

        void conflict(String example) {
            conflicts = conflicts.plus(example);
        }

        void drop(String reason, String example) {
            dropped.merge(reason, Tally.NONE.plus(example), (a, b) -> a.plus(example));
        }
    }
}
