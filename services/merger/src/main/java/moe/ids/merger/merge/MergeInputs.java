package moe.ids.merger.merge;

import com.fasterxml.jackson.databind.JsonNode;
import moe.ids.core.snapshot.Records;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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

    /** Reads one source's stored records. */
    @FunctionalInterface
    public interface RecordReader {
        /**
         * @param source source name
         * @param type   record type (the web sources are read as {@link JsonNode})
         * @param <R>    record type
         * @return the records, empty when the source has none
         */
        <R> List<R> records(String source, Class<R> type);
    }

    /**
     * Reads every source. The web-scraped sources are read as JSON objects, so the merger does not depend on their
     * record classes.
     *
     * @param reader where the records are
     * @return the inputs
     */
    public static MergeInputs read(RecordReader reader) {
        return new MergeInputs(
                reader.records("aod", Records.AodAnime.class),
                reader.records("arm", Records.ArmEntry.class),
                reader.records("anitrakt-tv", Records.TraktEntry.class),
                reader.records("anitrakt-movies", Records.TraktEntry.class),
                reader.records("fribb", Records.FribbEntry.class),
                reader.records("silveryasha", Records.SilveryashaEntry.class).stream()
                        .map(s -> new External(s.title(), blankToNull(s.titleAlt()), Integer.toString(s.id()),
                                s.id(), null, links("myanimelist", s.myanimelist()))).toList(),
                web(reader, "otakotaku", n -> new External(text(n, "title"), null, text(n, "id"), integer(n, "id"),
                        null, links("myanimelist", integer(n, "myanimelist"), "anidb", integer(n, "anidb"),
                                "animeplanet", text(n, "animeplanet"), "animenewsnetwork",
                                integer(n, "animenewsnetwork")))),
                web(reader, "kaize", n -> new External(text(n, "title"), null, text(n, "slug"), integer(n, "kaizeId"),
                        null, Map.of())),
                web(reader, "nautiljon", n -> new External(text(n, "title"), text(n, "francais"), text(n, "slug"),
                        integer(n, "entryId"), text(n, "format"), Map.of())),
                reader.records("kaize-manual", Records.ManualEntry.class),
                reader.records("otakotaku-manual", Records.ManualEntry.class),
                reader.records("silveryasha-manual", Records.ManualEntry.class));
    }

    private static List<External> web(RecordReader reader, String source, Function<JsonNode, External> adapt) {
        return reader.records(source, JsonNode.class).stream().map(adapt).toList();
    }

    private static Map<String, Object> links(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : blankToNull(v.asText());
    }

    private static Integer integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || !v.canConvertToInt() ? null : v.intValue();
    }
}
