package moe.ids.core.entry;

import java.util.ArrayList;
import java.util.List;

/**
 * The mapping keys an entry owns: {@code {platform}/{id}} for every platform
 * with a value, {@code kaize_id/{n}}, {@code nautiljon_id/{n}}, Trakt {@code trakt/{type}/{id}} plus
 * {@code trakt/shows/{id}/seasons/{n}}, and TMDB {@code themoviedb/movie/{id}}. Which entry a key of a shared
 * platform finally resolves to is the merger's decision; this class only lists candidates.
 */
public final class MappingKeys {
    /** Entry keys that map one-to-one to {@code {key}/{value}} lookup keys. */
    private static final List<String> PLAIN = List.of("anidb", "anilist", "animenewsnetwork", "animeplanet",
            "anisearch", "annict", "imdb", "kaize", "kaize_id", "kitsu", "livechart", "myanimelist", "nautiljon",
            "nautiljon_id", "notify", "otakotaku", "shikimori", "shoboi", "silveryasha", "simkl");

    private MappingKeys() {
    }

    /**
     * @param e the entry
     * @return its mapping keys, in a fixed order
     */
    public static List<String> of(AnimeEntry e) {
        List<String> keys = new ArrayList<>(24);
        for (String k : PLAIN) {
            Object v = e.get(k);
            if (v != null) {
                keys.add(k + "/" + v);
            }
        }
        if (e.themoviedb() != null) {
            keys.add(themoviedbMovie(e.themoviedb()));
        }
        if (e.trakt() != null && e.traktType() != null) {
            keys.add(trakt(e.traktType(), e.trakt(), null));
            if ("shows".equals(e.traktType()) && e.traktSeason() != null) {
                keys.add(trakt("shows", e.trakt(), e.traktSeason()));
            }
        }
        return keys;
    }

    /**
     * @param platform canonical platform name (or {@code kaize_id}/{@code nautiljon_id})
     * @param id       the ID as text
     * @return the mapping key
     */
    public static String plain(String platform, String id) {
        return platform + "/" + id;
    }

    /**
     * @param type   shows or movies
     * @param id     Trakt ID
     * @param season season, or null
     * @return the Trakt mapping key
     */
    public static String trakt(String type, long id, Integer season) {
        String key = "trakt/" + type + "/" + id;
        return season == null ? key : key + "/seasons/" + season;
    }

    /**
     * @param id TMDB movie ID
     * @return the TMDB mapping key
     */
    public static String themoviedbMovie(long id) {
        return "themoviedb/movie/" + id;
    }
}
