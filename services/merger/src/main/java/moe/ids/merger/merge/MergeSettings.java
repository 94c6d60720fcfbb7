package moe.ids.merger.merge;

/**
 * Title-matching thresholds per source (similarity 0–100).
 *
 * @param silveryasha Silveryasha (after its MAL ID)
 * @param otakotaku   Otak Otaku (after its MAL ID)
 * @param kaize       Kaize
 * @param nautiljon   Nautiljon
 */
public record MergeSettings(int silveryasha, int otakotaku, int kaize, int nautiljon) {
    /** The original's thresholds: 95, 90, 85, 90. */
    public static final MergeSettings DEFAULTS = new MergeSettings(95, 90, 85, 90);
}
