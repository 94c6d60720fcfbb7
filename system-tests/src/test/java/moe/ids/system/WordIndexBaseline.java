package moe.ids.system;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bench's baseline: title matching by whole shared words — punctuation stripped, one normalized title per
 * side, candidates from a word index, the best Levenshtein score first and ties settled by index. Kept only to
 * measure the evidence-based matcher against it in the same run.
 */
final class WordIndexBaseline {
    private WordIndexBaseline() {
    }

    /** The baseline's normalizer. */
    static final class Titles {
        private Titles() {
        }

        private static final Pattern MARKS = Pattern.compile("\\p{M}+");
        private static final Pattern INVISIBLE = Pattern.compile("[\\u00ad\\u200b-\\u200f\\u2060\\ufeff]");
        private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
        private static final Pattern ORDINAL_SEASON = Pattern.compile("\\b(\\d{1,2})(?:st|nd|rd|th) season\\b");
        private static final Pattern SEASON_N = Pattern.compile("\\bseason (\\d{1,2})\\b");
        private static final Pattern S_N = Pattern.compile("\\bs(\\d{1,2})\\b");
        private static final Pattern SPACES = Pattern.compile("\\s+");

        
        /**
         * @param title a title, may be null
         * @return its normalized form ("" for null or blank)
         */
        public static String normalize(String title) {
            if (title == null) {
                return "";
            }
            String t = Normalizer.normalize(title, Normalizer.Form.NFKD);
            t = MARKS.matcher(t).replaceAll("");
            t = INVISIBLE.matcher(t).replaceAll("");
            t = t.toLowerCase(Locale.ROOT).replace('&', ' ');
            t = NON_WORD.matcher(t).replaceAll(" ");
            t = SPACES.matcher(t).replaceAll(" ").strip();
            t = replace(ORDINAL_SEASON, t);
            t = replace(S_N, t);
            t = replace(SEASON_N, t);
            return t;
        }

        private static String replace(Pattern p, String t) {
            Matcher m = p.matcher(t);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, "season " + Integer.parseInt(m.group(1)));
            }
            m.appendTail(out);
            return out.toString();
        }
    }

    /** The baseline's word index and matcher. */
    static final class Index {

        /** Tokens in more anime titles than this are too common to generate candidates. */
        private static final int MAX_POSTINGS = 400;
        /** Candidates scored per external title (the ones sharing the most tokens). */
        private static final int MAX_CANDIDATES = 64;

        private final List<String> normalized;
        private final Map<String, List<Integer>> exact = new HashMap<>();
        private final Map<String, int[]> postings = new HashMap<>();
        private final LevenshteinDistance distance = new LevenshteinDistance();

        /**
         * @param animeTitles normalized anime titles, by anime index
         */
        Index(List<String> animeTitles) {
            this.normalized = animeTitles;
            Map<String, List<Integer>> lists = new HashMap<>();
            for (int i = 0; i < animeTitles.size(); i++) {
                String t = animeTitles.get(i);
                if (t.isEmpty()) {
                    continue;
                }
                exact.computeIfAbsent(t, k -> new ArrayList<>(1)).add(i);
                for (String token : new HashSet<>(List.of(t.split(" ")))) {
                    lists.computeIfAbsent(token, k -> new ArrayList<>()).add(i);
                }
            }
            lists.forEach((k, v) -> {
                if (v.size() <= MAX_POSTINGS) {
                    postings.put(k, v.stream().mapToInt(Integer::intValue).toArray());
                }
            });
        }

        /**
         * @param externals normalized external titles, by external index
         * @param threshold lowest accepted similarity, 0–100
         * @param taken     anime indexes that must not be matched (they already have this platform's ID)
         * @return matches, each external and each anime at most once
         */
        public List<Match> match(List<String> externals, int threshold, Set<Integer> taken) {
            List<Match> pairs = new ArrayList<>();
            for (int e = 0; e < externals.size(); e++) {
                String t = externals.get(e);
                if (t.isEmpty()) {
                    continue;
                }
                List<Integer> same = exact.get(t);
                if (same != null) {
                    for (int a : same) {
                        pairs.add(new Match(e, a, 100, true));
                    }
                    continue;
                }
                for (int a : candidates(t)) {
                    String other = normalized.get(a);
                    int longer = Math.max(t.length(), other.length());
                    if (Math.abs(t.length() - other.length()) * 100 > (100 - threshold) * longer) {
                        continue;
                    }
                    int limit = (int) Math.floor(longer * (100 - threshold) / 100.0);
                    int d = distance.apply(t, other) ;
                    if (d <= limit) {
                        int score = (int) Math.floor(100.0 * (longer - d) / longer);
                        if (score >= threshold) {
                            pairs.add(new Match(e, a, score, false));
                        }
                    }
                }
            }
            pairs.sort(Comparator.comparingInt(Match::score).reversed()
                    .thenComparing(Match::exact, Comparator.reverseOrder())
                    .thenComparingInt(Match::anime)
                    .thenComparingInt(Match::external));
            Set<Integer> usedExternal = new HashSet<>();
            Set<Integer> usedAnime = new HashSet<>(taken);
            List<Match> chosen = new ArrayList<>();
            for (Match m : pairs) {
                if (!usedExternal.contains(m.external()) && !usedAnime.contains(m.anime())) {
                    usedExternal.add(m.external());
                    usedAnime.add(m.anime());
                    chosen.add(m);
                }
            }
            return chosen;
        }

        private List<Integer> candidates(String title) {
            Map<Integer, Integer> shared = new HashMap<>();
            for (String token : new HashSet<>(List.of(title.split(" ")))) {
                int[] list = postings.get(token);
                if (list != null) {
                    for (int a : list) {
                        shared.merge(a, 1, Integer::sum);
                    }
                }
            }
            return shared.entrySet().stream()
                    .sorted(Map.Entry.<Integer, Integer>comparingByValue().reversed().thenComparing(Map.Entry::getKey))
                    .limit(MAX_CANDIDATES).map(Map.Entry::getKey).toList();
        }

        /**
         * One accepted pair.
         *
         * @param external external index
         * @param anime    anime index
         * @param score    similarity 0–100 (100 for exact)
         * @param exact    true when the normalized titles are equal
         */
        public record Match(int external, int anime, int score, boolean exact) {
        }
    }
}
