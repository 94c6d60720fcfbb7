package moe.ids.api.http;

import io.helidon.http.ServerResponseHeaders;
import moe.ids.http.TransportErrors;

/**
 * Answers the requests the web server rejects before routing (malformed request line or headers, oversized
 * entities, unsupported protocol versions, …) in the API's JSON error shape, with CORS.
 */
public final class JsonDirectHandler extends TransportErrors {
    /** The API's error body. */
    public JsonDirectHandler() {
        super(Responses::errorBody);
    }

    @Override
    protected void decorate(ServerResponseHeaders headers) {
        headers.set(Responses.CORS_ORIGIN);
    }
}
