package moe.ids.merger.merge;

import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.snapshot.Records;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The merge rules (see DESIGN.md beside this package): the anime-offline-database is the universe; ID joins
 * (ARM, AniTrakt, Fribb, MAL IDs of Silveryasha / Otak Otaku), then one-to-one title matching, then manual
 * mappings; then sanitizing and one-to-one conflict resolution. Pure: same inputs, same output.
 */
public final class Merger {
    /** Keys on which an ID belongs to at most one anime (shikimori follows myanimelist). */
    static final List<String> ONE_TO_ONE = List.of("anidb", "anilist", "animenewsnetwork", "animeplanet", "anisearch",
            "kitsu", "livechart", "myanimelist", "notify", "simkl", "kaize", "kaize_id", "nautiljon", "nautiljon_id",
            "otakotaku", "silveryasha");
    /** The sources linked by title (after the IDs they carry), in the order they are linked. */
    public static final List<String> TITLE_MATCHED = List.of("silveryasha", "otakotaku", "kaize", "nautiljon");
    /** Keys that travel together: losing one loses the other. */
    private static final Map<String, String> PAIRED = Map.of("kaize", "kaize_id", "kaize_id", "kaize",
            "nautiljon", "nautiljon_id", "nautiljon_id", "nautiljon");
    private static final Pattern SLUG = Pattern.compile("[^\\s/?#\\\\]+");
    /** Synonyms of one anime used as second titles. */
    private static final int MAX_SYNONYMS = 3;
    /** A title written in Latin letters, digits, punctuation and symbols only. */
    private static final Pattern LATIN = Pattern.compile("[\\p{IsLatin}\\p{N}\\p{P}\\p{S}\\p{Z}\\p{M}]+");

    private final MergeSettings settings;

    /**
     * @param settings thresholds
     */
    public Merger(MergeSettings settings) {
        this.settings = settings;
    }

    /**
     * @param in every source's records
     * @return merged entries (AOD order, titles unique) and the report
     */
    public Result merge(MergeInputs in) {
        MergeReport.Builder report = new MergeReport.Builder();
        List<Draft> drafts = universe(in.aod(), report);
        resolveJoinKeys(drafts, in.arm(), report);
        joinArm(drafts, in.arm(), report);
        joinTrakt(drafts, in.traktTv(), in.traktMovies(), report);
        joinFribb(drafts, in.fribb(), report);
        // Keys are pure functions of their titles, built on every core (they are a third of the merge's work).
        List<TitleKey> keys = drafts.parallelStream()
                .map(d -> TitleKey.of(d.title, TitleKey.Kind.ofLabel(d.type), d.year)).toList();
        List<TitleKey> spelled = spelledTitles(drafts, keys);
        TitleMatcher matcher = new TitleMatcher(drafts.stream().map(d -> d.title).toList(), keys,
                secondTitles(drafts, keys, spelled), spelled, aired(drafts));
        link("silveryasha", drafts, in.silveryasha(), in.silveryashaManual(), settings.silveryasha(), matcher, report,
                (d, e) -> d.set("silveryasha", Integer.valueOf(e.id()), null));
        link("otakotaku", drafts, in.otakotaku(), in.otakotakuManual(), settings.otakotaku(), matcher, report,
                (d, e) -> d.set("otakotaku", Integer.valueOf(e.id()), null));
        link("kaize", drafts, in.kaize(), in.kaizeManual(), settings.kaize(), matcher, report,
                (d, e) -> d.set("kaize", e.id(), null).set("kaize_id", e.numericId(), null));
        link("nautiljon", drafts, in.nautiljon(), List.of(), settings.nautiljon(), matcher, report,
                (d, e) -> d.set("nautiljon", e.id(), null).set("nautiljon_id", e.numericId(), null));
        manual(drafts, in.kaizeManual(), "kaize-manual", siteIds(in.kaize(), External::id), Records.ManualEntry::id,
                report, (d, m) -> {
                    d.set("kaize", m.id(), Method.MANUAL);
                    d.set("kaize_id", m.numericId(), Method.MANUAL);
                });
        manual(drafts, in.otakotakuManual(), "otakotaku-manual", siteIds(in.otakotaku(), External::numericId),
                Records.ManualEntry::numericId, report, (d, m) -> d.set("otakotaku", m.numericId(), Method.MANUAL));
        manual(drafts, in.silveryashaManual(), "silveryasha-manual", siteIds(in.silveryasha(), External::numericId),
                Records.ManualEntry::numericId, report, (d, m) -> d.set("silveryasha", m.numericId(), Method.MANUAL));
        resolveConflicts(drafts, report);
        List<AnimeEntry> entries = new ArrayList<>(drafts.size());
        for (Draft d : drafts) {
            d.values.put("shikimori", d.values.get("myanimelist"));
            AnimeEntry.Builder b = AnimeEntry.builder(d.title);
            d.values.forEach(b::set);
            entries.add(b.build());
        }
        return new Result(entries, new MergeReport(entries.size(), counts(entries), report.matching, report.conflicts,
                report.dropped));
    }

