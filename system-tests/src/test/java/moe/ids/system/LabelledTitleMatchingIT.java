package moe.ids.system;

import moe.ids.core.entry.AnimeEntry;
import moe.ids.merger.merge.MergeInputs;
import moe.ids.merger.merge.MergeSettings;
import moe.ids.merger.merge.Merger;
import moe.ids.replay.ReplayServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The merge of the recorded snapshot b judged against the hand-labelled set in
 * {@code title-matching/labelled.csv}: precision and recall are logged per pattern and overall, and the test fails
 * below the figures the matcher reaches, or on any wrong case of the patterns that must have none.
 */
class LabelledTitleMatchingIT {
    private static final System.Logger LOG = System.getLogger(LabelledTitleMatchingIT.class.getName());
    /** Precision and recall the matcher reaches on the set; a change that lowers them fails here. */
    private static final double MIN_PRECISION = 1.0;
    private static final double MIN_RECALL = 0.987;
    /** The crossing patterns: no item may be linked where its row forbids it. */
    private static final Set<String> CROSSING = Set.of("P1", "P2", "P3", "P4", "P6");


    private static List<Row> rows;
    private static Map<String, AnimeEntry> linked;

    @BeforeAll
    static void merge() throws IOException {
        Path upstream = ReplayServer.locateUpstream().orElse(null);
        Assumptions.assumeTrue(upstream != null, "recorded upstream not found; the labelled set needs it");
        rows = read();
        MergeInputs in = RecordedInputs.read(upstream.resolve("b"));
        Merger.Result result = new Merger(MergeSettings.DEFAULTS).merge(in);
        linked = new HashMap<>();
        for (AnimeEntry e : result.entries()) {
            for (String site : List.of("kaize", "nautiljon", "otakotaku")) {
                Object id = e.get(site);
                if (id != null) {
                    linked.put(site + "/" + id, e);
                }
            }
        }
    }

    @Test
    void precisionAndRecallStayAtWhatTheMatcherReaches() {
        Tally all = new Tally();
        Map<String, Tally> byPattern = new TreeMap<>();
        for (Row r : rows) {
            Outcome o = r.judge(linked.get(r.site() + "/" + r.item()));
            if (o == Outcome.FALSE_POSITIVE || o == Outcome.FALSE_NEGATIVE) {
                LOG.log(System.Logger.Level.INFO, "labelled set, wrong: {0}", describe(r));
            }
            all.add(o);
            byPattern.computeIfAbsent(r.pattern(), k -> new Tally()).add(o);
        }
        byPattern.forEach((p, t) -> LOG.log(System.Logger.Level.INFO, "labelled set {0}: {1}", p, t));
        LOG.log(System.Logger.Level.INFO, "labelled set, {0} rows: {1}", rows.size(), all);
        assertTrue(all.precision() >= MIN_PRECISION, "precision " + all);
        assertTrue(all.recall() >= MIN_RECALL, "recall " + all);
    }

