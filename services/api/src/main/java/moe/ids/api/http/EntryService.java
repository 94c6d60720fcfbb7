package moe.ids.api.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import moe.ids.api.ApiConfig;
import moe.ids.api.store.Answer;
import moe.ids.api.store.EntryStore;
import moe.ids.core.platform.Platform;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Lookups and batches: {@code GET|HEAD /{platform}/{id}}, {@code /trakt/{type}/{id}[/seasons/{n}]},
 * {@code /themoviedb/movie/{id}} (platform by name, code or alias), and {@code POST /{platform}} with a JSON array
 * of IDs. Paths are parsed from the raw path so that an ID is decoded exactly once ({@code %2F} stays inside the
 * ID); one-segment GETs belong to {@link DumpService}, registered before this one.
 */
public final class EntryService implements HttpService {
    private final EntryStore store;
    private final Header found;
    private final Header notFound;
    private final int batchLimit;
    private final int maxBody;

    /**
     * @param store the entries
     * @param cfg   settings (cache ages, batch and body limits)
     */
    public EntryService(EntryStore store, ApiConfig cfg) {
        this.store = store;
        this.found = Responses.cacheFor(cfg.maxAge());
        this.notFound = Responses.cacheFor(cfg.notFoundMaxAge());
        this.batchLimit = cfg.batchLimit();
        this.maxBody = cfg.maxBodyBytes();
    }

    @Override
    public void routing(HttpRules rules) {
        // GET|HEAD /{platform}/{id}, /trakt/{type}/{id}[/seasons/{n}], /themoviedb/movie/{id}
        rules.route(Method.predicate(Method.GET, Method.HEAD), Paths.twoOrMoreSegments(), this::lookup)
                // POST /{platform}
                .route(Method.predicate(Method.POST), PathMatchers.create("/*"), this::batch);
    }

    private void lookup(ServerRequest req, ServerResponse res) {
        String rawPath = req.path().rawPath(); // two or more segments: Paths.twoOrMoreSegments() matched it
        if (Paths.observe(rawPath)) {
            res.next();
            return;
        }
        Answer cached = store.cachedPath(rawPath);
        if (cached != null) {
            found(req, res, cached);
            return;
        }
        LookupKeys.Key key;
        try {
            key = lookupKey(rawPath);
        } catch (ApiException.Missing ex) {
            res.header(notFound);
            throw ex;
        }
        answer(req, res, key, rawPath);
    }

    /**
     * Resolves the raw path of a lookup ({@code /{platform}/{id}}, {@code /trakt/...}, {@code /themoviedb/...}) to
     * its key, without I/O: segments decoded once, the suffix of the last one dropped, the platform by any name.
     *
     * @param rawPath raw request path of two or more segments
     * @return the key (possibly {@link LookupKeys.Key#impossible()})
     * @throws ApiException.Invalid for malformed input (400)
     * @throws ApiException.Missing for an unknown platform or a path of the wrong shape (404)
     */
    static LookupKeys.Key lookupKey(String rawPath) {
        List<String> raw = Paths.segments(rawPath);
        String name = LookupKeys.decode(raw.getFirst());
        List<String> parts = new ArrayList<>(raw.size() - 1);
        for (int i = 1; i < raw.size(); i++) {
            String s = LookupKeys.decode(raw.get(i));
            parts.add(i == raw.size() - 1 ? LookupKeys.checked(LookupKeys.stripSuffix(s)) : s);
        }
        Platform p = LookupKeys.platform(name).orElse(null);
        if (p == null) {
            throw new ApiException.Missing(parts.size() == 1
                    ? "Platform " + name.toLowerCase(java.util.Locale.ROOT) + " with ID " + parts.getFirst()
                    + " not found" : "Endpoint not found");
        }
        if (p.name().equals("trakt")) {
            return LookupKeys.trakt(parts);
        }
        if (p.name().equals("themoviedb")) {
            if (parts.size() == 1 && !parts.getFirst().matches("[0-9]+")) {
                // /themoviedb/{id} is our shorthand for a movie ID; anything else in one segment is a malformed
                // path, as in the original (/themoviedb/invalid → 400)
                throw new ApiException.Invalid("Invalid request", "Invalid TMDB URL format, expected "
                        + "/themoviedb/movie/{id}");
            }
            return LookupKeys.themoviedb(parts);
        }
        if (p.redirectOnly()) {
            throw new ApiException.Invalid("Invalid platform", "Platform `" + p.name() + "` has no data of its "
                    + "own; use it as a redirect target");
        }
        if (parts.size() != 1) {
            throw new ApiException.Missing("Endpoint not found");
        }
        return LookupKeys.plain(p, parts.getFirst());
    }

    private void answer(ServerRequest req, ServerResponse res, LookupKeys.Key key, String rawPath) {
        if (key.impossible()) {
            res.header(notFound);
            throw new ApiException.Missing(key.notFound());
        }
        Answer a = store.find(key.mappingKey(), rawPath);
        if (!a.found()) {
            res.header(notFound);
            throw new ApiException.Missing(key.notFound());
        }
        found(req, res, a);
    }

