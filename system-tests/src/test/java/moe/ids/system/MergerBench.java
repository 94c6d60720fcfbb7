package moe.ids.system;

import moe.ids.merger.MergeService;
import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.db.Database;
import moe.ids.db.Db;
import moe.ids.db.Migrations;
import moe.ids.testing.TestDatabases;
import moe.ids.merger.merge.External;
import moe.ids.merger.merge.MergeInputs;
import moe.ids.merger.merge.MergeSettings;
import moe.ids.merger.merge.Merger;
import moe.ids.merger.merge.SpelledTitles;
import moe.ids.merger.merge.TitleMatcher;
import moe.ids.merger.merge.TitleKey;
import moe.ids.core.snapshot.Records;
import moe.ids.replay.ReplayServer;
import moe.ids.scraper.Scraper;
import moe.ids.scraper.ScraperConfig;
import moe.ids.scraper.http.HttpSettings;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Run by bench/merger.sh: prints the merge figures of snapshot b and title matching against its baseline. */
public final class MergerBench {
    private MergerBench() {
    }

    /**
     * @param args ignored
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path upstream = ReplayServer.locateUpstream().orElseThrow(() -> new IllegalStateException(
                "recorded upstream not found (../shared/upstream)"));
        DatabaseUrl url = TestDatabases.fresh("bench_merge");
        try (ReplayServer replay = ReplayServer.start(upstream, "b");
             HikariDataSource db = Database.pool(url, "bench", 6)) {
            Migrations.migrate(url);
            HttpSettings http = new HttpSettings("bench", Duration.ofSeconds(5), Duration.ofSeconds(60), 3,
                    Duration.ofMillis(20), Duration.ofMillis(200), Optional.empty(), Optional.of(replay.baseUri()));
            try (Scraper scraper = new Scraper(new ScraperConfig(url, 0, http, 4, 0.5, 1, 3), db)) {
                scraper.run(List.of(), false);
            }
            MergeService service = new MergeService(Db.over(db), MergeSettings.DEFAULTS, 0.05);
            // Warm-up (JIT), then the measured runs.
            service.load();
            new Merger(MergeSettings.DEFAULTS).merge(service.load());
            resetPeaks();

            long t0 = System.nanoTime();
            MergeInputs in = service.load();
            long tLoad = System.nanoTime() - t0;

            // Title matching of every site (all of its items, by title only), the evidence-based matcher against
            // the word-index baseline, interleaved; medians of the rounds.
            int rounds = Integer.getInteger("bench.rounds", 5);
            List<Long> evidence = new java.util.ArrayList<>();
            List<Long> baseline = new java.util.ArrayList<>();
            int[] matched = new int[2];
            for (int r = 0; r < rounds; r++) {
                long s0 = System.nanoTime();
                matched[0] = evidenceMatching(in);
                evidence.add(System.nanoTime() - s0);
                long s1 = System.nanoTime();
                matched[1] = baselineMatching(in);
                baseline.add(System.nanoTime() - s1);
            }
            long tMatch = median(evidence);
            long tBase = median(baseline);

            long t2 = System.nanoTime();
            Merger.Result merged = new Merger(MergeSettings.DEFAULTS).merge(in);
            long tMerge = System.nanoTime() - t2;

            long t3 = System.nanoTime();
            MergeService.Outcome first = service.run(false);
            long tFull = System.nanoTime() - t3;
            long t4 = System.nanoTime();
            MergeService.Outcome again = service.run(false);
            long tAgain = System.nanoTime() - t4;
            long peak = peakHeap();

            System.out.printf(Locale.ROOT, "anime %d, site items %d (matched by title: %d, baseline %d), change set %d: "
                            + "%d upserts, %d map_set%n", merged.entries().size(), in.kaize().size() + in.nautiljon().size()
                            + in.otakotaku().size() + in.silveryasha().size(), matched[0], matched[1], first.version(),
                    first.upserts(), first.mapSets());
            System.out.printf(Locale.ROOT, "load snapshots from PostgreSQL   %8.0f ms%n", tLoad / 1e6);
            System.out.printf(Locale.ROOT, "merge rules (incl. matching)     %8.0f ms%n", tMerge / 1e6);
            System.out.printf(Locale.ROOT, "title matching, every site       %8.0f ms   (median of %d: %s)%n", tMatch / 1e6,
                    rounds, millis(evidence));
            System.out.printf(Locale.ROOT, "baseline word-index matching     %8.0f ms   (median of %d: %s)%n", tBase / 1e6,
                    rounds, millis(baseline));
            System.out.printf(Locale.ROOT, "ratio evidence / baseline        %8.2f   (goal <= 2.00)%n", tMatch / (double) tBase);
            System.out.printf(Locale.ROOT, "full merge + first publish       %8.0f ms   (goal <= 10000)%n", tFull / 1e6);
            System.out.printf(Locale.ROOT, "merge again, inputs unchanged    %8.0f ms   (published: %s, skipped: %s)%n",
                    tAgain / 1e6, again.published(), again.skipped());
            System.out.printf(Locale.ROOT, "peak heap                        %8.0f MiB  (goal <= 1024; -Xmx1g)%n",
                    peak / 1048576.0);
        } finally {
            TestDatabases.drop(url);
        }
    }

    /** A site the bench matches: its items and its threshold. */
    private record Site(java.util.function.Function<MergeInputs, List<External>> items, int threshold) {
    }

