package moe.ids.merger.operator;

import com.fasterxml.jackson.annotation.JsonValue;

/** The sources a Refresh may name ({@link moe.ids.core.snapshot.SourceNames#ALL}; a test keeps the two equal). */
public enum SourceName {
    /** anime-offline-database. */
    AOD("aod"),
    /** kawaiioverflow ARM. */
    ARM("arm"),
    /** AniTrakt shows. */
    ANITRAKT_TV("anitrakt-tv"),
    /** AniTrakt movies. */
    ANITRAKT_MOVIES("anitrakt-movies"),
    /** Silveryasha dump. */
    SILVERYASHA("silveryasha"),
    /** Fribb anime-lists. */
    FRIBB("fribb"),
    /** AnimeAPI manual Kaize mappings. */
    KAIZE_MANUAL("kaize-manual"),
    /** AnimeAPI manual Otak Otaku mappings. */
    OTAKOTAKU_MANUAL("otakotaku-manual"),
    /** AnimeAPI manual Silveryasha mappings. */
    SILVERYASHA_MANUAL("silveryasha-manual"),
    /** Kaize (scraped). */
    KAIZE("kaize"),
    /** Nautiljon (scraped). */
    NAUTILJON("nautiljon"),
    /** Otak Otaku (scraped). */
    OTAKOTAKU("otakotaku");

    private final String id;

    SourceName(String id) {
        this.id = id;
    }

    /**
     * @return the source's name as the scraper knows it
     */
    @JsonValue
    public String id() {
        return id;
    }
}