    /**
     * Per anime: true when Syoboi Calendar (a Japanese television programme guide) or Trakt's shows list it; false
     * when neither does and AniDB does not know it either, while it has a MyAnimeList or AniList ID (the keys those
     * listings are joined by); null otherwise.
     */
    private static List<Boolean> aired(List<Draft> drafts) {
        List<Boolean> out = new ArrayList<>(drafts.size());
        for (Draft d : drafts) {
            boolean listed = d.values.get("shoboi") != null || "shows".equals(d.values.get("trakt_type"));
            boolean joinable = d.values.get("myanimelist") != null || d.values.get("anilist") != null;
            out.add(listed ? Boolean.TRUE : joinable && d.values.get("anidb") == null ? Boolean.FALSE : null);
        }
        return out;
    }

    private static List<Draft> universe(List<Records.AodAnime> aod, MergeReport.Builder report) {
        Map<String, Draft> byTitle = new LinkedHashMap<>();
        for (Records.AodAnime a : aod) {
            if (a.title() == null || a.title().isBlank()) {
                report.drop("aod entry without title", String.valueOf(a.myanimelist()));
                continue;
            }
            if (byTitle.containsKey(a.title())) {
                report.drop("aod duplicate title (first kept)", a.title());
                continue;
            }
            Draft d = new Draft(a.title(), a.type(), a.year(), a.synonyms());
            d.set("anidb", a.anidb(), Method.AOD).set("anilist", a.anilist(), Method.AOD)
                    .set("animenewsnetwork", a.animenewsnetwork(), Method.AOD)
                    .set("animeplanet", slug(a.animeplanet(), "animeplanet", report), Method.AOD)
                    .set("anisearch", a.anisearch(), Method.AOD).set("kitsu", a.kitsu(), Method.AOD)
                    .set("livechart", a.livechart(), Method.AOD).set("myanimelist", a.myanimelist(), Method.AOD)
                    .set("notify", slug(a.notifyMoe(), "notify", report), Method.AOD)
                    .set("simkl", a.simkl(), Method.AOD);
            byTitle.put(a.title(), d);
        }
        return new ArrayList<>(byTitle.values());
    }

    private static void joinArm(List<Draft> drafts, List<Records.ArmEntry> arm, MergeReport.Builder report) {
        Map<Integer, Records.ArmEntry> byMal = index(arm, Records.ArmEntry::myanimelist, armPreference());
        Map<Integer, Records.ArmEntry> byAnilist = index(arm, Records.ArmEntry::anilist, armPreference());
        // MAL IDs are unique here (resolveJoinKeys). A row reached through AniList fills the MAL ID it names, so it
        // is taken only when no other anime holds that ID; when several anime without a MAL ID would fill the same
        // one, the smaller title does.
        Map<Integer, Draft> malHolder = new HashMap<>();
        Map<Draft, Records.ArmEntry> rows = new LinkedHashMap<>();
        for (Draft d : drafts) {
            Integer mal = (Integer) d.values.get("myanimelist");
            if (mal != null) {
                malHolder.put(mal, d);
            }
        }
        Map<Integer, Draft> malFiller = new HashMap<>();
        for (Draft d : drafts) {
            Integer mal = (Integer) d.values.get("myanimelist");
            Integer anilist = (Integer) d.values.get("anilist");
            Records.ArmEntry e = mal != null ? byMal.get(mal) : null;
            if (e == null && anilist != null) {
                e = byAnilist.get(anilist);
                if (e != null && e.myanimelist() != null) {
                    Draft holder = malHolder.get(e.myanimelist());
                    if (holder != null && holder != d) {
                        skipArmRow(d, e, holder, report);
                        continue;
                    }
                    if (mal == null) {
                        malFiller.merge(e.myanimelist(), d, (a, b) -> a.title.compareTo(b.title) <= 0 ? a : b);
                    }
                }
            }
            if (e != null) {
                rows.put(d, e);
            }
        }
        int matched = 0;
        for (Map.Entry<Draft, Records.ArmEntry> row : rows.entrySet()) {
            Draft d = row.getKey();
            Records.ArmEntry e = row.getValue();
            Draft filler = d.values.get("myanimelist") == null && e.myanimelist() != null
                    ? malFiller.get(e.myanimelist()) : d;
            if (filler != d) {
                skipArmRow(d, e, filler, report);
                continue;
            }
            matched++;
            d.fill("myanimelist", e.myanimelist(), Method.DIRECT).fill("anilist", e.anilist(), Method.DIRECT)
                    .set("annict", e.annict(), Method.DIRECT).set("shoboi", e.shoboi(), Method.DIRECT);
        }
        report.matched("arm", "direct", matched);
        report.matched("arm", "unmatched", arm.size() - matched);
    }