    private static final List<Site> SITES = List.of(
            new Site(MergeInputs::silveryasha, MergeSettings.DEFAULTS.silveryasha()),
            new Site(MergeInputs::otakotaku, MergeSettings.DEFAULTS.otakotaku()),
            new Site(MergeInputs::kaize, MergeSettings.DEFAULTS.kaize()),
            new Site(MergeInputs::nautiljon, MergeSettings.DEFAULTS.nautiljon()));

    /** Keys of every anime and item, the index, and the matching of the four sites. */
    private static int evidenceMatching(MergeInputs in) {
        List<String> titles = in.aod().stream().map(Records.AodAnime::title).toList();
        List<TitleKey> keys = in.aod().stream()
                .map(a -> TitleKey.of(a.title(), TitleKey.Kind.ofLabel(a.type()), a.year())).toList();
        List<TitleKey> spelled = new java.util.ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            Records.AodAnime a = in.aod().get(i);
            spelled.add(SpelledTitles.key(keys.get(i), a.title(), TitleKey.Kind.ofLabel(a.type()), a.year(),
                    a.animeplanet()));
        }
        // listed by the programme guide or as a Trakt show, by MyAnimeList ID (the merge joins them the same way)
        Set<Integer> listed = new java.util.HashSet<>();
        in.arm().stream().filter(a -> a.shoboi() != null && a.myanimelist() != null)
                .forEach(a -> listed.add(a.myanimelist()));
        in.traktTv().forEach(t -> listed.add(t.myanimelist()));
        List<Boolean> aired = in.aod().stream().map(a -> a.myanimelist() != null && listed.contains(a.myanimelist())
                ? Boolean.TRUE : (a.myanimelist() != null || a.anilist() != null) && a.anidb() == null ? Boolean.FALSE
                : null).toList();
        TitleMatcher matcher = new TitleMatcher(titles, keys, List.of(), spelled, aired);
        int n = 0;
        for (Site site : SITES) {
            List<TitleMatcher.Item> items = site.items().apply(in).stream().map(e -> {
                Set<TitleKey.Kind> kinds = TitleKey.Kind.ofLabel(e.format());
                List<String> t = e.altTitle() == null || e.altTitle().equals(e.title()) ? List.of(e.title())
                        : List.of(e.title(), e.altTitle());
                return new TitleMatcher.Item(t, t.stream().map(x -> TitleKey.of(x, kinds, null)).toList());
            }).toList();
            n += matcher.match(items, site.threshold(), Set.of()).matches().size();
        }
        return n;
    }

    /** The same with the baseline's normalizer and word index. */
    private static int baselineMatching(MergeInputs in) {
        WordIndexBaseline.Index index = new WordIndexBaseline.Index(in.aod().stream()
                .map(a -> WordIndexBaseline.Titles.normalize(a.title())).toList());
        int n = 0;
        for (Site site : SITES) {
            n += index.match(site.items().apply(in).stream().map(e -> WordIndexBaseline.Titles.normalize(e.title()))
                    .toList(), site.threshold(), Set.of()).size();
        }
        return n;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String millis(List<Long> values) {
        return values.stream().map(v -> Long.toString(v / 1_000_000)).collect(java.util.stream.Collectors.joining(" "));
    }

    private static void resetPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

}
