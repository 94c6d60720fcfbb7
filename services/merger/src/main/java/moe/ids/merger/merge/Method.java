package moe.ids.merger.merge;

/** How a value reached an anime; lower ranks win conflicts. */
public enum Method {
    /** Native to the anime-offline-database entry. */
    AOD(0),
    /** From AnimeAPI's manual mappings. */
    MANUAL(0),
    /** Joined by an ID (MAL, AniList, AniDB). */
    DIRECT(1),
    /** Normalized titles equal. */
    EXACT(2),
    /** Titles similar above the source's threshold. */
    FUZZY(3);

    private final int rank;

    Method(int rank) {
        this.rank = rank;
    }

    /**
     * @return conflict rank (lower wins)
     */
    public int rank() {
        return rank;
    }
}
