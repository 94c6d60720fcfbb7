package moe.ids.merger.merge;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Matches site items to anime by title, one-to-one, on evidence (the merger's DESIGN.md, "Title matching"). Every
 * pair gets a level: the titles are equal as written, equal case- and width-folded, equal normalized (same name and
 * same facts), of the same name with compatible facts, or similar names ({@code 100 × (1 − Levenshtein / longer
 * length)} at or above the site's threshold, Apache Commons Text). A pair whose types, sequel numbers or years
 * contradict each other is vetoed at any level. The best pairs are taken first; where an item's best pair ties
 * with another of the same score for the same item or the same anime, all of them are left unmatched and reported
 * as ambiguous, never settled by input order. Similar names are looked up through character trigrams of the name
 * (spelling variants of a word still share most of them), never all pairs.
 */
public final class TitleMatcher {
    /** Trigrams in more anime names than this are too common to find candidates with. */
    private static final int MAX_POSTINGS = 1500;
    /** Candidates scored per title (the ones sharing the most trigrams). */
    private static final int MAX_CANDIDATES = 48;

    /** Kinds an unmarked anime stands for when another anime of its name is marked TV. */
    private static final Set<TitleKey.Kind> NOT_TV = java.util.EnumSet.of(TitleKey.Kind.MOVIE, TitleKey.Kind.OVA,
            TitleKey.Kind.SPECIAL);

    /** The kinds of a title marked as the TV series and nothing else ("X (TV)", not "X TV Special"). */
    private static final Set<TitleKey.Kind> ONLY_TV = Set.of(TitleKey.Kind.TV);

    /** Added to the score of a pair whose titles or formats name the same kind, above any level's score. */
    private static final double AGREEMENT = 24;

    /** Taken from the score for each side compared by a second title. */
    private static final double SECOND_TITLE = 1.5;

    /** Added to the score of a pair whose symbols are the same ("∬" with "∬"), less than a level's step. */
    private static final double SAME_MARKS = 0.5;

    /**
     * Weight of the folded titles' likeness among pairs of one level ("Yakuindomo* OAV" is nearer "Yakuindomo* OVA"
     * than "Yakuindomo * OVA"): it orders pairs the facts leave equal, below every other weight.
     */
    private static final double SPELLING = 0.1;

    /** How strongly a pair's titles agree, best first. */
    public enum Level {
        /** Equal as written (Unicode compatibility folding only). */
        VERBATIM(true),
        /** Equal case- and width-folded, punctuation and symbols kept. */
        RAW(true),
        /** Same name and the same facts (types, numbers, year). */
        NORMALIZED(true),
        /** Same name, facts compatible but not equal (one side names a type or "Movie N" the other leaves out). */
        NAME(false),
        /** Similar names, facts compatible. */
        SIMILAR(false);

        private final boolean exact;

        Level(boolean exact) {
            this.exact = exact;
        }

        /**
         * @return true for the levels reported as exact matches
         */
        public boolean exact() {
            return exact;
        }
    }

    /**
     * How a title says its number is a season ("Season 2", "2nd Season", "S2", "Saison 2", "Cour 2"), not part of
     * its name ("Lupin III", "Golgo 13"): only such an anime may take an item by a reading that leaves the
     * item's subtitle out.
     */
    private static final Pattern SEASON_WORDS = Pattern.compile(
            "(?<![\\p{L}\\p{N}])(season|saison|cour|s\\d{1,2}|\\d{1,2}(?:st|nd|rd|th))(?![\\p{L}\\p{N}])");

    /** Index entries are {@code anime << SHIFT | title}: title 0 is the main title, the others second titles. */
    private static final int SHIFT = 3;
    private static final int MASK = (1 << SHIFT) - 1;
    /** Second titles indexed per anime. */
    private static final int MAX_SECOND = MASK;

    private final List<TitleKey> anime;
    private final List<List<TitleKey>> second;
    /** Per anime: its unmarked title stands for the TV series (no anime of the same name is marked TV). */
    private final boolean[] impliedTv;
    /**
     * Per anime: its unmarked title, without a year, stands for a work that is not the TV series (another anime of
     * the same name is marked TV: MyAnimeList's "X (TV)" beside the film or OVA "X").
     */
    private final boolean[] impliedNotTv;
    /** Per anime: years that other anime of the same name carry in their titles (so this one has none of them). */
    private final Map<Integer, Set<Integer>> otherYears = new HashMap<>();
    private final Map<String, int[]> verbatim = new HashMap<>();
    private final Map<String, int[]> raw = new HashMap<>();
    private final Map<String, int[]> normalized = new HashMap<>();
    private final Map<String, int[]> name = new HashMap<>();
    private final Map<String, int[]> postings = new HashMap<>();
    /** Per anime: the index among its titles of the one its ID spells, or 0 for none. */
    private final byte[] spelledAt;
    /** Per anime: a programme guide lists it, and a namesake is unknown to the series databases. */
    private final boolean[] airedSeries;
    /** Names whose anime tell their seasons apart by the number of "!" alone ("Hataraku Maou-sama!" and "…!!"). */
    private final Set<String> seasonsByMarks = new HashSet<>();

    /**
     * @param animeTitles every anime's title as written, by anime index
     * @param animeKeys   every anime's key, by anime index
     */
    public TitleMatcher(List<String> animeTitles, List<TitleKey> animeKeys) {
        this(animeTitles, animeKeys, List.of());
    }

    /**
     * @param animeTitles every anime's title as written, by anime index
     * @param animeKeys   every anime's key, by anime index
     * @param secondKeys  keys of each anime's second titles (at most {@value #MAX_SECOND} are used), by anime index;
     *                    may be shorter than the anime list. They are compared at the normalized and name levels
     *                    (not by similarity) and rank just below the main title at each level. The sequel a
     *                    title also names the way sites write it ("Part 2" as season 2, a closing pinyin "Er") is
     *                    added to them.
     */
    public TitleMatcher(List<String> animeTitles, List<TitleKey> animeKeys, List<List<TitleKey>> secondKeys) {
        this(animeTitles, animeKeys, secondKeys, List.of());
    }

    /**
     * @param animeTitles every anime's title as written, by anime index
     * @param animeKeys   every anime's key, by anime index
     * @param secondKeys  as above
     * @param spelled     the title each anime's ID spells (its Anime-Planet slug), or null, by anime index; may be
     *                    shorter than the anime list. A slug loses the title's punctuation, so it is compared at the
     *                    normalized level only (same name, same facts); its kind counts among the namesakes that
     *                    tell which anime is the TV series.
     */
    public TitleMatcher(List<String> animeTitles, List<TitleKey> animeKeys, List<List<TitleKey>> secondKeys,
                        List<TitleKey> spelled) {
        this(animeTitles, animeKeys, secondKeys, spelled, List.of());
    }

    /**
     * @param animeTitles every anime's title as written, by anime index
     * @param animeKeys   every anime's key, by anime index
     * @param secondKeys  as above
     * @param spelled     as above
     * @param aired       per anime index (may be shorter than the anime list): true when a television programme
     *                    guide lists it, false when the databases that would know a series know nothing of it, null
     *                    when that cannot be told. Among namesakes that name no kind (neither their titles nor
     *                    their types), a listed one is read as the TV series against one so unknown: a music clip
     *                    spelled like a series is no series.
     */
    public TitleMatcher(List<String> animeTitles, List<TitleKey> animeKeys, List<List<TitleKey>> secondKeys,
                        List<TitleKey> spelled, List<Boolean> aired) {
        this.anime = animeKeys;
        this.spelledAt = new byte[animeKeys.size()];
        this.second = withSpelled(withSeasonReadings(animeTitles, animeKeys, secondKeys), animeKeys.size(), spelled);
        Map<String, List<Integer>> v = new HashMap<>();
        Map<String, List<Integer>> r = new HashMap<>();
        Map<String, List<Integer>> n = new HashMap<>();
        Map<String, List<Integer>> c = new HashMap<>();
        Map<String, List<Integer>> g = new HashMap<>();
        for (int i = 0; i < animeKeys.size(); i++) {
            TitleKey k = animeKeys.get(i);
            if (k.isEmpty()) {
                continue;
            }
            add(v, verbatim(animeTitles.get(i)), i << SHIFT);
            add(r, k.raw(), i << SHIFT);
            for (int t = 0; t <= seconds(i); t++) {
                TitleKey key = key(i, t);
                add(n, key.normalized(), i << SHIFT | t);
                if (!key.core().isEmpty()) {
                    add(c, key.core(), i << SHIFT | t);
                    if (t == 0) {
                        // Similar names are looked for among main titles only: second titles would multiply the
                        // postings (and the work per item) by the number of synonyms for few extra matches.
                        for (String gram : grams(key.core())) {
                            add(g, gram, i << SHIFT);
                        }
                    }
                }
            }
        }
        Map<String, Set<Integer>> exclaimed = new HashMap<>();
        for (TitleKey k : animeKeys) {
            if (!k.marks().isEmpty() && k.marks().chars().allMatch(ch -> ch == '!')) {
                exclaimed.computeIfAbsent(k.name(), x -> new HashSet<>()).add(k.marks().length());
            }
        }
        exclaimed.forEach((named, runs) -> {
            if (runs.size() > 1) {
                seasonsByMarks.add(named);
            }
        });
        impliedTv = new boolean[animeKeys.size()];
        impliedNotTv = new boolean[animeKeys.size()];
        for (int i = 0; i < animeKeys.size(); i++) {
            TitleKey k = animeKeys.get(i);
            impliedTv[i] = !k.isEmpty() && k.kinds().isEmpty() && k.labelled().isEmpty();
        }
        for (List<Integer> codes : c.values()) {
            if (codes.size() < 2) {
                continue;
            }
            // Namesakes by any title: Anime-Planet's "X TV" beside its "X" marks which of two anime is the series.
            List<Integer> tvByAnyTitle = codes.stream().filter(code -> key(code >>> SHIFT, code & MASK).kinds()
                    .contains(TitleKey.Kind.TV)).map(code -> code >>> SHIFT).toList();
            for (int code : codes) {
                int i = code >>> SHIFT;
                if (tvByAnyTitle.stream().anyMatch(j -> j != i)) {
                    impliedTv[i] = false;
                    TitleKey k = animeKeys.get(i);
                    if ((code & MASK) != 0 && k.kinds().isEmpty() && k.labelled().isEmpty() && k.year() == null
                            && key(i, code & MASK).kinds().isEmpty()) {
                        impliedNotTv[i] = true;
                    }
                }
            }
        }
        airedSeries = airedSeries(c.values(), animeKeys, aired);
        for (List<Integer> codes : c.values()) {
            List<Integer> group = codes.stream().filter(code -> (code & MASK) == 0).map(code -> code >>> SHIFT)
                    .toList();
            boolean markedTv = group.stream().anyMatch(i -> animeKeys.get(i).kinds().contains(TitleKey.Kind.TV));
            boolean anyYear = group.stream().anyMatch(i -> animeKeys.get(i).year() != null);
            for (int i : group) {
                TitleKey k = animeKeys.get(i);
                boolean unmarked = k.kinds().isEmpty() && k.labelled().isEmpty();
                impliedNotTv[i] |= markedTv && unmarked && k.year() == null && tvNamesake(animeKeys, group, i);
                if (k.year() == null && anyYear) {
                    Set<Integer> years = otherYears(animeKeys, group, i);
                    if (years != null) {
                        otherYears.put(i, years);
                    }
                }
            }
        }
        freeze(v, verbatim, Integer.MAX_VALUE);
        freeze(r, raw, Integer.MAX_VALUE);
        freeze(n, normalized, Integer.MAX_VALUE);
        freeze(c, name, Integer.MAX_VALUE);
        freeze(g, postings, MAX_POSTINGS);
    }

    /**
     * The titles' own veto, and one the namesakes add: an item whose title is marked TV (and nothing else: a "TV
     * Special" is a special) cannot be an unmarked anime
     * whose namesake is the TV series (that one is the film or OVA). A site's format alone does not veto: Nautiljon
     * files shorts and web series as Série ("Houkago no Pleiades" beside "… (TV)").
     */
    private TitleKey.Veto veto(TitleKey item, TitleKey other, int a) {
        TitleKey.Veto veto = item.veto(other);
        if (veto == null && impliedNotTv[a] && other.kinds().isEmpty() && item.kinds().equals(ONLY_TV)) {
            return TitleKey.Veto.TYPE;
        }
        return veto;
    }

    /**
     * Per group of namesakes (same name by any title; only those naming no kind or year count): when a programme
     * guide lists exactly one of them and another of the same sequel numbers is unknown to the series databases,
     * the listed one is read as the TV series. Evidence between such namesakes only, never a type: the guide also
     * lists films and OVAs; and two listed namesakes ("Berserk", "Kenpuu Denki Berserk") say nothing.
     */
    private static boolean[] airedSeries(java.util.Collection<List<Integer>> groups, List<TitleKey> keys,
                                         List<Boolean> aired) {
        boolean[] out = new boolean[keys.size()];
        for (List<Integer> codes : groups) {
            if (codes.size() < 2) {
                continue;
            }
            Set<Integer> members = new HashSet<>();
            for (int code : codes) {
                int i = code >>> SHIFT;
                if (i < aired.size() && aired.get(i) != null && plain(keys.get(i))) {
                    members.add(i);
                }
            }
            List<Integer> listed = members.stream().filter(aired::get).toList();
            if (listed.size() == 1) {
                int i = listed.getFirst();
                out[i] |= members.stream().anyMatch(j -> !aired.get(j)
                        && keys.get(j).numbers().equals(keys.get(i).numbers()));
            }
        }
        return out;
    }

    /** A title that names no kind and no year, nor has a type or a season year besides. */
    private static boolean plain(TitleKey k) {
        return !k.isEmpty() && k.kinds().isEmpty() && k.labelled().isEmpty() && k.year() == null;
    }

    /** Another anime of the same name and sequel numbers is the TV series ("X (TV)", not "X TV CM"). */
    private static boolean tvNamesake(List<TitleKey> keys, List<Integer> group, int i) {
        for (int j : group) {
            TitleKey o = keys.get(j);
            if (j != i && o.kinds().contains(TitleKey.Kind.TV) && o.numbers().equals(keys.get(i).numbers())
                    && o.kinds().stream().noneMatch(TitleKey.Kind.NAMED_ONLY::contains)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The years of the other anime of one name that could stand for the same title (same sequel numbers, no kind
     * that must be named), or null when one of them has no year (then the unmarked one need not be the earliest).
     */
    private static Set<Integer> otherYears(List<TitleKey> keys, List<Integer> group, int i) {
        TitleKey k = keys.get(i);
        Set<Integer> years = new HashSet<>();
        for (int j : group) {
            TitleKey o = keys.get(j);
            if (j == i || !o.numbers().equals(k.numbers())
                    || o.allKinds().stream().anyMatch(TitleKey.Kind.NAMED_ONLY::contains)) {
                continue;
            }
            if (o.year() == null) {
                return null;
            }
            years.add(o.year());
        }
        return years.isEmpty() ? null : years;
    }

    /** A closing "Part N": "Haikyuu!! To the Top Part 2". */
    private static final Pattern PART = Pattern.compile("(?i)(.*\\S)\\s+part\\s+(\\d{1,2})\\s*");
    /** A closing pinyin numeral two: "Tian Guan Cifu Er" (贰). */
    private static final Pattern PINYIN_TWO = Pattern.compile("(?i)(.*\\S)\\s+er\\s*");

    /**
     * The anime's second titles, with the sequel each title also names the way sites write it:
     * <ul>
     *   <li>"X Part N" is also "X N": the part of a split season is what sites call its season N ("Haikyuu!! To
     *       the Top Part 2" is Otak Otaku's "… To the Top Season 2"). As a second title it ranks below an anime
     *       whose main title says season N, so "X 2nd Season" keeps its own items.</li>
     *   <li>"X Er" is also "X 2" where X is the name of another anime: "Er" is the pinyin numeral two ("Tian Guan
     *       Cifu Er" is season 2 of "Tian Guan Cifu"), but it also closes Chinese names as a suffix ("Yueya Er"),
     *       so it counts only beside a first season.</li>
     * </ul>
     */
    private static List<List<TitleKey>> withSeasonReadings(List<String> titles, List<TitleKey> keys,
                                                           List<List<TitleKey>> second) {
        Map<Integer, TitleKey> found = new HashMap<>();
        Set<String> plain = null;
        for (int i = 0; i < keys.size(); i++) {
            TitleKey k = keys.get(i);
            if (k.name().contains("part")) {
                Matcher m = PART.matcher(titles.get(i));
                TitleKey base = m.matches() ? TitleKey.of(m.group(1) + " " + m.group(2), k.labelled(), k.year())
                        : null;
                if (base != null && base.numbers().size() == 1 && base.movie() == null) {
                    found.put(i, base);
                    continue;
                }
            }
            if (!k.name().endsWith("er") || !k.numbers().isEmpty() || k.movie() != null) {
                continue;
            }
            Matcher m = PINYIN_TWO.matcher(titles.get(i));
            if (!m.matches()) {
                continue;
            }
            if (plain == null) {
                plain = new HashSet<>();
                for (TitleKey o : keys) {
                    if (o.numbers().isEmpty() && o.movie() == null) {
                        plain.add(o.name());
                    }
                }
            }
            TitleKey base = TitleKey.of(m.group(1), k.labelled(), k.year());
            if (!base.name().isEmpty() && base.numbers().isEmpty() && plain.contains(base.name())) {
                found.put(i, base.asSeason(2));
            }
        }
        if (found.isEmpty()) {
            return second;
        }
        List<List<TitleKey>> out = new ArrayList<>(second);
        while (out.size() < keys.size()) {
            out.add(List.of());
        }
        found.forEach((i, key) -> {
            List<TitleKey> list = new ArrayList<>(out.get(i) == null ? List.of() : out.get(i));
            if (list.size() < MAX_SECOND) {
                list.add(key);
                out.set(i, list);
            }
        });
        return out;
    }

    /** The second titles with each anime's spelled title last, where there is room; records where it went. */
    private List<List<TitleKey>> withSpelled(List<List<TitleKey>> second, int size, List<TitleKey> spelled) {
        if (spelled.isEmpty()) {
            return second;
        }
        List<List<TitleKey>> out = new ArrayList<>(second);
        while (out.size() < size) {
            out.add(List.of());
        }
        for (int i = 0; i < Math.min(size, spelled.size()); i++) {
            TitleKey key = spelled.get(i);
            List<TitleKey> titles = out.get(i) == null ? List.of() : out.get(i);
            if (key != null && !key.isEmpty() && titles.size() < MAX_SECOND) {
                List<TitleKey> with = new ArrayList<>(titles);
                with.add(key);
                out.set(i, with);
                spelledAt[i] = (byte) with.size();
            }
        }
        return out;
    }

    /**
     * @param name a title's name ({@link TitleKey#name()})
     * @return true when the anime of that name tell their seasons apart by the number of "!" alone ("Hataraku
     *         Maou-sama!" is the first season, "Hataraku Maou-sama!!" the second), so "!!" already says 2
     */
    public boolean seasonsByMarks(String name) {
        return seasonsByMarks.contains(name);
    }

    /** Second titles of an anime that are indexed. */
    private int seconds(int a) {
        return a < second.size() && second.get(a) != null ? Math.min(second.get(a).size(), MAX_SECOND) : 0;
    }

    /** The key of an anime's title: 0 is the main title, 1… its second titles. */
    private TitleKey key(int a, int t) {
        return t == 0 ? anime.get(a) : second.get(a).get(t - 1);
    }

    /**
     * One site item to match: its titles (the first is its main title, the others second titles) and their keys.
     *
     * @param titles   titles as written
     * @param keys     their keys, same order
     * @param fallback a shorter reading of the title, tried last, only when none of its titles met an anime
     *                 ("Long Zu II - Dao Wang Zhe Zhi Tong" as "Long Zu II"), or null
     */
    public record Item(List<String> titles, List<TitleKey> keys, Fallback fallback) {
        /**
         * @param titles titles as written
         * @param keys   their keys, same order
         */
        public Item(List<String> titles, List<TitleKey> keys) {
            this(titles, keys, null);
        }
    }

    /**
     * A reading of an item's title that says less than the title (a subtitle left out), so it must not outrank
     * what the title itself meets.
     *
     * @param title the reading as written
     * @param key   its key
     */
    public record Fallback(String title, TitleKey key) {
    }

    /**
     * @param items     the site's items, by item index
     * @param threshold lowest accepted similarity, 0–100
     * @param taken     anime indexes that must not be matched (they already have this platform's ID)
     * @return matches (each item and each anime at most once), ambiguous items and vetoed items
     */
    public Result match(List<Item> items, int threshold, Set<Integer> taken) {
        State state = new State(items.size(), anime.size(), taken);
        List<Pair> exactPairs = byItem(items.size(), (from, to, out) -> {
            for (int e = from; e < to; e++) {
                exactPairs(e, items.get(e), state, out);
            }
        });
        resolve(exactPairs, state);
        List<Pair> similar = byItem(items.size(), (from, to, out) -> {
            LevenshteinDistance[] byLimit = new LevenshteinDistance[64];
            int[] counts = new int[anime.size() << SHIFT];
            int[] touched = new int[anime.size() << SHIFT];
            for (int e = from; e < to; e++) {
                if (state.itemFree(e)) {
                    similarPairs(e, items.get(e), threshold, state, out, counts, touched, byLimit);
                }
            }
        });
        resolve(similar, state);
        // Last, the shorter readings of the items nothing has taken, against the anime nothing has taken.
        List<Pair> fallbackPairs = new ArrayList<>();
        for (int e = 0; e < items.size(); e++) {
            Fallback f = items.get(e).fallback();
            if (f != null && state.itemFree(e) && state.vetoes[e] == null) {
                exactPairs(e, new Item(List.of(f.title()), List.of(f.key())), state, fallbackPairs);
            }
        }
        // A reading that leaves words out is a likeness, not an equality: reported fuzzy whatever its level.
        fallbackPairs.replaceAll(p -> p.level().exact() ? new Pair(p.item(), p.anime(), Level.NAME, p.score()) : p);
        fallbackPairs.removeIf(p -> !state.animeFree(p.anime())
                || !SEASON_WORDS.matcher(anime.get(p.anime()).raw()).find());
        resolve(fallbackPairs, state);
        Map<Integer, TitleKey.Veto> vetoed = new TreeMap<>();
        for (int e = 0; e < items.size(); e++) {
            if (state.vetoes[e] != null && state.itemFree(e)) {
                vetoed.put(e, state.vetoes[e].veto);
            }
        }
        state.matches.sort(Comparator.comparingInt(Match::item));
        return new Result(List.copyOf(state.matches), List.copyOf(new java.util.TreeSet<>(state.ambiguous)), vetoed);
    }

    /** Work on the items {@code from} (inclusive) to {@code to}, adding their pairs to {@code out} in item order. */
    private interface ItemRange {
        void pairs(int from, int to, List<Pair> out);
    }

    /**
     * The pairs of every item, found on every core. An item's pairs depend only on that item, the anime and what is
     * already decided, never on another item's pairs: the items are cut into consecutive ranges, each range worked on
     * by one thread, and the pairs gathered in item order, so the outcome is the one a single thread finds. The only
     * state written meanwhile is each item's own veto ({@link State#vetoed}).
     */
    private static List<Pair> byItem(int items, ItemRange work) {
        int ranges = Math.max(1, Math.min(items, 4 * Runtime.getRuntime().availableProcessors()));
        return IntStream.range(0, ranges).parallel().mapToObj(r -> {
            List<Pair> out = new ArrayList<>();
            work.pairs((int) ((long) items * r / ranges), (int) ((long) items * (r + 1) / ranges), out);
            return out;
        }).flatMap(List::stream).collect(Collectors.toCollection(ArrayList::new));
    }

    private void exactPairs(int e, Item item, State state, List<Pair> out) {
        Map<Integer, Pair> best = new HashMap<>();
        for (int t = 0; t < item.keys().size(); t++) {
            TitleKey key = item.keys().get(t);
            if (key.isEmpty()) {
                continue;
            }
            // Per title of the item: its French title may name the anime its main title is vetoed against.
            Set<Integer> seen = new HashSet<>();
            Set<Integer> vetoed = new HashSet<>();
            collect(e, t, key, verbatim.get(verbatim(item.titles().get(t))), Level.VERBATIM, state, best, seen, vetoed);
            collect(e, t, key, raw.get(key.raw()), Level.RAW, state, best, seen, vetoed);
            collect(e, t, key, normalized.get(key.normalized()), Level.NORMALIZED, state, best, seen, vetoed);
            if (!key.core().isEmpty()) {
                collect(e, t, key, name.get(key.core()), Level.NAME, state, best, seen, vetoed);
            }
        }
        out.addAll(best.values());
    }

    /**
     * Scores the anime found for one of an item's titles at one level. For each title of the item, an anime's first
     * pair (its best level) decides a veto; once it has a pair, each further way its titles meet the item's may only
     * raise that pair's score (a main title marked TV met at the name level outranks a second title met normalized).
     */
    private void collect(int e, int title, TitleKey key, int[] found, Level level, State state,
                         Map<Integer, Pair> best, Set<Integer> seen, Set<Integer> vetoed) {
        if (found == null) {
            return;
        }
        for (int code : found) {
            int a = code >>> SHIFT;
            int t = code & MASK;
            if (state.taken.contains(a) || vetoed.contains(a) || level == Level.NAME && t != 0 && t == spelledAt[a]) {
                continue;
            }
            TitleKey other = key(a, t);
            boolean first = seen.add(a);
            Pair known = best.get(a);
            double score = score(level, title, t, 1.0) + evidence(key, other, a, title != 0, t != 0);
            boolean spelled = level == Level.NORMALIZED || level == Level.NAME;
            if (!first && (known == null || score + (spelled ? SPELLING : 0) <= known.score())) {
                continue; // vetoed for this title, or no better than the pair it has: skip the costlier checks
            }
            score += spelled ? SPELLING * spelling(key, other) : 0;
            TitleKey.Veto veto = veto(key, other, a);
            if (veto != null) {
                if (first) {
                    vetoed.add(a);
                    state.vetoed(e, score, veto);
                }
            } else if (known == null || score > known.score()) {
                best.put(a, new Pair(e, a, level, score));
            }
        }
    }

    private void similarPairs(int e, Item item, int threshold, State state, List<Pair> out, int[] counts,
                              int[] touched, LevenshteinDistance[] byLimit) {
        Map<Integer, Pair> best = new HashMap<>();
        for (int t = 0; t < item.keys().size(); t++) {
            TitleKey key = item.keys().get(t);
            String core = key.core();
            if (core.isEmpty()) {
                continue;
            }
            int widest = (int) Math.floor(core.length() * (100 - threshold) / (double) threshold);
            for (int code : candidates(core, widest, counts, touched)) {
                int a = code >>> SHIFT;
                int at = code & MASK;
                if (!state.animeFree(a)) {
                    continue;
                }
                TitleKey otherKey = key(a, at);
                String other = otherKey.core();
                int longer = Math.max(core.length(), other.length());
                int limit = (int) Math.floor(longer * (100 - threshold) / 100.0);
                if (Math.abs(core.length() - other.length()) > limit || limit >= byLimit.length) {
                    continue;
                }
                if (byLimit[limit] == null) {
                    byLimit[limit] = new LevenshteinDistance(limit);
                }
                int d = byLimit[limit].apply(core, other);
                if (d < 0) {
                    continue;
                }
                double similarity = (longer - d) / (double) longer;
                if (similarity * 100 < threshold) {
                    continue;
                }
                double score = score(Level.SIMILAR, t, at, similarity);
                TitleKey.Veto veto = veto(key, otherKey, a);
                if (veto != null) {
                    state.vetoed(e, score, veto);
                } else {
                    Pair p = new Pair(e, a, Level.SIMILAR, score);
                    best.merge(a, p, (x, y) -> x.score() >= y.score() ? x : y);
                }
            }
        }
        out.addAll(best.values());
    }

    /**
     * Anime sharing the most trigrams with a name (the most common trigrams left out). One edit changes at most
     * three trigrams, so an anime within {@code limit} edits shares at least {@code grams − 3 × limit} of them:
     * the others are not candidates.
     */
    private int[] candidates(String core, int limit, int[] counts, int[] touched) {
        int n = 0;
        int usable = 0;
        for (String gram : new HashSet<>(grams(core))) {
            int[] list = postings.get(gram);
            if (list == null) {
                continue;
            }
            usable++;
            for (int a : list) {
                if (counts[a]++ == 0) {
                    touched[n++] = a;
                }
            }
        }
        int min = Math.max(1, usable - 3 * limit);
        long[] ranked = new long[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            int a = touched[i];
            if (counts[a] >= min) {
                ranked[m++] = ((long) -counts[a] << 32) | a;
            }
            counts[a] = 0;
        }
        Arrays.sort(ranked, 0, m);
        int[] out = new int[Math.min(m, MAX_CANDIDATES)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) ranked[i];
        }
        return out;
    }

    /**
     * Takes the pairs best first. Pairs of equal score are taken together: one whose item and anime appear in no
     * other free pair of that score is a match; where an item or an anime appears in several, none of those pairs
     * is taken and their items and anime are set aside (a lower-scored pair must not take them either).
     */
    private static void resolve(List<Pair> pairs, State state) {
        pairs.sort(Comparator.comparingDouble(Pair::score).reversed());
        int i = 0;
        while (i < pairs.size()) {
            int j = i;
            while (j < pairs.size() && pairs.get(j).score() == pairs.get(i).score()) {
                j++;
            }
            List<Pair> group = new ArrayList<>();
            Map<Integer, Integer> perItem = new HashMap<>();
            Map<Integer, Integer> perAnime = new HashMap<>();
            for (Pair p : pairs.subList(i, j)) {
                if (state.itemFree(p.item()) && state.animeFree(p.anime())) {
                    group.add(p);
                    perItem.merge(p.item(), 1, Integer::sum);
                    perAnime.merge(p.anime(), 1, Integer::sum);
                }
            }
            List<Pair> tied = new ArrayList<>();
            for (Pair p : group) {
                if (perItem.get(p.item()) == 1 && (perAnime.get(p.anime()) == 1 || onlyClaim(p, group, perItem))) {
                    state.match(p);
                } else {
                    tied.add(p);
                }
            }
            for (Pair p : tied) {
                state.setAside(p);
            }
            i = j;
        }
    }

    /**
     * A tied pair whose item has no other pair of its score, while every other item claiming the same anime has
     * another: the item can only be that anime, and the others are undecided between several. Every one-to-one
     * choice that matches as many of the tied items as possible gives the item that anime ("Oz no Mahoutsukai
     * (1986)" can only be "… (TV)", while the plain "Oz no Mahoutsukai" is as near "… (TV)" as "… (2006)"), so it
     * is taken; the others stay ambiguous, and their other anime stay free of them.
     */
    private static boolean onlyClaim(Pair p, List<Pair> group, Map<Integer, Integer> perItem) {
        for (Pair o : group) {
            if (o != p && o.anime() == p.anime() && perItem.get(o.item()) == 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Scores order pairs: levels first (4 apart), a main title before a second title on either side (1.5 less each,
     * so two second titles still rank above the next level), then similarity.
     */
    private static double score(Level level, int title, int animeTitle, double similarity) {
        double base = (Level.values().length - level.ordinal()) * 4.0;
        return base - (title == 0 ? 0 : SECOND_TITLE) - (animeTitle == 0 ? 0 : SECOND_TITLE) + similarity;
    }

    private static String verbatim(String title) {
        return title == null ? "" : java.text.Normalizer.normalize(title, java.text.Normalizer.Form.NFKC).strip();
    }

    /**
     * What the facts add to a pair of related names. The same kind or year stated on both sides outranks titles
     * equal as written: where MyAnimeList calls a TV series "X (TV)" because its OVA is "X", a site's TV series
     * "X" is the one marked TV; where a site says "X (TV)" and the anime is the unmarked "X" while no other "X" is
     * marked TV, the unmarked one is that series; where another "X" is marked TV, the unmarked "X" is the film or
     * OVA, so a site's "X (Movie)" goes to it; likewise "X (2011)" for the unmarked "X" when every other "X" of its
     * sequel numbers carries a later year (the remake gets the year, the original keeps the plain title; one "X"
     * without a year, such as "X (TV)", could as well be the original). A kind that is only compatible (a special
     * for an OVA) counts a little against; symbols alike ("∬" with "∬") a little for.
     */
    private double evidence(TitleKey item, TitleKey other, int a, boolean itemSecond, boolean animeSecond) {
        double score = 0;
        // Facts only two second titles share never lift a pair above a level: "Yuru Yuri OVA" (a site's second title)
        // and "yuru yuri ova" (an Anime-Planet slug) must not outrank a main title equal as written; nor does a kind
        // named only by an anime's second title ("pop-team-epic-tv-special" is no TV series).
        if (!(itemSecond && animeSecond) && (!animeSecond && item.sameKindNamed(other)
                || item.year() != null && item.year().equals(other.year())
                || impliedTv[a] && item.kinds().contains(TitleKey.Kind.TV)
                || airedSeries[a] && item.allKinds().equals(ONLY_TV)
                || impliedNotTv[a] && item.kinds().stream().anyMatch(NOT_TV::contains)
                || item.year() != null && other.year() == null && otherYears.containsKey(a)
                        && otherYears.get(a).stream().allMatch(y -> y > item.year()))) {
            score += AGREEMENT;
        } else if (!item.allKinds().isEmpty() && !other.allKinds().isEmpty()) {
            score -= 1;
        }
        if (item.marks().equals(other.marks())) {
            score += SAME_MARKS;
        } else if (!item.marks().isEmpty() && !other.marks().isEmpty()) {
            score += SAME_MARKS / 2;
        }
        return score;
    }

    /** Likeness of the titles' spellings, 0–1 ({@code 1 − Levenshtein / longer length}), facts left out. */
    private static double spelling(TitleKey item, TitleKey other) {
        String x = item.spelled();
        String y = other.spelled();
        int longer = Math.max(x.length(), y.length());
        return longer == 0 ? 1 : 1 - LevenshteinDistance.getDefaultInstance().apply(x, y) / (double) longer;
    }

    /** Trigrams of a name; a name shorter than three characters is its own gram. */
    static List<String> grams(String core) {
        if (core.length() < 3) {
            return List.of(core);
        }
        List<String> out = new ArrayList<>(core.length() - 2);
        for (int i = 0; i + 3 <= core.length(); i++) {
            out.add(core.substring(i, i + 3));
        }
        return out;
    }

    private static void add(Map<String, List<Integer>> map, String key, int index) {
        List<Integer> list = map.computeIfAbsent(key, k -> new ArrayList<>(1));
        if (list.isEmpty() || list.getLast() != index) {
            list.add(index);
        }
    }

    private static void freeze(Map<String, List<Integer>> from, Map<String, int[]> to, int max) {
        from.forEach((k, v) -> {
            if (v.size() <= max) {
                to.put(k, v.stream().mapToInt(Integer::intValue).toArray());
            }
        });
    }

    /** What matching one site decided. */
    private static final class State {
        final Set<Integer> taken;
        final boolean[] itemDone;
        final boolean[] animeDone;
        final List<Match> matches = new ArrayList<>();
        final Set<Integer> ambiguous = new HashSet<>();
        /** Per item, its best-scored veto: each written only by the thread working on that item. */
        final VetoSeen[] vetoes;

        State(int items, int anime, Set<Integer> taken) {
            this.taken = taken;
            this.vetoes = new VetoSeen[items];
            this.itemDone = new boolean[items];
            this.animeDone = new boolean[anime];
            taken.forEach(a -> {
                if (a >= 0 && a < anime) {
                    animeDone[a] = true;
                }
            });
        }

        boolean itemFree(int e) {
            return !itemDone[e];
        }

        boolean animeFree(int a) {
            return !animeDone[a];
        }

        void match(Pair p) {
            itemDone[p.item()] = true;
            animeDone[p.anime()] = true;
            matches.add(new Match(p.item(), p.anime(), p.level(), p.score()));
        }

        void setAside(Pair p) {
            itemDone[p.item()] = true;
            animeDone[p.anime()] = true;
            ambiguous.add(p.item());
        }

        void vetoed(int e, double score, TitleKey.Veto veto) {
            if (vetoes[e] == null || score > vetoes[e].score) {
                vetoes[e] = new VetoSeen(score, veto);
            }
        }
    }

    private record VetoSeen(double score, TitleKey.Veto veto) {
    }

    private record Pair(int item, int anime, Level level, double score) {
    }

    /**
     * One accepted pair.
     *
     * @param item  item index
     * @param anime anime index
     * @param level how the titles agree
     * @param score the pair's score (level, then similarity)
     */
    public record Match(int item, int anime, Level level, double score) {
    }

    /**
     * What matching decided.
     *
     * @param matches   accepted pairs, by item
     * @param ambiguous items left unmatched because their best pair tied with another
     * @param vetoed    items left unmatched that had a pair vetoed, with the reason of the best such pair
     */
    public record Result(List<Match> matches, List<Integer> ambiguous, Map<Integer, TitleKey.Veto> vetoed) {
    }

}
