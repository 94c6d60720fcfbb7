package moe.ids.scraper.source;

import moe.ids.core.snapshot.Records;
import moe.ids.replay.IndexRow;
import moe.ids.replay.IndexTsv;
import moe.ids.replay.ReplayServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Normalization of the real recorded files of snapshot b (read from disk, no HTTP). */
class RecordedSourcesIT {
    private static Path snapshotB;

    @BeforeAll
    static void locate() {
        Path root = ReplayServer.locateUpstream().orElse(null);
        Assumptions.assumeTrue(root != null, "recorded upstream (../shared/upstream) not found; skipping");
        snapshotB = root.resolve("b");
    }

    private static byte[] body(String url) throws Exception {
        for (IndexRow row : IndexTsv.read(snapshotB.resolve("index.tsv"))) {
            if (row.method().equals("GET") && row.url().equals(url)) {
                return Files.readAllBytes(row.file());
            }
        }
        throw new AssertionError("not recorded: " + url);
    }

    @Test
    void aod() throws Exception {
        List<Records.AodAnime> aod = new AodSource().parse(body(AodSource.URL));
        assertEquals(34814, aod.size());
        Records.AodAnime bebop = aod.stream().filter(a -> Integer.valueOf(1).equals(a.myanimelist())).findFirst()
                .orElseThrow();
        assertEquals("Cowboy Bebop", bebop.title());
        assertEquals(23, bebop.anidb());
        assertEquals(1, bebop.anilist());
        assertEquals(1, bebop.kitsu());
        assertEquals("cowboy-bebop", bebop.animeplanet());
        long kitsu = aod.stream().filter(a -> a.kitsu() != null).count();
        assertTrue(kitsu > 20_000, "kitsu.app URLs read: " + kitsu);
    }

    @Test
    void fribbRealRows() throws Exception {
        List<Records.FribbEntry> fribb = new FribbSource().parse(body(FribbSource.URL));
        assertEquals(10701, fribb.size());
        Records.FribbEntry first = fribb.getFirst();
        assertEquals(new Records.FribbEntry(1, List.of(), List.of(), List.of(26209), 72025), first);
        assertTrue(fribb.stream().allMatch(e -> e.imdb().stream().allMatch(i -> i.matches("tt\\d+"))));
        assertTrue(fribb.stream().filter(e -> !e.themoviedbMovie().isEmpty()).count() > 100);
    }

    @Test
    void silveryashaAndTraktRealRows() throws Exception {
        List<Records.SilveryashaEntry> sy = new SilveryashaSource().parse(body(SilveryashaSource.URL));
        assertEquals(4634, sy.size());
        Records.SilveryashaEntry seeds = sy.stream().filter(e -> e.id() == 388).findFirst().orElseThrow();
        assertEquals(40602, seeds.myanimelist());
        List<Records.TraktEntry> tv = AniTraktSource.tv().parse(body(AniTraktSource.tv().urls().getFirst()));
        Records.TraktEntry bebop = tv.stream().filter(e -> e.myanimelist() == 1).findFirst().orElseThrow();
        assertEquals(30857, bebop.trakt());
        assertEquals(1, bebop.season());
        List<Records.TraktEntry> movies = AniTraktSource.movies().parse(body(AniTraktSource.movies().urls().getFirst()));
        assertEquals(1359, movies.size());
        assertTrue(movies.stream().allMatch(m -> m.type().equals("movies") && m.season() == null));
        List<Records.ArmEntry> arm = new ArmSource().parse(body(ArmSource.URL));
        Records.ArmEntry m5114 = arm.stream().filter(e -> Integer.valueOf(5114).equals(e.myanimelist())).findFirst()
                .orElseThrow();
        assertEquals(1745, m5114.annict());
        assertEquals(1575, m5114.shoboi());
        assertNull(arm.stream().filter(e -> Integer.valueOf(61469).equals(e.myanimelist())).findFirst().orElseThrow()
                .shoboi());
    }
}
