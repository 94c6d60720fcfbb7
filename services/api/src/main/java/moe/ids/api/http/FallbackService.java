package moe.ids.api.http;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Registered last: a GET or HEAD nothing else answered is 404 {@code Endpoint not found}; any other method is 405
 * (POST is accepted only by {@code POST /{platform}} and {@code POST /api/v2/ids}).
 */
public final class FallbackService implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.any(this::fallback);
    }

    private void fallback(ServerRequest req, ServerResponse res) {
        if (Paths.observe(req.path().rawPath())) {
            res.next();
            return;
        }
        Method m = req.prologue().method();
        if (m == Method.GET || m == Method.HEAD) {
            throw new ApiException.Missing("Endpoint not found");
        }
        throw new ApiException.MethodNotAllowed(m.text(), "GET, HEAD, OPTIONS");
    }
}