    private static int armFields(Records.ArmEntry e) {
        return (e.myanimelist() != null ? 1 : 0) + (e.anilist() != null ? 1 : 0) + (e.annict() != null ? 1 : 0)
                + (e.shoboi() != null ? 1 : 0);
    }

    private static void joinTrakt(List<Draft> drafts, List<Records.TraktEntry> tv, List<Records.TraktEntry> movies,
                                  MergeReport.Builder report) {
        // One MAL ID, several rows: season 1 first, then the lowest season, then the lowest Trakt ID.
        Comparator<Records.TraktEntry> better = Comparator
                .comparing((Records.TraktEntry t) -> t.season() == null || t.season() != 1)
                .thenComparing(Records.TraktEntry::season, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparingInt(Records.TraktEntry::trakt);
        Map<Integer, Records.TraktEntry> shows = index(tv, Records.TraktEntry::myanimelist, better);
        Map<Integer, Records.TraktEntry> films = index(movies, Records.TraktEntry::myanimelist, better);
        int tvMatched = 0;
        int movieMatched = 0;
        for (Draft d : drafts) {
            Integer mal = (Integer) d.values.get("myanimelist");
            if (mal == null) {
                continue;
            }
            Records.TraktEntry t = shows.get(mal);
            if (t != null) {
                tvMatched++;
                if (films.containsKey(mal)) {
                    report.drop("anitrakt movie row shadowed by a show row", "myanimelist/" + mal);
                }
            } else {
                t = films.get(mal);
                if (t == null) {
                    continue;
                }
                movieMatched++;
            }
            d.set("trakt", t.trakt(), Method.DIRECT).set("trakt_type", t.type(), Method.DIRECT)
                    .set("trakt_season", t.season(), Method.DIRECT);
        }
        report.matched("anitrakt-tv", "direct", tvMatched);
        report.matched("anitrakt-tv", "unmatched", shows.size() - tvMatched);
        report.matched("anitrakt-movies", "direct", movieMatched);
        report.matched("anitrakt-movies", "unmatched", films.size() - movieMatched);
    }

    private static void joinFribb(List<Draft> drafts, List<Records.FribbEntry> fribb, MergeReport.Builder report) {
        Map<Integer, Records.FribbEntry> byAnidb = index(fribb, Records.FribbEntry::anidb,
                Comparator.comparingInt((Records.FribbEntry f) -> f.imdb().size() + f.themoviedbMovie().size()
                        + f.themoviedbTv().size()).reversed());
        int matched = 0;
        for (Draft d : drafts) {
            Integer anidb = (Integer) d.values.get("anidb");
            Records.FribbEntry f = anidb == null ? null : byAnidb.get(anidb);
            if (f == null) {
                continue;
            }
            matched++;
            d.set("imdb", f.imdb().isEmpty() ? null : f.imdb().getFirst(), Method.DIRECT)
                    .set("themoviedb", f.themoviedbMovie().isEmpty() ? null : f.themoviedbMovie().getFirst(),
                            Method.DIRECT)
                    .set("themoviedb_tv", f.themoviedbTv().isEmpty() ? null : f.themoviedbTv().getFirst(),
                            Method.DIRECT)
                    .set("thetvdb", f.thetvdb(), Method.DIRECT);
        }
        report.matched("fribb", "direct", matched);
        report.matched("fribb", "unmatched", byAnidb.size() - matched);
    }

    /**
     * Links an external source: by the other platforms' IDs it carries first (Silveryasha and Otak Otaku name MAL
     * IDs), then by title, one-to-one.
     */
    private static void link(String source, List<Draft> drafts, List<External> externals,
                             List<Records.ManualEntry> manual, int threshold, TitleMatcher matcher,
                             MergeReport.Builder report, Linker linker) {
        // The source name is also the entry key it fills (kaize / nautiljon carry slugs, the others numbers).
        String key = source;
        boolean numeric = !key.equals("kaize") && !key.equals("nautiljon");
        Map<String, External> byId = new TreeMap<>();
        for (External e : externals) {
            if (e.id() == null || (numeric ? !e.id().matches("[1-9]\\d{0,9}") : !SLUG.matcher(e.id()).matches())
                    || e.id().startsWith("javascript:")) {
                report.drop(source + " invalid id", e.title() + " → " + e.id());
                continue;
            }
            External seen = byId.putIfAbsent(e.id(), e);
            if (seen != null && !seen.equals(e)) {
                report.drop(source + " id listed twice (first kept)", e.id());
            }
        }
        // Deterministic order: by ID text, so direct links claimed twice resolve the same way every run.
        List<External> valid = new ArrayList<>(byId.values());
        Set<Integer> taken = new HashSet<>();
        Map<String, Map<Object, Integer>> byKey = new HashMap<>();
        List<External> rest = new ArrayList<>();
        int direct = 0;
        for (External e : valid) {
            Integer a = null;
            for (Map.Entry<String, Object> link : e.links().entrySet()) {
                a = byKey.computeIfAbsent(link.getKey(), k -> indexBy(drafts, k)).get(link.getValue());
                if (a != null && !taken.contains(a)) {
                    break;
                }
                a = null;
            }
            if (a != null) {
                linker.link(drafts.get(a).via(key, Method.DIRECT), e);
                taken.add(a);
                direct++;
            } else {
                rest.add(e);
            }
        }
        // A live manual mapping decides its item and its anime: neither takes part in title matching. One whose item
        // left the site is not served (manual), so its anime stays free for the site's current item.
        Set<String> manualIds = new HashSet<>();
        Set<String> manualTitles = new HashSet<>();
        for (Records.ManualEntry m : manual) {
            if (byId.containsKey(m.id())) {
                manualIds.add(m.id());
                manualTitles.add(m.title());
            }
        }
        for (int i = 0; i < drafts.size(); i++) {
            if (manualTitles.contains(drafts.get(i).title) || drafts.get(i).repeats) {
                taken.add(i);
            }
        }
        rest.removeIf(e -> manualIds.contains(e.id()));
        List<TitleMatcher.Item> items = rest.parallelStream().map(e -> item(e, matcher)).toList();
        TitleMatcher.Result result = matcher.match(items, threshold, taken);
        int exact = 0;
        int fuzzy = 0;
        for (TitleMatcher.Match m : result.matches()) {
            Method method = m.level().exact() ? Method.EXACT : Method.FUZZY;
            linker.link(drafts.get(m.anime()).via(key, method), rest.get(m.item()));
            if (m.level().exact()) {
                exact++;
            } else {
                fuzzy++;
            }
        }
        for (int e : result.ambiguous()) {
            report.drop(source + " ambiguous title (left unmatched)", rest.get(e).title() + " → " + rest.get(e).id());
        }
        Map<TitleKey.Veto, Integer> vetoes = new java.util.EnumMap<>(TitleKey.Veto.class);
        result.vetoed().forEach((e, veto) -> {
            vetoes.merge(veto, 1, Integer::sum);
            report.drop(source + " vetoed by " + veto.name().toLowerCase(java.util.Locale.ROOT),
                    rest.get(e).title() + " → " + rest.get(e).id());
        });
        report.matched(source, "direct", direct);
        report.matched(source, "exact", exact);
        report.matched(source, "fuzzy", fuzzy);
        report.matched(source, "ambiguous", result.ambiguous().size());
        for (TitleKey.Veto v : TitleKey.Veto.values()) {
            report.matched(source, "vetoed_" + v.name().toLowerCase(java.util.Locale.ROOT), vetoes.getOrDefault(v, 0));
        }
        report.matched(source, "unmatched", rest.size() - exact - fuzzy);
    }

    /** An external record as the title matcher sees it: its title, then its second title when it differs. */
    private static TitleMatcher.Item item(External e, TitleMatcher matcher) {
        Set<TitleKey.Kind> kinds = TitleKey.Kind.ofLabel(e.format());
        List<String> titles = new ArrayList<>(2);
        titles.add(e.title());
        if (e.altTitle() != null && !e.altTitle().isBlank() && !e.altTitle().equals(e.title())) {
            titles.add(e.altTitle());
        }
        Matcher series = ANIMATION_TV.matcher(e.title());
        if (series.matches()) {
            titles.add(series.group(1) + " (TV)");
        }
        Matcher restated = RESTATED.matcher(e.title());
        if (restated.matches() && restated.group(2).length() == Integer.parseInt(restated.group(3))
                && matcher.seasonsByMarks(TitleKey.of(e.title()).name())) {
            titles.add(restated.group(1) + restated.group(2) + restated.group(4));
        }
        Matcher sequel = SEQUEL_SUBTITLE.matcher(e.title());
        TitleMatcher.Fallback fallback = null;
        if (sequel.matches()) {
            String shorter = sequel.group(1) + " " + sequel.group(2);
            fallback = new TitleMatcher.Fallback(shorter, TitleKey.of(shorter, kinds, null));
        }
        return new TitleMatcher.Item(titles, titles.stream().map(t -> TitleKey.of(t, kinds, null)).toList(),
                fallback);
    }

    /**
     * "X The Animation (TV)": the TV series of a work whose film or first adaptation is "X The Animation", which the
     * anime-offline-database may call plain "X" ("Grisaia: Phantom Trigger" beside "… The Animation"). Read as a
     * second title "X (TV)"; without the TV mark, "The Animation" stays part of the name ("City The Animation" is not
     * "CiTY").
     */
    /**
     * "X!! 2": a season number that restates the count of "!" after the name. Where the anime of that name tell
     * their seasons apart by that count ("Hataraku Maou-sama!" and "…!!"), Nautiljon's "Hataraku Maou-sama!! 2" is
     * "Hataraku Maou-sama!!" and its "… !! 2 2nd Season" is "… !! 2nd Season"; the reading is a second title. Where
     * "!!" is part of a first season's name ("Haikyuu!!"), "Haikyuu!! 2" stays season 2.
     */
    private static final Pattern RESTATED = Pattern.compile("(.*[^!\\s])(!{2,9})\\s+(\\d)(?!\\d)(.*)");

    /**
     * "X II - Subtitle": a numbered sequel with its own subtitle, which the anime-offline-database may leave out
     * ("Long Zu II - Dao Wang Zhe Zhi Tong" is "Long Zu Season 2"). Read from the site's side only, as a fallback
     * "X II" tried last, when the full title met nothing, and only against an anime whose title calls its number a
     * season (so "Lupin III - The Last Job" never claims "Lupin III"); an anime titled "X 2: Subtitle" is not read as
     * "X 2" (the film "Urusei Yatsura 2: Beautiful Dreamer" is no second season).
     */
    private static final Pattern SEQUEL_SUBTITLE = Pattern.compile(
            "(?i)(.*\\S)\\s+([2-9]|1\\d|ii|iii|iv|vi{0,3}|ix)\\s*(?:-|–|:)\\s+\\S.*");
    private static final Pattern ANIMATION_TV = Pattern.compile("(?i)(.*\\S)\\s+the\\s+animation\\s*\\(tv\\)\\s*");

    private static Map<Object, Integer> indexBy(List<Draft> drafts, String key) {
        Map<Object, Integer> index = new HashMap<>();
        for (int i = 0; i < drafts.size(); i++) {
            Object v = drafts.get(i).values.get(key);
            if (v != null) {
                index.putIfAbsent(v, i);
            }
        }
        return index;
    }

    /**
     * Applies manual mappings by exact AOD title. A mapping whose target is not in the site's current list points
     * at an item the site no longer has: it is not applied, and is reported as {@code stale}.
     *
     * @param onSite the site's current IDs (what {@code target} returns), empty when there is no snapshot of it
     * @param target the site ID a mapping points at
     */
    private static void manual(List<Draft> drafts, List<Records.ManualEntry> manual, String source, Set<Object> onSite,
                               Function<Records.ManualEntry, Object> target, MergeReport.Builder report,
                               ManualLinker linker) {
        Map<String, Draft> byTitle = new HashMap<>();
        drafts.forEach(d -> byTitle.put(d.title, d));
        // No list of the site (never scraped, or no good snapshot yet): nothing to check the mappings against.
        // They are applied as before, counted as unverified, rather than all dropped for want of a snapshot.
        boolean verifiable = !onSite.isEmpty();
        int matched = 0;
        int stale = 0;
        int unverified = 0;
        for (Records.ManualEntry m : manual) {
            Draft d = byTitle.get(m.title());
            if (d == null) {
                report.drop(source + " title not in AOD", m.title());
                continue;
            }
            if (verifiable && !onSite.contains(target.apply(m))) {
                report.drop(source + ": item not on the site", m.title() + " → " + target.apply(m));
                stale++;
                continue;
            }
            linker.link(d, m);
            if (verifiable) {
                matched++;
            } else {
                unverified++;
            }
        }
        report.matched(source, "manual", matched);
        report.matched(source, "stale", stale);
        report.matched(source, "unverified", unverified);
        report.matched(source, "unmatched", manual.size() - matched - stale - unverified);
    }

    /**
     * One-to-one keys claimed by several anime: the best provenance keeps it, then the fuller record, then the
     * smaller title.
     */
    private static void resolveConflicts(List<Draft> drafts, MergeReport.Builder report) {
        for (String key : ONE_TO_ONE) {
            resolve(drafts, key, value -> null, report);
        }
    }

    /**
     * The join keys of the AOD (myanimelist, anilist, anidb) claimed by several anime, settled before any join so
     * that an anime joins only through IDs it keeps: values joined through an ID it loses would stay behind.
     * Evidence first: for a shared MAL ID, the claimant whose AniList ID is the one ARM pairs with that MAL ID keeps
     * it, and the reverse for a shared AniList ID. When ARM does not single one out (no row, or its other ID on none
     * or several claimants), and always for AniDB (no source pairs it with another key), the deterministic rule of
     * {@link #resolveConflicts}: provenance rank, then the fuller record, then the smaller title.
     */
    private static void resolveJoinKeys(List<Draft> drafts, List<Records.ArmEntry> arm, MergeReport.Builder report) {
        Map<Integer, Records.ArmEntry> byMal = index(arm, Records.ArmEntry::myanimelist, armPreference());
        Map<Integer, Records.ArmEntry> byAnilist = index(arm, Records.ArmEntry::anilist, armPreference());
        resolve(drafts, "myanimelist", value -> {
            Records.ArmEntry row = byMal.get((Integer) value);
            return row == null || row.anilist() == null ? null : new Pairing("anilist", row.anilist());
        }, report);
        resolve(drafts, "anilist", value -> {
            Records.ArmEntry row = byAnilist.get((Integer) value);
            return row == null || row.myanimelist() == null ? null : new Pairing("myanimelist", row.myanimelist());
        }, report);
        resolve(drafts, "anidb", value -> null, report);
    }

    /**
     * One key's values claimed by several anime: the only claimant holding the ID the evidence pairs with the value
     * keeps it; otherwise the best provenance, then the fuller record, then the smaller title. The others lose it
     * (and its paired field), each case reported.
     */
    private static void resolve(List<Draft> drafts, String key, Function<Object, Pairing> evidence,
                                MergeReport.Builder report) {
        Map<Object, List<Draft>> claims = new HashMap<>();
        for (Draft d : drafts) {
            Object v = d.values.get(key);
            if (v != null) {
                claims.computeIfAbsent(v, k -> new ArrayList<>(1)).add(d);
            }
        }
        List<Object> contested = claims.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .map(Map.Entry::getKey).sorted(Comparator.comparing(String::valueOf)).toList();
        for (Object value : contested) {
            List<Draft> claimants = new ArrayList<>(claims.get(value));
            // Without evidence: the best provenance, then the fuller record (an anime-offline-database entry that
            // repeats another's ID is most often a sparse stub of the same work), then the smaller title.
            claimants.sort(Comparator.comparingInt((Draft d) -> d.via.getOrDefault(key, Method.FUZZY).rank())
                    .thenComparing(d -> -d.values.size()).thenComparing(d -> d.title));
            Pairing pairing = evidence.apply(value);
            List<Draft> agreeing = pairing == null ? List.of()
                    : claimants.stream().filter(d -> pairing.value().equals(d.values.get(pairing.key()))).toList();
            Draft owner = agreeing.size() == 1 ? agreeing.getFirst() : claimants.getFirst();
            String why = agreeing.size() == 1 ? " (ARM pairs it with " + pairing.key() + "/" + pairing.value() + ")"
                    : "";
            for (Draft loser : claimants) {
                if (loser == owner) {
                    continue;
                }
                loser.values.remove(key);
                if (!key.equals("anidb") && TitleKey.of(loser.title).raw().equals(TitleKey.of(owner.title).raw())) {
                    loser.repeats = true;
                }
                String pair = PAIRED.get(key);
                if (pair != null) {
                    loser.values.remove(pair);
                }
                report.conflict(key + "/" + value + ": kept by \"" + owner.title + "\", removed from \""
                        + loser.title + "\"" + why);
            }
        }
    }

    /** ARM rows repeating a MAL or AniList ID: the row with the most IDs wins, then the lowest Annict and Syoboi. */
    private static Comparator<Records.ArmEntry> armPreference() {
        return Comparator.comparingInt(Merger::armFields).reversed()
                .thenComparing(Records.ArmEntry::annict, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(Records.ArmEntry::shoboi, Comparator.nullsLast(Comparator.naturalOrder()));
    }

    private static void skipArmRow(Draft d, Records.ArmEntry row, Draft holder, MergeReport.Builder report) {
        report.drop("arm row via anilist naming another anime's myanimelist", "\"" + d.title + "\" anilist/"
                + row.anilist() + " → myanimelist/" + row.myanimelist() + " of \"" + holder.title + "\"");
    }

    /**
     * An ID a source pairs with a contested one.
     *
     * @param key   entry key
     * @param value its value
     */
    private record Pairing(String key, Object value) {
    }


    /** The IDs of a site's current list, as {@code id} reads them (nulls left out). */
    private static Set<Object> siteIds(List<External> site, Function<External, Object> id) {
        Set<Object> ids = new HashSet<>();
        for (External e : site) {
            Object v = id.apply(e);
            if (v != null) {
                ids.add(v);
            }
        }
        return ids;
    }

    /**
     * Every anime's second titles: its season title from AniTrakt, the season its arc title stands for
     * ({@link SpelledTitles#arcSeason}, from the title its slug spells, by anime index in {@code spelled}), then up to
     * {@value #MAX_SYNONYMS} of its synonyms from the anime-offline-database, those in Latin script only (the sites
     * title anime in romaji, English or French; the others would only cost index space).
     */
    static List<List<TitleKey>> secondTitles(List<Draft> drafts, List<TitleKey> keys, List<TitleKey> spelled) {
        List<List<TitleKey>> seasons = seasonTitles(drafts, keys);
        return IntStream.range(0, drafts.size()).parallel().mapToObj(i -> {
            Draft d = drafts.get(i);
            Set<TitleKey.Kind> kinds = TitleKey.Kind.ofLabel(d.type);
            TitleKey arc = SpelledTitles.arcSeason(keys.get(i), d.title, kinds, d.year, spelled.get(i));
            if (d.synonyms.isEmpty() && arc == null) {
                return seasons.get(i);
            }
            List<TitleKey> all = new ArrayList<>(seasons.get(i));
            if (arc != null) {
                all.add(arc);
            }
            d.synonyms.stream().filter(t -> LATIN.matcher(t).matches()).limit(MAX_SYNONYMS)
                    .forEach(t -> all.add(TitleKey.of(t, kinds, d.year)));
            return all;
        }).toList();
    }

    /**
     * The title each anime's Anime-Planet slug spells, where it says more than the anime's title and contradicts none
     * of its facts (null otherwise), by anime index ({@link SpelledTitles}).
     */
    static List<TitleKey> spelledTitles(List<Draft> drafts, List<TitleKey> keys) {
        return IntStream.range(0, drafts.size()).parallel().mapToObj(i -> {
            Draft d = drafts.get(i);
            return SpelledTitles.key(keys.get(i), d.title, TitleKey.Kind.ofLabel(d.type), d.year,
                    (String) d.values.get("animeplanet"));
        }).toList();
    }

    /**
     * Second titles from AniTrakt: where one Trakt show files several anime as its seasons, season N is also known
     * by the first season's title and N ("Phi Brain: Kami no Puzzle 2" for "… Orpheus Order-hen"), as sites name
     * sequels. Only a show with exactly one season 1 whose title names no number gives such titles.
     */
    static List<List<TitleKey>> seasonTitles(List<Draft> drafts, List<TitleKey> keys) {
        Map<Object, List<Integer>> shows = new HashMap<>();
        for (int i = 0; i < drafts.size(); i++) {
            Draft d = drafts.get(i);
            if ("shows".equals(d.values.get("trakt_type")) && d.values.get("trakt_season") != null) {
                shows.computeIfAbsent(d.values.get("trakt"), k -> new ArrayList<>()).add(i);
            }
        }
        List<List<TitleKey>> out = new ArrayList<>(java.util.Collections.nCopies(drafts.size(), List.of()));
        for (List<Integer> show : shows.values()) {
            List<Integer> first = show.stream()
                    .filter(i -> Integer.valueOf(1).equals(drafts.get(i).values.get("trakt_season"))).toList();
            if (first.size() != 1 || !keys.get(first.getFirst()).numbers().isEmpty()
                    || keys.get(first.getFirst()).movie() != null) {
                continue;
            }
            TitleKey name = keys.get(first.getFirst());
            for (int i : show) {
                int season = (Integer) drafts.get(i).values.get("trakt_season");
                if (season >= 2) {
                    out.set(i, List.of(name.asSeason(season)));
                }
            }
        }
        return out;
    }

    private static Map<String, Integer> counts(List<AnimeEntry> entries) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String key : AnimeEntry.KEYS) {
            if (!key.equals("title") && !key.equals("trakt_type") && !key.equals("trakt_season")) {
                counts.put(key, (int) entries.stream().filter(e -> e.get(key) != null).count());
            }
        }
        counts.put("total", entries.size());
        return counts;
    }

