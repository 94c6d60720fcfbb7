package moe.ids.api.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;

/**
 * Answers the requests the web server rejects before routing (malformed request line or headers, oversized
 * entities, …) in the API's JSON error shape, with CORS, instead of plain text.
 */
public final class JsonDirectHandler implements DirectHandler {
    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        headers.set(Responses.CONTENT_JSON);
        headers.set(Responses.CORS_ORIGIN);
        headers.set(Responses.NO_STORE);
        String title = status.code() >= 500 ? "Internal server error" : status.code() == 404 ? "Not found"
                : status.code() == 413 ? "Payload too large" : "Invalid request";
        String safe = status.code() >= 500 ? "Unexpected error" : status.reasonPhrase();
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .entity(Responses.errorBody(status, title, safe))
                .build();
    }
}
