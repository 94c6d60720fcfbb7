package moe.ids.api.http;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.List;

/**
 * Registered last: a GET or HEAD nothing else answered is 404 {@code Endpoint not found}; any other method is 404
 * where a GET would be (a one-segment name that is neither a route nor a dump), else 405 with the path's own
 * {@code Allow} (POST is accepted only by {@code POST /{platform}} and {@code POST /api/v2/ids}).
 */
public final class FallbackService implements HttpService {
    /** The one-segment paths with a route of their own. */
    private static final java.util.Set<String> FIXED = java.util.Set.of("status", "heartbeat", "ping", "updated",
            "robots.txt", "openapi", "openapi.json", "schema", "schema.json", "redirect", "rd", "favicon.ico");

    private final boolean observeHere;

    /**
     * @param observeHere whether {@code /observe} is served on this port (its routes follow this one); when it has
     *                    a port of its own, {@code /observe} here is a path like any other
     */
    public FallbackService(boolean observeHere) {
        this.observeHere = observeHere;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::fallback);
    }

    private void fallback(ServerRequest req, ServerResponse res) {
        if (observeHere && Paths.observe(req.path().rawPath())) {
            res.next();
            return;
        }
        Method m = req.prologue().method();
        if (m == Method.GET || m == Method.HEAD) {
            throw new ApiException.Missing("Endpoint not found");
        }
        List<String> segments = Paths.segments(req.path().rawPath());
        if (segments.size() == 1 && !segments.getFirst().isEmpty() && !FIXED.contains(segments.getFirst())) {
            // what a GET of this one-segment path would find (a dump, named by a platform): a name that is not
            // one is 404 for every method, like the GET
            DumpService.target(LookupKeys.decode(segments.getFirst()));
        }
        throw new ApiException.MethodNotAllowed(m.text(), allow(req.path().rawPath()));
    }

    /**
     * @param rawPath the request's raw path
     * @return the methods the path answers: POST too on the batch routes ({@code /api/v2/ids} and a single segment
     *         naming a lookup platform), else GET, HEAD, OPTIONS
     */
    static String allow(String rawPath) {
        List<String> segments = Paths.segments(rawPath);
        boolean batch = rawPath.equals("/api/v2/ids");
        if (segments.size() == 1 && !segments.getFirst().isEmpty()) {
            try {
                batch = LookupKeys.platform(LookupKeys.decode(segments.getFirst())).filter(p -> !p.redirectOnly())
                        .isPresent();
            } catch (ApiException.Invalid malformed) {
                batch = false;
            }
        }
        return batch ? "GET, HEAD, POST, OPTIONS" : "GET, HEAD, OPTIONS";
    }
}