    private static String slug(String value, String platform, MergeReport.Builder report) {
        if (value == null) {
            return null;
        }
        if (!SLUG.matcher(value).matches() || value.startsWith("javascript:")) {
            report.drop(platform + " invalid id", value);
            return null;
        }
        return value;
    }

    private static <T> Map<Integer, T> index(List<T> rows, Function<T, Integer> key, Comparator<T> better) {
        Map<Integer, T> map = new HashMap<>();
        for (T row : rows) {
            Integer k = key.apply(row);
            if (k != null) {
                map.merge(k, row, (a, b) -> better.compare(a, b) <= 0 ? a : b);
            }
        }
        return map;
    }

    /** One anime being assembled: values by entry key and how each arrived. */
    static final class Draft {
        final String title;
        final String type;
        final Integer year;
        final List<String> synonyms;
        final Map<String, Object> values = new LinkedHashMap<>();
        final Map<String, Method> via = new HashMap<>();
        /**
         * Set when this anime is a second listing of another one: it lost a shared MyAnimeList or AniList ID to an
         * anime of the same title as {@link TitleKey#raw()} folds it (case, width, blanks), so a site's item of that
         * title means the other.
         */
        boolean repeats;

        Draft(String title, String type, Integer year, List<String> synonyms) {
            this.title = title;
            this.type = type;
            this.year = year;
            this.synonyms = synonyms;
        }

        Draft set(String key, Object value, Method method) {
            if (value == null) {
                values.remove(key);
                via.remove(key);
            } else {
                values.put(key, value);
                if (method != null) {
                    via.put(key, method);
                }
            }
            return this;
        }

        Draft fill(String key, Object value, Method method) {
            return values.get(key) == null ? set(key, value, method) : this;
        }

        Draft via(String key, Method method) {
            via.put(key, method);
            String pair = PAIRED.get(key);
            if (pair != null) {
                via.put(pair, method);
            }
            return this;
        }
    }

    @FunctionalInterface
    private interface Linker {
        void link(Draft d, External e);
    }

    @FunctionalInterface
    private interface ManualLinker {
        void link(Draft d, Records.ManualEntry m);
    }

    /**
     * The merged set.
     *
     * @param entries entries, titles unique, in AOD order
     * @param report  what happened
     */
    public record Result(List<AnimeEntry> entries, MergeReport report) {
    }
}
