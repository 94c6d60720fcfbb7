package moe.ids.merger;

import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.db.Database;
import moe.ids.core.db.Migrations;
import moe.ids.core.db.TestDatabases;
import moe.ids.merger.merge.External;
import moe.ids.merger.merge.MergeInputs;
import moe.ids.merger.merge.MergeSettings;
import moe.ids.merger.merge.Merger;
import moe.ids.merger.merge.TitleMatcher;
import moe.ids.merger.merge.TitleNormalizer;
import moe.ids.replay.ReplayServer;
import moe.ids.scraper.Scraper;
import moe.ids.scraper.ScraperConfig;
import moe.ids.scraper.http.HttpSettings;
import org.apache.commons.text.similarity.LevenshteinDistance;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** Run by bench/merger.sh: prints the merge figures of snapshot b and the all-pairs baseline. */
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
            MergeService service = new MergeService(db, MergeSettings.DEFAULTS, 0.05);
            // Warm-up (JIT), then the measured runs.
            service.load();
            new Merger(MergeSettings.DEFAULTS).merge(service.load());
            resetPeaks();

            long t0 = System.nanoTime();
            MergeInputs in = service.load();
            long tLoad = System.nanoTime() - t0;

            List<String> titles = in.aod().stream().map(a -> TitleNormalizer.normalize(a.title())).toList();
            List<String> externals = Stream.of(in.silveryasha(), in.otakotaku(), in.kaize(), in.nautiljon(),
                            in.traktTv().stream().map(t -> new External(t.title(), "1", 1, null)).toList(),
                            in.traktMovies().stream().map(t -> new External(t.title(), "1", 1, null)).toList())
                    .flatMap(List::stream).map(e -> TitleNormalizer.normalize(e.title())).toList();
            long t1 = System.nanoTime();
            TitleMatcher matcher = new TitleMatcher(titles);
            int matched = matcher.match(externals, 85, Set.of()).size();
            long tMatch = System.nanoTime() - t1;

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

            // Baseline: the original's all-pairs scan (every external title against every anime title) on a
            // sample, extrapolated to all external titles.
            int sample = Math.min(200, externals.size());
            LevenshteinDistance lev = LevenshteinDistance.getDefaultInstance();
            long t5 = System.nanoTime();
            long sink = 0;
            for (int i = 0; i < sample; i++) {
                String e = externals.get(i * externals.size() / sample);
                for (String t : titles) {
                    sink += lev.apply(e, t);
                }
            }
            double allPairsPerTitle = (System.nanoTime() - t5) / (double) sample;
            double allPairs = allPairsPerTitle * externals.size();

            System.out.printf(Locale.ROOT, "anime %d, external titles %d (matched at 85: %d), change set %d: %d upserts, "
                            + "%d map_set%n", merged.entries().size(), externals.size(), matched, first.version(),
                    first.upserts(), first.mapSets());
            System.out.printf(Locale.ROOT, "load snapshots from PostgreSQL   %8.0f ms%n", tLoad / 1e6);
            System.out.printf(Locale.ROOT, "merge rules (incl. matching)     %8.0f ms%n", tMerge / 1e6);
            System.out.printf(Locale.ROOT, "title matching alone             %8.0f ms   (goal <= 5000)%n", tMatch / 1e6);
            System.out.printf(Locale.ROOT, "full merge + first publish       %8.0f ms   (goal <= 10000)%n", tFull / 1e6);
            System.out.printf(Locale.ROOT, "merge again, nothing published   %8.0f ms   (published: %s)%n", tAgain / 1e6,
                    again.published());
            System.out.printf(Locale.ROOT, "peak heap                        %8.0f MiB  (goal <= 1024; -Xmx1g)%n",
                    peak / 1048576.0);
            System.out.printf(Locale.ROOT, "baseline all-pairs scan          %8.0f ms   (extrapolated from %d titles, %d)%n",
                    allPairs / 1e6, sample, sink % 10);
            System.out.printf(Locale.ROOT, "ratio indexed / all-pairs        %8.4f%n", tMatch / allPairs);
        } finally {
            Database.drop(url);
        }
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