    private void found(ServerRequest req, ServerResponse res, Answer a) {
        res.header(found);
        res.header(a.header());
        if (!Responses.notModified(req, res, a.etag())) {
            Responses.json(res, Status.OK_200, a.json());
        }
    }

    private void batch(ServerRequest req, ServerResponse res) {
        List<String> raw = Paths.segments(req.path().rawPath());
        if (raw.size() != 1 || raw.getFirst().isEmpty()) {
            res.next();
            return;
        }
        String name = LookupKeys.decode(raw.getFirst());
        Platform p = LookupKeys.platform(name).filter(x -> !x.redirectOnly()).orElse(null);
        if (p == null) {
            res.next();
            return;
        }
        List<String> keys = parseBatch(p, body(req), batchLimit);
        List<String> asked = new ArrayList<>();
        for (String k : keys) {
            if (k != null) {
                asked.add(k);
            }
        }
        List<Answer> answers = store.findAll(asked);
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + keys.size() * 400);
        out.write('[');
        int j = 0;
        for (int i = 0; i < keys.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            Answer a = keys.get(i) == null ? null : answers.get(j++);
            out.writeBytes(a == null || !a.found() ? "null".getBytes() : a.json());
        }
        out.write(']');
        res.header(Responses.NO_STORE);
        Responses.json(res, Status.OK_200, out.toByteArray());
    }

    private byte[] body(ServerRequest req) {
        return readBody(req, maxBody);
    }

    /**
     * Reads a request body of at most {@code max} bytes. A larger one is drained (the server's
     * {@code max-payload-size} bounds it) before the 413, so its bytes can never be read as a next request.
     *
     * @param req request
     * @param max limit
     * @return the body
     * @throws ApiException.TooLarge   when over the limit (also when the rest cannot be drained: the answer then
     *                                 closes the connection either way)
     * @throws ApiException.Unreadable when the server cannot decode the body within the limit: a malformed chunked
     *                                 encoding (Helidon's reader throws unchecked exceptions such as
     *                                 {@code NumberFormatException})
     */
    static byte[] readBody(ServerRequest req, int max) {
        try (InputStream in = req.content().inputStream()) {
            byte[] b;
            try {
                b = in.readNBytes(max + 1);
            } catch (IOException | RuntimeException ex) {
                throw new ApiException.Unreadable(ex);
            }
            if (b.length > max) {
                try {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException | RuntimeException beyondTheServerLimitOrMalformed) {
                    // still a 413: its Connection: close makes ApiFilter end the connection
                }
                throw new ApiException.TooLarge(max);
            }
            return b;
        } catch (IOException ex) { // closing the stream
            throw new ApiException.Unreadable(ex);
        }
    }

    /**
     * @param p          platform
     * @param body       JSON array of IDs (strings or integers; null allowed)
     * @param batchLimit most items accepted
     * @return one mapping key per item, null where the item cannot be an ID of {@code p}
     * @throws ApiException.Invalid when the body is not such an array or has more items than the limit
     */
    static List<String> parseBatch(Platform p, byte[] body, int batchLimit) {
        List<String> keys = new ArrayList<>();
        try (JsonParser jp = Responses.JSON.getFactory().createParser(body)) {
            if (jp.nextToken() != JsonToken.START_ARRAY) {
                throw new ApiException.Invalid("Invalid request", "The body must be a JSON array of IDs");
            }
            JsonToken t;
            while ((t = jp.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new ApiException.Invalid("Invalid request", "The body is not valid JSON");
                }
                if (keys.size() >= batchLimit) {
                    throw new ApiException.Invalid("Invalid request", "At most " + batchLimit + " IDs per request");
                }
                String id = switch (t) {
                    case VALUE_STRING -> jp.getText();
                    case VALUE_NUMBER_INT -> jp.getText();
                    case VALUE_NULL -> null;
                    default -> throw new ApiException.Invalid("Invalid request", "Item " + keys.size()
                            + " must be a string or an integer");
                };
                keys.add(id == null ? null : keyOf(p, id));
            }
            if (jp.nextToken() != null) {
                throw new ApiException.Invalid("Invalid request", "Unexpected data after the JSON array");
            }
        } catch (IOException ex) {
            throw new ApiException.Invalid("Invalid request", "The body is not valid JSON");
        }
        return keys;
    }

    private static String keyOf(Platform p, String id) {
        try {
            String checked = LookupKeys.checked(id);
            LookupKeys.Key k = switch (p.name()) {
                case "trakt" -> LookupKeys.trakt(List.of(checked.split("/", -1)));
                case "themoviedb" -> LookupKeys.themoviedb(List.of(checked.split("/", -1)));
                default -> LookupKeys.plain(p, checked);
            };
            return k.mappingKey();
        } catch (ApiException.Invalid ex) {
            return null; // an item that cannot be an ID answers null, like one that is not found
        }
    }
}