    @Test
    void noForbiddenLinkInTheCrossingPatterns() {
        List<String> wrong = new ArrayList<>();
        for (Row r : rows) {
            if (CROSSING.contains(r.pattern()) && !r.positive()
                    && r.judge(linked.get(r.site() + "/" + r.item())) == Outcome.FALSE_POSITIVE) {
                wrong.add(describe(r));
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void everyCrossingPatternRowIsLinkedAsLabelled() {
        List<String> wrong = new ArrayList<>();
        for (Row r : rows) {
            if (CROSSING.contains(r.pattern()) && r.positive()) {
                Outcome o = r.judge(linked.get(r.site() + "/" + r.item()));
                if (o != Outcome.TRUE_POSITIVE && o != Outcome.TRUE_NEGATIVE) {
                    wrong.add(describe(r));
                }
            }
        }
        assertEquals(List.of(), wrong, "crossing-pattern rows linked elsewhere or left unmatched");
    }

    private static String describe(Row r) {
        AnimeEntry got = linked.get(r.site() + "/" + r.item());
        return r + " → " + (got == null ? "unmatched" : got.title() + " mal:" + got.myanimelist());
    }

    @Test
    void theSetCoversEveryPatternBothWaysOnEverySite() {
        Map<String, int[]> perPattern = new TreeMap<>();
        Map<String, Integer> perSite = new TreeMap<>();
        for (Row r : rows) {
            int[] c = perPattern.computeIfAbsent(r.pattern(), k -> new int[2]);
            c[r.positive() ? 0 : 1]++;
            perSite.merge(r.site(), 1, Integer::sum);
        }
        assertTrue(rows.size() >= 200, "rows: " + rows.size());
        for (String p : List.of("P1", "P2", "P3", "P4", "P5", "P6")) {
            int[] c = perPattern.getOrDefault(p, new int[2]);
            assertTrue(c[0] > 0 && c[1] > 0, p + " positive/negative: " + c[0] + "/" + c[1]);
        }
        perSite.forEach((site, n) -> assertTrue(n >= 50, site + ": " + n));
        assertEquals(Set.of("kaize", "nautiljon", "otakotaku"), perSite.keySet());
    }

    private static List<Row> read() throws IOException {
        List<Row> out = new ArrayList<>();
        try (InputStream in = LabelledTitleMatchingIT.class.getResourceAsStream("/title-matching/labelled.csv")) {
            boolean header = true;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (header) {
                    header = false;
                    continue;
                }
                List<String> f = fields(line);
                out.add(new Row(f.get(0), f.get(1), List.of(f.get(2).split("\\|")), f.get(3)));
            }
        }
        return out;
    }

    /** The fields of one CSV line; a field may be quoted (a Nautiljon slug can hold a comma). */
    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString());
        return out;
    }

    /** How one row came out. */
    enum Outcome {
        /** Linked to an expected anime. */
        TRUE_POSITIVE,
        /** Linked to an anime it must not be linked to (or to any, where none is expected). */
        FALSE_POSITIVE,
        /** Left unmatched where an anime was expected. */
        FALSE_NEGATIVE,
        /** Left unmatched, or kept away from the anime it must not take. */
        TRUE_NEGATIVE
    }

    /**
     * One labelled case.
     *
     * @param site    kaize, nautiljon or otakotaku
     * @param item    the item's ID on the site
     * @param expect  {@code platform:id} of acceptable anime, {@code none}, or {@code !platform:id} of forbidden ones
     * @param pattern P1–P6 or CTRL
     */
    record Row(String site, String item, List<String> expect, String pattern) {
        boolean positive() {
            return expect.stream().anyMatch(e -> !e.equals("none") && !e.startsWith("!"));
        }

        Outcome judge(AnimeEntry got) {
            List<String> forbidden = expect.stream().filter(e -> e.startsWith("!")).map(e -> e.substring(1)).toList();
            if (!forbidden.isEmpty()) {
                return got != null && forbidden.stream().anyMatch(f -> is(got, f)) ? Outcome.FALSE_POSITIVE
                        : Outcome.TRUE_NEGATIVE;
            }
            if (got == null) {
                return positive() && !expect.contains("none") ? Outcome.FALSE_NEGATIVE : Outcome.TRUE_NEGATIVE;
            }
            return expect.stream().anyMatch(e -> is(got, e)) ? Outcome.TRUE_POSITIVE : Outcome.FALSE_POSITIVE;
        }

        private static boolean is(AnimeEntry e, String ref) {
            if (ref.equals("none")) {
                return false;
            }
            String[] p = ref.split(":", 2);
            Object v = e.get(p[0].equals("mal") ? "myanimelist" : p[0]);
            return v != null && v.toString().equals(p[1]);
        }
    }

    /** Counts of outcomes. */
    static final class Tally {
        private final int[] n = new int[Outcome.values().length];

        void add(Outcome o) {
            n[o.ordinal()]++;
        }

        double precision() {
            int tp = n[Outcome.TRUE_POSITIVE.ordinal()];
            return tp / (double) Math.max(1, tp + n[Outcome.FALSE_POSITIVE.ordinal()]);
        }

        double recall() {
            int tp = n[Outcome.TRUE_POSITIVE.ordinal()];
            return tp / (double) Math.max(1, tp + n[Outcome.FALSE_NEGATIVE.ordinal()]);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "precision %.4f, recall %.4f (tp %d, fp %d, fn %d, tn %d)", precision(),
                    recall(), n[0], n[1], n[2], n[3]);
        }
    }
}
