package moe.ids.testing;

import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.MappingKeys;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Synthetic snapshots "a" and "b" shaped like the anime-offline-database-derived set (the recorded upstream is
 * zstd-compressed, which tests cannot unpack without the merger): ~10 mapping keys per entry, shared IMDb/Trakt
 * IDs, non-ASCII titles and slugs; b differs from a by upserts, deletes, new entries, cleared fields and mapping
 * keys that move from one anime to another.
 */
public final class SyntheticData {
    private static final String[] WORDS = {"Sword", "Heart", "Sky", "Kimi", "no", "Na wa", "Tenshi", "Shōjo", "Ōkami",
            "Akuma", "Gakuen", "Monogatari", "Season", "2nd", "Movie", "魔法", "少女", "Ωmega", "Café", "Zero"};

    private SyntheticData() {
    }

    /**
     * @param n    entries
     * @param seed random seed
     * @return internal ID → entry (IDs 1..n)
     */
    public static TreeMap<Long, AnimeEntry> a(int n, long seed) {
        Random r = new Random(seed);
        TreeMap<Long, AnimeEntry> out = new TreeMap<>();
        for (long id = 1; id <= n; id++) {
            out.put(id, entry(r, id));
        }
        return out;
    }

    /**
     * @param a    snapshot a
     * @param seed random seed
     * @return snapshot b: ~2% changed (a third of them moving a mapping key to another anime), ~1% deleted,
     *         ~1% new
     */
    public static TreeMap<Long, AnimeEntry> b(TreeMap<Long, AnimeEntry> a, long seed) {
        Random r = new Random(seed);
        TreeMap<Long, AnimeEntry> b = new TreeMap<>(a);
        List<Long> ids = new ArrayList<>(a.keySet());
        int n = ids.size();
        for (int i = 0; i < n / 100; i++) {
            b.remove(ids.get(r.nextInt(n)));
        }
        for (int i = 0; i < n / 50; i++) {
            long id = ids.get(r.nextInt(n));
            AnimeEntry e = b.get(id);
            if (e == null) {
                continue;
            }
            AnimeEntry.Builder eb = e.toBuilder();
            switch (i % 3) {
                case 0 -> eb.set("anisearch", 900_000 + i).set("title", e.title() + " (TV)");
                case 1 -> eb.set("livechart", null).set("kitsu", e.kitsu() == null ? 700_000 + i : e.kitsu() + 1);
                default -> {
                    // move this anime's AniList ID to another anime
                    long other = ids.get(r.nextInt(n));
                    AnimeEntry o = b.get(other);
                    if (o != null && other != id && e.anilist() != null) {
                        b.put(other, o.toBuilder().set("anilist", e.anilist()).build());
                        eb.set("anilist", null);
                    }
                }
            }
            b.put(id, eb.build());
        }
        long next = a.lastKey() + 1;
        for (int i = 0; i < n / 100; i++) {
            b.put(next, entry(r, next));
            next++;
        }
        return b;
    }

    /**
     * The published mapping: every key of every entry, the lowest internal ID winning a shared key.
     *
     * @param entries snapshot
     * @return mapping key → internal ID
     */
    public static TreeMap<String, Long> mappings(Map<Long, AnimeEntry> entries) {
        TreeMap<String, Long> m = new TreeMap<>();
        new TreeMap<>(entries).forEach((id, e) -> MappingKeys.of(e).forEach(k -> m.putIfAbsent(k, id)));
        return m;
    }

    private static AnimeEntry entry(Random r, long id) {
        StringBuilder title = new StringBuilder();
        for (int w = 0, words = 2 + r.nextInt(4); w < words; w++) {
            title.append(w == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
        }
        int i = (int) id;
        AnimeEntry.Builder b = AnimeEntry.builder(title + " " + id);
        b.set("myanimelist", i * 2 + r.nextInt(2));
        b.set("shikimori", b.get("myanimelist"));
        b.set("anilist", 100_000 + i * 3 + r.nextInt(3));
        if (r.nextInt(10) < 8) {
            b.set("anidb", 10_000 + i);
        }
        if (r.nextInt(10) < 8) {
            b.set("kitsu", 40_000 + i * 2);
        }
        if (r.nextInt(10) < 7) {
            b.set("livechart", 5_000 + i);
        }
        if (r.nextInt(10) < 7) {
            b.set("anisearch", 20_000 + i);
        }
        if (r.nextInt(10) < 8) {
            b.set("animeplanet", slug(title.toString()) + "-" + id);
        }
        if (r.nextInt(10) < 6) {
            b.set("kaize", slug(title.toString()) + "-k" + id).set("kaize_id", 60_000 + i);
        }
        if (r.nextInt(10) < 6) {
            b.set("notify", Long.toString(id * 7919L, 36).toUpperCase() + "Ab_-" + (id % 10));
        }
        if (r.nextInt(10) < 6) {
            b.set("simkl", 1_000_000 + i * 5);
        }
        if (r.nextInt(10) < 5) {
            b.set("annict", 3_000 + i);
        }
        if (r.nextInt(10) < 3) {
            b.set("shoboi", 6_000 + i / 2); // sometimes shared
        }
        if (r.nextInt(20) == 0) {
            b.set("imdb", "tt" + (1_000_000 + i / 2)); // shared by neighbours
        }
        if (r.nextInt(10) == 0) {
            b.set("trakt", 30_000 + i / 3).set("trakt_type", "shows").set("trakt_season", 1 + i % 3);
        }
        if (r.nextInt(50) == 0) {
            b.set("themoviedb", 500_000 + i);
        }
        if (r.nextInt(10) < 4) {
            b.set("nautiljon", slug(title.toString()) + "+" + id).set("nautiljon_id", 80_000 + i);
        }
        return b.build();
    }

    private static String slug(String title) {
        return title.toLowerCase().replace(' ', '-');
    }
}
