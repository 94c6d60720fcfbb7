package moe.ids.core.entry;

import java.util.List;
import java.util.Set;

/**
 * One anime as served: the served keys in their fixed order ({@code docs/http-api.md}, "The entry"), then the extra
 * fields {@code thetvdb} and {@code themoviedb_tv}. {@code null} means unknown. Nothing internal (hashes,
 * internal IDs) is part of an entry; see {@link CanonicalJson} for its bytes.
 *
 * @param title title
 * @param anidb anidb
 * @param anilist anilist
 * @param animenewsnetwork animenewsnetwork
 * @param animeplanet animeplanet
 * @param anisearch anisearch
 * @param annict annict
 * @param imdb imdb
 * @param kaize kaize
 * @param kaizeId kaize_id
 * @param kitsu kitsu
 * @param livechart livechart
 * @param myanimelist myanimelist
 * @param nautiljon nautiljon
 * @param nautiljonId nautiljon_id
 * @param notifyMoe notify
 * @param otakotaku otakotaku
 * @param shikimori shikimori
 * @param shoboi shoboi
 * @param silveryasha silveryasha
 * @param simkl simkl
 * @param themoviedb themoviedb
 * @param trakt trakt
 * @param traktType trakt_type
 * @param traktSeason trakt_season
 * @param thetvdb thetvdb
 * @param themoviedbTv themoviedb_tv
 */
