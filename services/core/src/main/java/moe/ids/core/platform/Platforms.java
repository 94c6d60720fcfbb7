package moe.ids.core.platform;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The platform registry: the 20 lookup platforms and the 3 redirect-only targets,
 * resolvable case-insensitively by canonical name, two-letter code or alias.
 */
public final class Platforms {
    /** Trakt pages: {@code https://trakt.tv/{type}/{id}}, seasons appended by {@link #traktUrl}. */
    private static final String TRAKT = "https://trakt.tv/";

    private static final List<Platform> ALL = List.of(
            p("anidb", "ad", IdType.INT, "https://anidb.net/anime/{id}", "adb", "anidb.net"),
            p("anilist", "al", IdType.INT, "https://anilist.co/anime/{id}", "anilist.co"),
            p("animenewsnetwork", "an", IdType.INT,
                    "https://www.animenewsnetwork.com/encyclopedia/anime.php?id={id}", "ann", "animenewsnetwork.com"),
            p("animeplanet", "ap", IdType.STRING, "https://www.anime-planet.com/anime/{id}",
                    "anime-planet", "anime-planet.com", "animeplanet.com"),
            p("anisearch", "as", IdType.INT, "https://www.anisearch.com/anime/{id}",
                    "anisearch.com", "anisearch.de", "anisearch.it", "anisearch.es", "anisearch.fr", "anisearch.jp"),
            p("annict", "ac", IdType.INT, "https://annict.com/works/{id}",
                    "anc", "act", "annict.com", "annict.jp", "en.annict.com"),
            p("imdb", "im", IdType.STRING, "https://www.imdb.com/title/{id}", "imdb.com"),
            p("kaize", "kz", IdType.STRING, "https://kaize.io/anime/{id}", "kaize.io"),
            p("kitsu", "kt", IdType.INT, "https://kitsu.app/anime/{id}", "kts", "kitsu.io", "kitsu.app"),
            p("livechart", "lc", IdType.INT, "https://www.livechart.me/anime/{id}", "livechart.me"),
            p("myanimelist", "ma", IdType.INT, "https://myanimelist.net/anime/{id}", "mal", "myanimelist.net"),
            p("nautiljon", "nj", IdType.STRING, "https://www.nautiljon.com/animes/{id}.html", "ntj", "nautiljon.com"),
            p("notify", "nf", IdType.STRING, "https://notify.moe/anime/{id}",
                    "ntf", "ntm", "notifymoe", "notify.moe"),
            p("otakotaku", "oo", IdType.INT, "https://otakotaku.com/anime/view/{id}", "otakotaku.com"),
            p("shikimori", "sh", IdType.INT, "https://shikimori.one/animes/{id}",
                    "shiki", "shk", "shikimori.me", "shikimori.one", "shikimori.org"),
            p("shoboi", "sb", IdType.INT, "https://cal.syoboi.jp/tid/{id}",
                    "shb", "syb", "shobocal", "syoboi", "syobocal", "cal.syoboi.jp"),
            p("silveryasha", "sy", IdType.INT, "https://db.silveryasha.id/anime/{id}",
                    "dbti", "db.silveryasha.id", "db.silveryasha.web.id"),
            p("simkl", "sm", IdType.INT, "https://simkl.com/anime/{id}",
                    "smk", "simkl.com", "animecountdown", "animecountdown.com"),
            p("themoviedb", "tm", IdType.INT, "https://www.themoviedb.org/movie/{id}",
                    "tmdb", "themoviedb.org", "tmdb.org"),
            p("trakt", "tr", IdType.INT, TRAKT + "shows/{id}", "trk", "trakt.tv"),
            redirect("kurozora", "kr", "myanimelist", "https://kurozora.app/myanimelist.net/anime/{id}",
                    "krz", "kurozora.app"),
            redirect("letterboxd", "lb", "themoviedb", "https://letterboxd.com/tmdb/{id}", "letterboxd.com"),
            redirect("myanili", "my", "myanimelist", "https://myani.li/#/anime/details/{id}", "myani.li"));

    private static final Map<String, Platform> BY_ANY_NAME = index();

    private Platforms() {
    }

    /**
     * @return all 23 platforms, lookup platforms first, in registry order
     */
    public static List<Platform> all() {
        return ALL;
    }

    /**
     * @return the 20 platforms that have data and can be looked up
     */
    public static List<Platform> lookupPlatforms() {
        return ALL.stream().filter(p -> !p.redirectOnly()).toList();
    }

    /**
     * Resolves a name, code or alias, ignoring case and surrounding blanks.
     *
     * @param name what the caller typed
     * @return the platform
     * @throws UnknownPlatformException when nothing matches
     */
    public static Platform resolve(String name) {
        return find(name).orElseThrow(() -> new UnknownPlatformException(name));
    }

    /**
     * @param name what the caller typed
     * @return the platform, or empty when the name is unknown
     */
    public static Optional<Platform> find(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_ANY_NAME.get(name.strip().toLowerCase(Locale.ROOT)));
    }

    /**
     * Trakt page URL.
     *
     * @param type   {@code shows} or {@code movies}
     * @param id     Trakt ID
     * @param season season number, or null for the show / movie page
     * @return absolute https URL
     */
    public static String traktUrl(String type, long id, Integer season) {
        if (!"shows".equals(type) && !"movies".equals(type)) {
            throw new IllegalArgumentException("trakt type must be shows or movies: " + type);
        }
        String url = TRAKT + type + "/" + id;
        return season == null ? url : url + "/seasons/" + season;
    }

    private static Map<String, Platform> index() {
        Map<String, Platform> map = new HashMap<>();
        for (Platform p : ALL) {
            put(map, p.name(), p);
            put(map, p.code(), p);
            p.aliases().forEach(a -> put(map, a, p));
        }
        return Map.copyOf(map);
    }

    private static void put(Map<String, Platform> map, String key, Platform p) {
        Platform old = map.putIfAbsent(key, p);
        if (old != null && old != p) {
            throw new IllegalStateException("alias " + key + " names both " + old.name() + " and " + p.name());
        }
    }

    private static Platform p(String name, String code, IdType type, String template, String... aliases) {
        return new Platform(name, code, List.of(aliases), type, template, Optional.empty());
    }

    private static Platform redirect(String name, String code, String from, String template, String... aliases) {
        return new Platform(name, code, List.of(aliases), IdType.INT, template, Optional.of(from));
    }
}
