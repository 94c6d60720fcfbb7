package moe.ids.core.snapshot;

import java.util.List;

/**
 * The normalized record types of the sources, one per source kind: what the scraper stores in a snapshot's
 * {@code source_snapshot.records} (a JSON array of them) and the merger reads back. Part of the snapshot contract
 * between the two, beside the schema that stores them.
 */
public final class Records {
    private Records() {
    }

    /**
     * One anime of the anime-offline-database, IDs taken from its source URLs.
     *
     * @param title            title
     * @param type             TV, MOVIE, … (UNKNOWN in the reconstructed record)
     * @param episodes         episode count (0 when unknown)
     * @param year             season year, or null
     * @param anidb            AniDB ID
     * @param anilist          AniList ID
     * @param animenewsnetwork ANN ID
     * @param animeplanet      Anime-Planet slug
     * @param anisearch        aniSearch ID
     * @param kitsu            Kitsu ID (numeric only)
     * @param livechart        LiveChart ID
     * @param myanimelist      MyAnimeList ID
     * @param notifyMoe        notify.moe ID
     * @param simkl            SIMKL ID
     * @param synonyms         its other titles (empty when none, or in records stored before they were kept)
     */
    public record AodAnime(String title, String type, int episodes, Integer year, Integer anidb, Integer anilist,
                           Integer animenewsnetwork, String animeplanet, Integer anisearch, Integer kitsu,
                           Integer livechart, Integer myanimelist, String notifyMoe, Integer simkl,
                           List<String> synonyms) {
        /** Null (a record stored without synonyms) reads as none. */
        public AodAnime {
            synonyms = synonyms == null ? List.of()
                    : synonyms.stream().filter(java.util.Objects::nonNull).toList();
        }
    }

    /**
     * One row of kawaiioverflow's ARM.
     *
     * @param myanimelist MAL ID
     * @param anilist     AniList ID
     * @param annict      Annict ID
     * @param shoboi      Syoboi Calendar TID
     */
    public record ArmEntry(Integer myanimelist, Integer anilist, Integer annict, Integer shoboi) {
    }

    /**
     * One row of AniTrakt (TV or movies).
     *
     * @param myanimelist MAL ID
     * @param trakt       Trakt ID
     * @param type        {@code shows} or {@code movies}
     * @param season      season number for shows, null for movies
     * @param title       title on AniTrakt
     * @param slug        guessed Trakt slug
     */
    public record TraktEntry(int myanimelist, int trakt, String type, Integer season, String title, String slug) {
    }

    /**
     * One anime of the Silveryasha dump.
     *
     * @param id          Silveryasha ID
     * @param myanimelist MAL ID (sent as a string upstream)
     * @param title       title
     * @param titleAlt    alternative title
     */
    public record SilveryashaEntry(int id, Integer myanimelist, String title, String titleAlt) {
    }

    /**
     * One row of Fribb's anime-lists-reduced, keyed by AniDB.
     *
     * @param anidb           AniDB ID
     * @param imdb            IMDb IDs
     * @param themoviedbMovie TMDB movie IDs
     * @param themoviedbTv    TMDB TV IDs
     * @param thetvdb         TheTVDB ID
     */
    public record FribbEntry(int anidb, List<String> imdb, List<Integer> themoviedbMovie, List<Integer> themoviedbTv,
                             Integer thetvdb) {
    }

    /**
     * One manual mapping of AnimeAPI: an AOD title → an ID on the platform.
     *
     * @param title     AOD title
     * @param id        the platform ID as text (Kaize slug, or a number)
     * @param numericId numeric ID (Kaize's {@code kaize_id}, or the number itself), or null
     */
    public record ManualEntry(String title, String id, Integer numericId) {
    }

    /**
     * One anime of Kaize's top list ({@code https://kaize.io/anime/top?page=N}).
     *
     * @param title   title as shown (text of {@code a.name}, verbatim)
     * @param slug    last path segment of the anime's URL ({@code https://kaize.io/anime/{slug}})
     * @param kaizeId numeric Kaize ID from the cover image name {@code anime_image_{id}}, or null when absent
     */
    public record KaizeEntry(String title, String slug, Integer kaizeId) {
    }

    /**
     * One anime of Nautiljon's list ({@code https://www.nautiljon.com/animes/?dbt=N}).
     *
     * @param title    title ({@code a.eTitre}), invisible characters kept
     * @param francais French title ({@code span.infos_small} without exactly one pair of outer parentheses), or null
     * @param slug     file name of the anime's page without {@code .html}, verbatim ({@code +} and %-escapes kept);
     *                 null for an entry without a page ({@code href="javascript:;"})
     * @param entryId  numeric ID from the thumbnail name {@code _{id}.webp}, or null
     * @param format   format column (Série, Film, OAV, …)
     * @param status   status column (Terminée, En cours, …)
     */
    public record NautiljonEntry(String title, String francais, String slug, Integer entryId, String format,
                                 String status) {
    }

    /**
     * One anime of the Otak Otaku API ({@code https://otakotaku.com/api/anime/view/{id}}).
     *
     * @param id               Otak Otaku ID ({@code id_anime})
     * @param title            title ({@code judul_anime}, HTML entities decoded)
     * @param myanimelist      MAL ID ({@code mal_id_anime}), or null
     * @param animeplanet      Anime-Planet slug ({@code ap_id_anime}), or null
     * @param anidb            AniDB ID ({@code anidb_id_anime}), or null
     * @param animenewsnetwork ANN ID ({@code ann_id_anime}), or null
     */
    public record OtakOtakuEntry(int id, String title, Integer myanimelist, String animeplanet, Integer anidb,
                                 Integer animenewsnetwork) {
    }
}
