package moe.ids.merger.merge;

import moe.ids.scraper.source.Records;

import java.util.List;

/**
 * The last good records of every source, as the merger reads them. Absent sources are empty lists.
 *
 * @param aod               anime-offline-database (the universe)
 * @param arm               ARM rows
 * @param traktTv           AniTrakt shows
 * @param traktMovies       AniTrakt movies
 * @param fribb             Fribb rows
 * @param silveryasha       Silveryasha dump
 * @param otakotaku         Otak Otaku
 * @param kaize             Kaize
 * @param nautiljon         Nautiljon
 * @param kaizeManual       manual Kaize mappings
 * @param otakotakuManual   manual Otak Otaku mappings
 * @param silveryashaManual manual Silveryasha mappings
 */
public record MergeInputs(List<Records.AodAnime> aod, List<Records.ArmEntry> arm, List<Records.TraktEntry> traktTv,
                          List<Records.TraktEntry> traktMovies, List<Records.FribbEntry> fribb,
                          List<External> silveryasha, List<External> otakotaku, List<External> kaize,
                          List<External> nautiljon, List<Records.ManualEntry> kaizeManual,
                          List<Records.ManualEntry> otakotakuManual, List<Records.ManualEntry> silveryashaManual) {
}
