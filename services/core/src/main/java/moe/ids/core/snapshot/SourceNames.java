package moe.ids.core.snapshot;

import moe.ids.core.error.BadRequestException;

import java.util.List;

/**
 * The names of the sources, in the scraper's fixed order: the keys of a source's rows in {@code source_state},
 * {@code source_snapshot} and {@code source_fetch}, the words of {@code --source NAME}, and what a Refresh may
 * name. The scraper's registry of sources holds exactly these (a scraper test keeps the two equal).
 */
public final class SourceNames {
    /** anime-offline-database: the universe of anime ({@link Records.AodAnime}). */
    public static final String AOD = "aod";
    /** kawaiioverflow ARM ({@link Records.ArmEntry}). */
    public static final String ARM = "arm";
    /** AniTrakt shows ({@link Records.TraktEntry}). */
    public static final String ANITRAKT_TV = "anitrakt-tv";
    /** AniTrakt movies ({@link Records.TraktEntry}). */
    public static final String ANITRAKT_MOVIES = "anitrakt-movies";
    /** The Silveryasha dump ({@link Records.SilveryashaEntry}). */
    public static final String SILVERYASHA = "silveryasha";
    /** Fribb's anime-lists ({@link Records.FribbEntry}). */
    public static final String FRIBB = "fribb";
    /** AnimeAPI's manual Kaize mappings ({@link Records.ManualEntry}). */
    public static final String KAIZE_MANUAL = "kaize-manual";
    /** AnimeAPI's manual Otak Otaku mappings ({@link Records.ManualEntry}). */
    public static final String OTAKOTAKU_MANUAL = "otakotaku-manual";
    /** AnimeAPI's manual Silveryasha mappings ({@link Records.ManualEntry}). */
    public static final String SILVERYASHA_MANUAL = "silveryasha-manual";
    /** Kaize, scraped ({@link Records.KaizeEntry}). */
    public static final String KAIZE = "kaize";
    /** Nautiljon, scraped ({@link Records.NautiljonEntry}). */
    public static final String NAUTILJON = "nautiljon";
    /** Otak Otaku, scraped ({@link Records.OtakOtakuEntry}). */
    public static final String OTAKOTAKU = "otakotaku";

    /** Every source, in order: the dataset files, the manual mappings, then the scraped sites. */
    public static final List<String> ALL = List.of(AOD, ARM, ANITRAKT_TV, ANITRAKT_MOVIES, SILVERYASHA, FRIBB,
            KAIZE_MANUAL, OTAKOTAKU_MANUAL, SILVERYASHA_MANUAL, KAIZE, NAUTILJON, OTAKOTAKU);

    private SourceNames() {
    }

    /**
     * @param requested names, as given ({@code --source NAME}); empty means all
     * @return the sources, in the fixed order, each once
     * @throws BadRequestException naming the first unknown name and the known ones
     */
    public static List<String> select(List<String> requested) {
        for (String name : requested) {
            if (!ALL.contains(name)) {
                throw new BadRequestException("unknown source " + name + "; known: " + String.join(", ", ALL));
            }
        }
        return requested.isEmpty() ? ALL : ALL.stream().filter(requested::contains).toList();
    }
}
