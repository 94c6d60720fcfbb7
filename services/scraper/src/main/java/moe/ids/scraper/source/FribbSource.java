package moe.ids.scraper.source;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import moe.ids.core.snapshot.Records;

/**
 * Fribb's anime-lists-reduced: IMDb, TMDB and TheTVDB by AniDB. Accepts both the 2026 format
 * ({@code themoviedb_id: {"tv": n} | {"movie": [n…]}}, {@code imdb_id: [..]}) and the older one (numbers,
 * strings, comma lists); a plain TMDB value is a movie ID. Sentinels such as "unknown" are dropped.
 */
public final class FribbSource extends JsonFileSource<Records.FribbEntry> {
    /** Upstream URL. */
    public static final String URL = "https://raw.githubusercontent.com/Fribb/anime-lists/master/anime-lists-reduced.json";

    /** Creates the source. */
    public FribbSource() {
        super("fribb", URL, Records.FribbEntry.class);
    }

    @Override
    protected List<Records.FribbEntry> parse(JsonNode root) {
        List<Records.FribbEntry> out = new ArrayList<>(root.size());
        for (JsonNode e : requireArray(root)) {
            Integer anidb = Normalize.positiveInt(e.get("anidb_id"));
            if (anidb == null) {
                continue;
            }
            JsonNode tmdb = e.get("themoviedb_id");
            List<Integer> movies;
            List<Integer> tv;
            if (tmdb != null && tmdb.isObject()) {
                movies = Normalize.intList(tmdb.get("movie"));
                tv = Normalize.intList(tmdb.get("tv"));
            } else {
                movies = Normalize.intList(tmdb);
                tv = List.of();
            }
            JsonNode tvdb = e.has("tvdb_id") ? e.get("tvdb_id") : e.get("thetvdb_id");
            List<Integer> tvdbs = Normalize.intList(tvdb);
            out.add(new Records.FribbEntry(anidb, Normalize.imdbList(e.get("imdb_id")), movies, tv,
                    tvdbs.isEmpty() ? null : tvdbs.getFirst()));
        }
        return out;
    }
}