public record AnimeEntry(
        String title,
        Integer anidb,
        Integer anilist,
        Integer animenewsnetwork,
        String animeplanet,
        Integer anisearch,
        Integer annict,
        String imdb,
        String kaize,
        Integer kaizeId,
        Integer kitsu,
        Integer livechart,
        Integer myanimelist,
        String nautiljon,
        Integer nautiljonId,
        String notifyMoe,
        Integer otakotaku,
        Integer shikimori,
        Integer shoboi,
        Integer silveryasha,
        Integer simkl,
        Integer themoviedb,
        Integer trakt,
        String traktType,
        Integer traktSeason,
        Integer thetvdb,
        Integer themoviedbTv) {

    /** Every key in serving order (also the TSV header). */
    public static final List<String> KEYS = List.of("title", "anidb", "anilist", "animenewsnetwork", "animeplanet", "anisearch", "annict", "imdb", "kaize", "kaize_id", "kitsu", "livechart", "myanimelist", "nautiljon", "nautiljon_id", "notify", "otakotaku", "shikimori", "shoboi", "silveryasha", "simkl", "themoviedb", "trakt", "trakt_type", "trakt_season", "thetvdb", "themoviedb_tv");

    /** Keys whose values are strings; all others are integers. */
    public static final Set<String> STRING_KEYS = Set.of("title", "animeplanet", "imdb", "kaize", "nautiljon", "notify", "trakt_type");

    /** Validates the invariants that make an entry servable. */
    public AnimeEntry {
        if (title == null) {
            throw new IllegalArgumentException("title is required");
        }
        if (traktType != null && !traktType.equals("shows") && !traktType.equals("movies")) {
            throw new IllegalArgumentException("trakt_type must be shows or movies: " + traktType);
        }
        if (imdb != null && !imdb.matches("tt\\d+")) {
            throw new IllegalArgumentException("imdb must be tt followed by digits: " + imdb);
        }
    }

    /**
     * @param key one of {@link #KEYS}
     * @return its value (String, Integer or null)
     */
    public Object get(String key) {
        return switch (key) {
            case "title" -> title;
            case "anidb" -> anidb;
            case "anilist" -> anilist;
            case "animenewsnetwork" -> animenewsnetwork;
            case "animeplanet" -> animeplanet;
            case "anisearch" -> anisearch;
            case "annict" -> annict;
            case "imdb" -> imdb;
            case "kaize" -> kaize;
            case "kaize_id" -> kaizeId;
            case "kitsu" -> kitsu;
            case "livechart" -> livechart;
            case "myanimelist" -> myanimelist;
            case "nautiljon" -> nautiljon;
            case "nautiljon_id" -> nautiljonId;
            case "notify" -> notifyMoe;
            case "otakotaku" -> otakotaku;
            case "shikimori" -> shikimori;
            case "shoboi" -> shoboi;
            case "silveryasha" -> silveryasha;
            case "simkl" -> simkl;
            case "themoviedb" -> themoviedb;
            case "trakt" -> trakt;
            case "trakt_type" -> traktType;
            case "trakt_season" -> traktSeason;
            case "thetvdb" -> thetvdb;
            case "themoviedb_tv" -> themoviedbTv;
            default -> throw new IllegalArgumentException("unknown entry key: " + key);
        };
    }

    /**
     * @param title the title
     * @return a builder with only the title set
     */
    public static Builder builder(String title) {
        Builder b = new Builder();
        b.title = title;
        return b;
    }

    /**
     * @return a builder holding this entry's values
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        AnimeEntry e = this;
            b.title = e.title();
            b.anidb = e.anidb();
            b.anilist = e.anilist();
            b.animenewsnetwork = e.animenewsnetwork();
            b.animeplanet = e.animeplanet();
            b.anisearch = e.anisearch();
            b.annict = e.annict();
            b.imdb = e.imdb();
            b.kaize = e.kaize();
            b.kaizeId = e.kaizeId();
            b.kitsu = e.kitsu();
            b.livechart = e.livechart();
            b.myanimelist = e.myanimelist();
            b.nautiljon = e.nautiljon();
            b.nautiljonId = e.nautiljonId();
            b.notifyMoe = e.notifyMoe();
            b.otakotaku = e.otakotaku();
            b.shikimori = e.shikimori();
            b.shoboi = e.shoboi();
            b.silveryasha = e.silveryasha();
            b.simkl = e.simkl();
            b.themoviedb = e.themoviedb();
            b.trakt = e.trakt();
            b.traktType = e.traktType();
            b.traktSeason = e.traktSeason();
            b.thetvdb = e.thetvdb();
            b.themoviedbTv = e.themoviedbTv();
        return b;
    }

    /** Mutable builder, addressed by entry key. */
    public static final class Builder {
        private String title;
        private Integer anidb;
        private Integer anilist;
        private Integer animenewsnetwork;
        private String animeplanet;
        private Integer anisearch;
        private Integer annict;
        private String imdb;
        private String kaize;
        private Integer kaizeId;
        private Integer kitsu;
        private Integer livechart;
        private Integer myanimelist;
        private String nautiljon;
        private Integer nautiljonId;
        private String notifyMoe;
        private Integer otakotaku;
        private Integer shikimori;
        private Integer shoboi;
        private Integer silveryasha;
        private Integer simkl;
        private Integer themoviedb;
        private Integer trakt;
        private String traktType;
        private Integer traktSeason;
        private Integer thetvdb;
        private Integer themoviedbTv;

        private Builder() {
        }

        /**
         * @param key   one of {@link #KEYS}
         * @param value String for string keys, a Number for the others, or null
         * @return this builder
         */
        public Builder set(String key, Object value) {
            switch (key) {
                case "title" -> title = (String) value;
                case "anidb" -> anidb = toInt(key, value);
                case "anilist" -> anilist = toInt(key, value);
                case "animenewsnetwork" -> animenewsnetwork = toInt(key, value);
                case "animeplanet" -> animeplanet = (String) value;
                case "anisearch" -> anisearch = toInt(key, value);
                case "annict" -> annict = toInt(key, value);
                case "imdb" -> imdb = (String) value;
                case "kaize" -> kaize = (String) value;
                case "kaize_id" -> kaizeId = toInt(key, value);
                case "kitsu" -> kitsu = toInt(key, value);
                case "livechart" -> livechart = toInt(key, value);
                case "myanimelist" -> myanimelist = toInt(key, value);
                case "nautiljon" -> nautiljon = (String) value;
                case "nautiljon_id" -> nautiljonId = toInt(key, value);
                case "notify" -> notifyMoe = (String) value;
                case "otakotaku" -> otakotaku = toInt(key, value);
                case "shikimori" -> shikimori = toInt(key, value);
                case "shoboi" -> shoboi = toInt(key, value);
                case "silveryasha" -> silveryasha = toInt(key, value);
                case "simkl" -> simkl = toInt(key, value);
                case "themoviedb" -> themoviedb = toInt(key, value);
                case "trakt" -> trakt = toInt(key, value);
                case "trakt_type" -> traktType = (String) value;
                case "trakt_season" -> traktSeason = toInt(key, value);
                case "thetvdb" -> thetvdb = toInt(key, value);
                case "themoviedb_tv" -> themoviedbTv = toInt(key, value);
                default -> throw new IllegalArgumentException("unknown entry key: " + key);
            }
            return this;
        }

        /**
         * @param key one of {@link #KEYS}
         * @return the value set so far
         */
        public Object get(String key) {
            return build().get(key);
        }

        /**
         * @return the entry
         */
        public AnimeEntry build() {
            return new AnimeEntry(title, anidb, anilist, animenewsnetwork, animeplanet, anisearch, annict, imdb, kaize, kaizeId, kitsu, livechart, myanimelist, nautiljon, nautiljonId, notifyMoe, otakotaku, shikimori, shoboi, silveryasha, simkl, themoviedb, trakt, traktType, traktSeason, thetvdb, themoviedbTv);
        }

        private static Integer toInt(String key, Object value) {
            if (value == null) {
                return null;
            }
            if (value instanceof Integer i) {
                return i;
            }
            if (value instanceof Long l && l == l.intValue()) {
                return l.intValue();
            }
            throw new IllegalArgumentException(key + " must be an integer: " + value);
        }
    }
}
