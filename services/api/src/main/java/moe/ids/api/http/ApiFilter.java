package moe.ids.api.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import moe.ids.api.ApiMetrics;

/**
 * Runs around every request: CORS {@code *} on every answer, {@code OPTIONS} answered here (204 with the
 * preflight headers) for any path, exceptions handed to {@link ApiErrors}, HEAD marked for {@link Responses#send}
 * (headers only), and the request counted and timed by route and status.
 */
public final class ApiFilter implements Filter {
    private final ApiErrors errors;
    private final ApiMetrics metrics;

    /**
     * @param errors  the error mapper
     * @param metrics meters
     */
    public ApiFilter(ApiErrors errors, ApiMetrics metrics) {
        this.errors = errors;
        this.metrics = metrics;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        res.header(Responses.CORS_ORIGIN);
        Responses.begin(req.prologue().method() == Method.HEAD);
        try {
            if (req.prologue().method() == Method.OPTIONS) {
                res.header(Responses.CORS_METHODS);
                res.header(Responses.CORS_HEADERS);
                res.header(Responses.CORS_MAX_AGE);
                res.header(HeaderNames.ALLOW, FallbackService.allow(req.path().rawPath()));
                res.status(Status.NO_CONTENT_204);
                res.send();
                return;
            }
            res.header(Responses.CORS_EXPOSE);
            chain.proceed();
        } catch (Exception ex) {
            errors.handle(req, res, ex);
        } finally {
            Responses.end();
            metrics.record(route(req.path().rawPath(), req.prologue().method()), res.status().code(),
                    System.nanoTime() - start);
        }
        if (res.isSent() && res.headers().containsToken(HeaderValues.CONNECTION_CLOSE)) {
            // Helidon 4.5 keeps reading a connection whose answer said "close" (ours after an unreadable or too
            // large body, or the client's): the unread rest of a body must never be parsed as a next request, so
            // the connection ends here; Helidon closes it on this exception (the answer is already written)
            throw new CloseConnectionException("answered with Connection: close");
        }
    }

    /**
     * @param path   raw path
     * @param method method
     * @return a low-cardinality route name for metrics
     */
    static String route(String path, Method method) {
        if (method == Method.OPTIONS) {
            return "options";
        }
        int second = path.indexOf('/', 1);
        String first = second < 0 ? path.substring(1) : path.substring(1, second);
        return switch (first) {
            case "" -> "landing";
            case "status", "heartbeat", "ping", "updated", "robots.txt", "openapi", "openapi.json", "schema",
                 "schema.json", "redirect", "rd", "favicon.ico" -> first;
            case "api" -> "arm";
            case "observe" -> "observe";
            default -> second < 0 ? (method == Method.POST ? "batch" : "dump") : "lookup";
        };
    }
}
