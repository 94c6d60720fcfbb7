package moe.ids.api.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ErrorHandler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import moe.ids.core.error.BadRequestException;
import moe.ids.core.error.NotFoundException;
import moe.ids.core.error.UnavailableException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place where exceptions become HTTP answers: {@link BadRequestException} → 400 (413 for
 * {@link ApiException.TooLarge}), {@link NotFoundException} → 404, {@link ApiException.MethodNotAllowed} → 405,
 * {@link UnavailableException} → 503, anything else → 500 (logged). Bodies are ids.moe's
 * {@code {"error","code","message"}}, except under {@code /api/} where they take arm-server's shape.
 */
public final class ApiErrors implements ErrorHandler<Exception> {
    private static final System.Logger LOG = System.getLogger(ApiErrors.class.getName());

    @Override
    public void handle(ServerRequest req, ServerResponse res, Exception ex) {
        if (res.isSent()) {
            LOG.log(System.Logger.Level.WARNING, "error after the response was sent", ex);
            return;
        }
        boolean arm = req.path().rawPath().startsWith("/api/");
        Status status;
        String title;
        String message = ex.getMessage();
        switch (ex) {
            case ApiException.ArmValidation v -> {
                armValidation(res, v);
                return;
            }
            case ApiException.TooLarge t -> {
                status = Status.REQUEST_ENTITY_TOO_LARGE_413;
                title = "Payload too large";
                // the rest of the body was not read: close, so that it is never parsed as another request
                res.header(HeaderNames.CONNECTION, "close");
            }
            case ApiException.Unreadable u -> {
                status = Status.BAD_REQUEST_400;
                title = "Invalid request";
                res.header(HeaderNames.CONNECTION, "close"); // ApiFilter then closes the connection
            }
            case ApiException.Invalid i -> {
                status = Status.BAD_REQUEST_400;
                title = i.title();
            }
            case BadRequestException b -> {
                status = Status.BAD_REQUEST_400;
                title = "Invalid request";
            }
            case NotFoundException n -> {
                status = Status.NOT_FOUND_404;
                title = "Not found";
            }
            case ApiException.MethodNotAllowed m -> {
                status = Status.METHOD_NOT_ALLOWED_405;
                title = "Method not allowed";
                res.header(HeaderNames.ALLOW, m.allow());
            }
            case UnavailableException u -> {
                LOG.log(System.Logger.Level.WARNING, "store unavailable: {0}", u.getMessage());
                status = Status.SERVICE_UNAVAILABLE_503;
                title = "Service unavailable";
                message = "The data store is unavailable or not loaded yet, please try again later";
                res.header(HeaderNames.RETRY_AFTER, "5");
            }
            default -> {
                LOG.log(System.Logger.Level.ERROR, "unexpected error on " + req.prologue().method().text() + " "
                        + req.path().rawPath(), ex);
                status = Status.INTERNAL_SERVER_ERROR_500;
                title = "Internal server error";
                message = "Unexpected error";
            }
        }
        if (status != Status.NOT_FOUND_404 || !res.headers().contains(HeaderNames.CACHE_CONTROL)) {
            res.header(Responses.NO_STORE); // 404s of lookups keep the short max-age their handler set
        }
        if (arm) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", message);
            m.put("statusCode", status.code());
            m.put("error", status.reasonPhrase());
            Responses.json(res, status, m);
        } else {
            Responses.json(res, status, Responses.errorBody(status, title, message));
        }
    }

    private static void armValidation(ServerResponse res, ApiException.ArmValidation v) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (!v.root().isEmpty()) {
            details.put("root", v.root());
        }
        if (!v.nested().isEmpty()) {
            details.put("nested", new java.util.TreeMap<>(v.nested()));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message", "Validation error");
        m.put("code", "FST_ERR_VALIDATION");
        m.put("details", details);
        m.put("statusCode", 400);
        m.put("error", "Bad Request");
        res.header(Responses.NO_STORE);
        Responses.json(res, Status.BAD_REQUEST_400, m);
    }
}
