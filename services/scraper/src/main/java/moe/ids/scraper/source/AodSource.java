package moe.ids.scraper.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.luben.zstd.ZstdInputStream;
import moe.ids.core.snapshot.Records;
import moe.ids.scraper.http.HttpResponse;
import moe.ids.scraper.http.UpstreamClient;
import moe.ids.db.snapshot.SourceState;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * manami-project's anime-offline-database (the universe of anime): a zstd-compressed release asset, checked
 * with HEAD first. Its {@code sources} URLs give the IDs of ten platforms. The raw bytes are stored still
 * compressed; a file that does not decompress or parse is rejected and the last good copy stays.
 */
public final class AodSource extends JsonFileSource<Records.AodAnime> {
    /** Release asset URL. */
    public static final String URL = "https://github.com/manami-project/anime-offline-database/releases/download/"
            + "latest/anime-offline-database-minified.json.zst";

    /** Creates the source. */
    public AodSource() {
        super("aod", URL, Records.AodAnime.class);
    }

    @Override
    public Fetched fetch(UpstreamClient http, SourceState previous, boolean force) {
        if (!force && previous != null && previous.etag() != null) {
            HttpResponse head = http.head(URL, Map.of());
            if (head.status() == 200 && Objects.equals(head.header("ETag").orElse(null), previous.etag())) {
                return Fetched.notModified(200);
            }
        }
        return conditionalGet(http, URL, previous, force, "identity");
    }

    @Override
    public List<Records.AodAnime> parse(byte[] raw) {
        byte[] json;
        try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(raw))) {
            json = in.readAllBytes();
        } catch (IOException ex) {
            throw new InvalidSourceException("zstd decompression failed: " + ex.getMessage(), ex);
        }
        return super.parse(json);
    }

    @Override
    protected List<Records.AodAnime> parse(JsonNode root) {
        JsonNode data = root.get("data");
        if (data == null || !data.isArray()) {
            throw new InvalidSourceException("document has no data array");
        }
        List<Records.AodAnime> out = new ArrayList<>(data.size());
        for (JsonNode a : data) {
            String title = Normalize.text(a.get("title"));
            JsonNode sources = a.get("sources");
            if (title == null || sources == null || !sources.isArray()) {
                throw new InvalidSourceException("entry without title or sources at index " + out.size());
            }
            Ids ids = new Ids();
            sources.forEach(s -> ids.add(s.asText()));
            JsonNode season = a.path("animeSeason");
            List<String> synonyms = new ArrayList<>();
            for (JsonNode syn : a.path("synonyms")) {
                String text = Normalize.text(syn);
                if (text != null && !text.isBlank() && !text.equals(title) && !synonyms.contains(text)) {
                    synonyms.add(text);
                }
            }
            out.add(new Records.AodAnime(title, Normalize.text(a.get("type")), a.path("episodes").asInt(0),
                    Normalize.positiveInt(season.get("year")), ids.anidb, ids.anilist, ids.ann, ids.animeplanet,
                    ids.anisearch, ids.kitsu, ids.livechart, ids.mal, ids.notify, ids.simkl, synonyms));
        }
        return out;
    }

    /** IDs read from source URLs; when a platform appears twice, the lowest number (or first slug) wins. */
    static final class Ids {
        Integer anidb;
        Integer anilist;
        Integer ann;
        String animeplanet;
        Integer anisearch;
        Integer kitsu;
        Integer livechart;
        Integer mal;
        String notify;
        Integer simkl;

        void add(String url) {
            URI uri;
            try {
                uri = URI.create(url.strip());
            } catch (IllegalArgumentException ex) {
                return;
            }
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(java.util.Locale.ROOT);
            if (host.startsWith("www.")) {
                host = host.substring(4);
            }
            String path = uri.getPath() == null ? "" : uri.getPath();
            String last = path.substring(path.lastIndexOf('/') + 1);
            switch (host) {
                case "anidb.net" -> anidb = min(anidb, segment(path, "/anime/"));
                case "anilist.co" -> anilist = min(anilist, segment(path, "/anime/"));
                case "animenewsnetwork.com" -> {
                    String q = uri.getRawQuery() == null ? "" : uri.getRawQuery();
                    for (String p : q.split("&")) {
                        if (p.startsWith("id=")) {
                            ann = min(ann, Normalize.positiveInt(p.substring(3)));
                        }
                    }
                }
                case "anime-planet.com" -> {
                    if (path.startsWith("/anime/") && !last.isEmpty() && animeplanet == null) {
                        animeplanet = last;
                    }
                }
                case "anisearch.com" -> anisearch = min(anisearch, segment(path, "/anime/"));
                case "kitsu.io", "kitsu.app" -> kitsu = min(kitsu, segment(path, "/anime/"));
                case "livechart.me" -> livechart = min(livechart, segment(path, "/anime/"));
                case "myanimelist.net" -> mal = min(mal, segment(path, "/anime/"));
                case "notify.moe" -> {
                    if (path.startsWith("/anime/") && !last.isEmpty() && notify == null) {
                        notify = last;
                    }
                }
                case "simkl.com" -> simkl = min(simkl, segment(path, "/anime/"));
                default -> {
                }
            }
        }

        private static Integer segment(String path, String prefix) {
            if (!path.startsWith(prefix)) {
                return null;
            }
            String rest = path.substring(prefix.length());
            int slash = rest.indexOf('/');
            return Normalize.positiveInt(slash < 0 ? rest : rest.substring(0, slash));
        }

        private static Integer min(Integer current, Integer candidate) {
            if (candidate == null) {
                return current;
            }
            return current == null || candidate < current ? candidate : current;
        }
    }
}
