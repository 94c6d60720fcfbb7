package moe.ids.replay;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The rows in effect for one snapshot (and, for {@code faults}, one set of enabled faults), indexed for lookup.
 *
 * @param snapshot      snapshot name
 * @param enabledFaults faults overlaid on {@code b} (empty unless the snapshot is {@code faults})
 * @param exact         rows by {@link IndexRow#key()}, each group sorted by {@link IndexRow#seq()}
 * @param patterns      {@code {id}} pattern rows
 */
record RouteTable(String snapshot, Set<String> enabledFaults, Map<String, List<IndexRow>> exact,
                  List<IndexRow> patterns) {

    /** Name of the overlay snapshot. */
    static final String FAULTS = "faults";

    private static final String ID = "{id}";
    private static final Pattern POSITIVE_ID = Pattern.compile("[1-9][0-9]{0,17}");

    /** A pattern row matched for one id. */
    record PatternMatch(IndexRow row, long id) {
    }

    /**
     * Builds the table for a snapshot.
     *
     * @param indexes  rows of a snapshot folder by name ({@code a}, {@code b}, {@code faults})
     * @param snapshot {@code a}, {@code b} or {@code faults}
     * @param faults   for {@code faults}: the faults to enable, or {@code null} for all of them
     * @return the table
     * @throws IllegalArgumentException for an unknown fault name
     */
    static RouteTable build(Function<String, List<IndexRow>> indexes, String snapshot, Set<String> faults) {
        boolean overlay = FAULTS.equals(snapshot);
        List<IndexRow> rows = new ArrayList<>(indexes.apply(overlay ? "b" : snapshot));
        Set<String> enabled = Set.of();
        if (overlay) {
            List<IndexRow> faultRows = indexes.apply(FAULTS);
            Set<String> known = new TreeSet<>();
            faultRows.forEach(r -> r.fault().ifPresent(known::add));
            Set<String> wanted = faults == null ? known : faults;
            if (!known.containsAll(wanted)) {
                Set<String> unknown = new TreeSet<>(wanted);
                unknown.removeAll(known);
                throw new IllegalArgumentException("unknown faults " + unknown + ", known: " + known);
            }
            List<IndexRow> active = faultRows.stream()
                    .filter(r -> r.fault().map(wanted::contains).orElse(true))
                    .toList();
            Set<String> overridden = new LinkedHashSet<>();
            active.forEach(r -> overridden.add(r.key()));
            rows.removeIf(r -> overridden.contains(r.key()));
            rows.addAll(active);
            enabled = Set.copyOf(new TreeSet<>(wanted));
        }
        Map<String, List<IndexRow>> exact = new LinkedHashMap<>();
        List<IndexRow> patterns = new ArrayList<>();
        for (IndexRow row : rows) {
            if (row.isPattern()) {
                patterns.add(row);
            } else {
                exact.computeIfAbsent(row.key(), k -> new ArrayList<>()).add(row);
            }
        }
        exact.replaceAll((k, group) -> group.stream().sorted(Comparator.comparingInt(IndexRow::seq)).toList());
        return new RouteTable(snapshot, enabled, Map.copyOf(exact), List.copyOf(patterns));
    }

    /**
     * The row answering the n-th request for a key: the row with the highest {@code X-Fixture-Seq} not above n
     * (so the last one repeats), or the single unsequenced row.
     *
     * @param key request key
     * @param n   1-based request number for this key
     * @return the row, empty when the key is not recorded
     */
    Optional<IndexRow> exact(String key, int n) {
        List<IndexRow> group = exact.get(key);
        if (group == null) {
            return Optional.empty();
        }
        IndexRow chosen = group.getFirst();
        for (IndexRow row : group) {
            if (row.seq() <= n) {
                chosen = row;
            }
        }
        return Optional.of(chosen);
    }

    /**
     * Matches a request against the pattern rows: the {@code {id}} part must be a positive decimal integer with
     * nothing after it other than the pattern's own suffix.
     *
     * @param method HTTP method of the row to match
     * @param url    requested URL
     * @return the row and id, if one matches
     */
    Optional<PatternMatch> pattern(String method, String url) {
        for (IndexRow row : patterns) {
            int at = row.url().indexOf(ID);
            if (!row.method().equals(method) || at < 0) {
                continue;
            }
            String prefix = row.url().substring(0, at);
            String suffix = row.url().substring(at + ID.length());
            if (url.length() > prefix.length() + suffix.length() && url.startsWith(prefix) && url.endsWith(suffix)) {
                String id = url.substring(prefix.length(), url.length() - suffix.length());
                if (POSITIVE_ID.matcher(id).matches()) {
                    return Optional.of(new PatternMatch(row, Long.parseLong(id)));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Number of rows in effect.
     *
     * @return exact plus pattern rows
     */
    int rowCount() {
        return exact.values().stream().mapToInt(List::size).sum() + patterns.size();
    }
}
