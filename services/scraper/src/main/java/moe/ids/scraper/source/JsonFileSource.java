package moe.ids.scraper.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import moe.ids.scraper.http.HttpResponse;
import moe.ids.scraper.http.UpstreamClient;
import moe.ids.scraper.http.UpstreamException;
import moe.ids.db.snapshot.SourceState;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A source that is one JSON file behind one URL, fetched with a conditional GET.
 *
 * @param <R> record type
 */
public abstract class JsonFileSource<R> implements Source {
    /** Shared parser. */
    protected static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final String url;
    private final Class<R> type;

    /**
     * @param name source name
     * @param url  upstream URL
     * @param type record type
     */
    protected JsonFileSource(String name, String url, Class<R> type) {
        this.name = name;
        this.url = url;
        this.type = type;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> urls() {
        return List.of(url);
    }

    @Override
    public Class<?> recordType() {
        return type;
    }

    /**
     * @return the URL
     */
    protected String url() {
        return url;
    }

    @Override
    public Fetched fetch(UpstreamClient http, SourceState previous, boolean force) {
        return conditionalGet(http, url, previous, force, "zstd");
    }

    @Override
    public List<R> parse(byte[] raw) {
        JsonNode root;
        try {
            root = JSON.readTree(raw);
        } catch (IOException ex) {
            throw new InvalidSourceException("malformed JSON: " + firstLine(ex.getMessage()), ex);
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidSourceException("empty document");
        }
        return parse(root);
    }

    /**
     * @param root parsed document
     * @return normalized records
     * @throws InvalidSourceException when the document does not have the expected shape
     */
    protected abstract List<R> parse(JsonNode root);

    /**
     * @param root document root
     * @return the root as an array
     * @throws InvalidSourceException when it is not one
     */
    protected static JsonNode requireArray(JsonNode root) {
        if (!root.isArray()) {
            throw new InvalidSourceException("expected a JSON array at the top level, found " + root.getNodeType());
        }
        return root;
    }

    /**
     * GET with {@code If-None-Match}/{@code If-Modified-Since} from the last good state.
     *
     * @param http        client
     * @param url         upstream URL
     * @param previous    last good state, or null
     * @param force       ignore validators
     * @param rawEncoding how the bytes are to be stored
     * @return the content, or not modified
     * @throws UpstreamException on an error status
     */
    public static Fetched conditionalGet(UpstreamClient http, String url, SourceState previous, boolean force,
                                         String rawEncoding) {
        Map<String, String> headers = new HashMap<>();
        if (!force && previous != null) {
            if (previous.etag() != null) {
                headers.put("If-None-Match", previous.etag());
            }
            if (previous.lastModified() != null) {
                headers.put("If-Modified-Since", previous.lastModified());
            }
        }
        HttpResponse r = http.get(url, headers);
        if (r.status() == 304 && !headers.isEmpty()) {
            return Fetched.notModified(304);
        }
        if (r.status() != 200) {
            throw new UpstreamException("HTTP " + r.status() + " from " + url, r.status(), null);
        }
        return new Fetched(false, r.status(), r.body(), r.header("ETag").orElse(null),
                r.header("Last-Modified").orElse(null), rawEncoding);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
