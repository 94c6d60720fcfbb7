package moe.ids.merger.merge;

import moe.ids.core.config.RecordText;

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

    /** Written out: the generated method costs the start path tens of milliseconds ({@link RecordText}). */
    @Override
    public String toString() {
        return RecordText.of("MergeSettings", "silveryasha", silveryasha, "otakotaku", otakotaku, "kaize", kaize,
                "nautiljon", nautiljon);
    }
}
