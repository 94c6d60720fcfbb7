package moe.ids.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Shared response helpers: prebuilt headers, JSON bodies, conditional requests. */
public final class Responses {
    /** Jackson, for the few bodies that are not stored bytes. */
    public static final ObjectMapper JSON = new ObjectMapper();
    /** {@code Content-Type: application/json}. */
    public static final Header CONTENT_JSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json");
    /** {@code Content-Type: text/plain; charset=utf-8}. */
    public static final Header CONTENT_TEXT = HeaderValues.createCached(HeaderNames.CONTENT_TYPE,
            "text/plain; charset=utf-8");
    /** {@code Content-Type: text/html; charset=utf-8}. */
    public static final Header CONTENT_HTML = HeaderValues.createCached(HeaderNames.CONTENT_TYPE,
            "text/html; charset=utf-8");
    /** {@code Cache-Control: no-store} (errors of the store, heartbeat). */
    public static final Header NO_STORE = HeaderValues.createCached(HeaderNames.CACHE_CONTROL, "no-store");
    /** {@code Access-Control-Allow-Origin: *}. */
    public static final Header CORS_ORIGIN = HeaderValues.createCached(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    /** Methods announced to CORS preflights. */
    public static final Header CORS_METHODS = HeaderValues.createCached(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS,
            "GET, HEAD, POST, OPTIONS");
    /** Headers announced to CORS preflights. */
    public static final Header CORS_HEADERS = HeaderValues.createCached(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
            "Content-Type, If-None-Match, Accept-Encoding");
    /** Headers a browser script may read. */
    public static final Header CORS_EXPOSE = HeaderValues.createCached(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS,
            "ETag, Location");
    /** Preflight cache. */
    public static final Header CORS_MAX_AGE = HeaderValues.createCached(HeaderNames.ACCESS_CONTROL_MAX_AGE, "86400");

    /**
     * Whether the request answered on this thread is a {@code HEAD}: set by {@link ApiFilter} around the routing
     * chain (a request runs on one virtual thread from filter to response), read by {@link #send}.
     */
    private static final ThreadLocal<Boolean> HEAD = new ThreadLocal<>();

    private Responses() {
    }

    /**
     * Marks the request about to be routed on this thread; {@link #end()} must follow (in a {@code finally}).
     *
     * @param head whether it is a {@code HEAD}
     */
    static void begin(boolean head) {
        HEAD.set(head);
    }

    /** Clears what {@link #begin} set. */
    static void end() {
        HEAD.remove();
    }

    /**
     * Sends a whole body, or for a {@code HEAD} only its {@code Content-Length}: Helidon writes whatever is sent,
     * and a body after a HEAD answer would be read by the client as the start of the next response.
     *
     * @param res  response (status and other headers already set)
     * @param body the body a GET would get
     */
    public static void send(ServerResponse res, byte[] body) {
        if (Boolean.TRUE.equals(HEAD.get())) {
            res.header(HeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
            res.send();
        } else {
            res.send(body);
        }
    }

    /**
     * @param seconds max-age
     * @return a cached {@code Cache-Control: public, max-age=…} header
     */
    public static Header cacheFor(int seconds) {
        return HeaderValues.createCached(HeaderNames.CACHE_CONTROL, "public, max-age=" + seconds);
    }

    /**
     * @param res    response
     * @param status status
     * @param body   JSON bytes
     */
    public static void json(ServerResponse res, Status status, byte[] body) {
        res.status(status);
        res.header(CONTENT_JSON);
        send(res, body);
    }

    /**
     * @param res    response
     * @param status status
     * @param value  anything Jackson writes
     */
    public static void json(ServerResponse res, Status status, Object value) {
        json(res, status, toJson(value));
    }

    /**
     * @param value anything Jackson writes
     * @return its JSON bytes
     */
    public static byte[] toJson(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @param res  response
     * @param text plain text body
     */
    public static void text(ServerResponse res, String text) {
        res.status(Status.OK_200);
        res.header(CONTENT_TEXT);
        send(res, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The ids.moe error body {@code {"error","code","message"}}.
     *
     * @param status  status
     * @param error   title
     * @param message message
     * @return body bytes
     */
    public static byte[] errorBody(Status status, String error, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", error);
        m.put("code", status.code());
        m.put("message", message);
        return toJson(m);
    }

    /**
     * Conditional GET: {@code If-None-Match} listing this ETag (or {@code *}) → 304 with the ETag.
     *
     * @param req  request
     * @param res  response (ETag and caching headers already set)
     * @param etag quoted ETag
     * @return true when a 304 was sent
     */
    public static boolean notModified(ServerRequest req, ServerResponse res, String etag) {
        if (!req.headers().contains(HeaderNames.IF_NONE_MATCH)) {
            return false;
        }
        for (String v : req.headers().get(HeaderNames.IF_NONE_MATCH).allValues(true)) {
            String t = v.strip();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag)) {
                res.status(Status.NOT_MODIFIED_304);
                res.send();
                return true;
            }
        }
        return false;
    }

    /**
     * @param req request
     * @return true when the client accepts gzip
     */
    public static boolean acceptsGzip(ServerRequest req) {
        if (!req.headers().contains(HeaderNames.ACCEPT_ENCODING)) {
            return false;
        }
        Double gzip = null; // the weight gzip is given by name, or null
        Double any = null; // the weight of "*", which covers only codings not named (RFC 9110 §12.5.3)
        for (String v : req.headers().get(HeaderNames.ACCEPT_ENCODING).allValues(true)) {
            String[] parts = v.strip().toLowerCase(java.util.Locale.ROOT).split(";");
            String coding = parts[0].strip();
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2).strip());
                    } catch (NumberFormatException ex) {
                        q = 0; // a malformed weight is no consent
                    }
                }
            }
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzip = gzip == null ? q : Math.max(gzip, q);
            } else if (coding.equals("*")) {
                any = q;
            }
        }
        return gzip != null ? gzip > 0 : any != null && any > 0;
    }
}
