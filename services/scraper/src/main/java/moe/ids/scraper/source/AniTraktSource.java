package moe.ids.scraper.source;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import moe.ids.core.snapshot.Records;

/** rensetsu's AniTrakt: MAL → Trakt, for TV shows (with season) or movies. */
public final class AniTraktSource extends JsonFileSource<Records.TraktEntry> {
    private static final String BASE = "https://raw.githubusercontent.com/rensetsu/db.trakt.anitrakt/main/db/";

    private final String type;

    private AniTraktSource(String name, String url, String type) {
        super(name, url, Records.TraktEntry.class);
        this.type = type;
    }

    /**
     * @return the TV source ({@code anitrakt-tv})
     */
    public static AniTraktSource tv() {
        return new AniTraktSource("anitrakt-tv", BASE + "tv.json", "shows");
    }

    /**
     * @return the movie source ({@code anitrakt-movies})
     */
    public static AniTraktSource movies() {
        return new AniTraktSource("anitrakt-movies", BASE + "movies.json", "movies");
    }

    @Override
    protected List<Records.TraktEntry> parse(JsonNode root) {
        List<Records.TraktEntry> out = new ArrayList<>(root.size());
        int row = 0;
        for (JsonNode e : requireArray(root)) {
            Integer mal = Normalize.positiveInt(e.get("mal_id"));
            Integer trakt = Normalize.positiveInt(e.get("trakt_id"));
            String rowType = Normalize.text(e.get("type"));
            if (rowType != null && !rowType.equals(type)) {
                throw new InvalidSourceException("row " + row + " has type " + rowType + ", expected " + type);
            }
            Integer season = "shows".equals(type) ? Normalize.positiveInt(e.get("season")) : null;
            if ("shows".equals(type) && e.has("season") && e.get("season").isIntegralNumber()
                    && e.get("season").intValue() == 0) {
                season = 0;
            }
            if (mal != null && trakt != null) {
                out.add(new Records.TraktEntry(mal, trakt, type, season, Normalize.text(e.get("title")),
                        Normalize.text(e.get("guessed_slug"))));
            }
            row++;
        }
        return out;
    }
}
