package moe.ids.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;

/**
 * Answers the requests the web server rejects before routing — a malformed request line or header, an unknown
 * transfer coding, an oversized line or body, an unsupported protocol version — with an accurate status and a
 * JSON body, and logs one bounded line per kind of rejection ({@link RateLimitedLog}), never a stack trace: they
 * are the client's mistakes.
 *
 * <p>Helidon reports a request it could not even parse (say, a control byte in the method) as an internal error
 * with no request attached; that is a 400 here, since nothing of the service ran.
 */
public class TransportErrors implements DirectHandler {
    private static final System.Logger LOG = System.getLogger(TransportErrors.class.getName());
    private static final JsonStringEncoder JSON = JsonStringEncoder.getInstance();

    /** Writes an error body. */
    @FunctionalInterface
    public interface Body {
        /**
         * @param status status answered
         * @param title  short title (the status' meaning)
         * @param detail what was wrong, safe to show
         * @return the body, JSON
         */
        byte[] render(Status status, String title, String detail);
    }

    private final Body body;
    private final RateLimitedLog log = new RateLimitedLog(LOG, Duration.ofSeconds(60));

    /** Answers with {@code {"error": title, "detail": detail}}. */
    public TransportErrors() {
        this((s, t, d) -> ("{\"error\":\"" + new String(JSON.quoteAsString(t)) + "\",\"detail\":\""
                + new String(JSON.quoteAsString(d)) + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param body how bodies are written
     */
    public TransportErrors(Body body) {
        this.body = body;
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        Status answer = status;
        String detail = clean(message);
        boolean unparsed = request.method().isEmpty() && request.path().isEmpty();
        if (status.code() == 500 && unparsed) {
            // nothing of the service ran: the request itself could not be read
            answer = Status.BAD_REQUEST_400;
            detail = "The request could not be parsed";
        } else if (status.code() >= 500 && status.code() != 501 && status.code() != 505) {
            detail = "Unexpected error";
        }
        if (detail == null || detail.isBlank() || detail.startsWith("Bad request, see server log")) {
            detail = answer.reasonPhrase();
        }
        log.log(answer.code() >= 500 && answer.code() != 501 && answer.code() != 505
                        ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                eventType + "/" + answer.code(), "rejected a request before routing: {0} {1} ({2})",
                answer.code(), answer.reasonPhrase(), detail);
        headers.set(HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/json"));
        headers.set(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-store"));
        decorate(headers);
        return TransportResponse.builder()
                .status(answer)
                .headers(headers)
                .entity(body.render(answer, title(answer), detail))
                .build();
    }

    /**
     * Adds headers every answer of the service carries (CORS, …); nothing by default.
     *
     * @param headers headers of the answer
     */
    protected void decorate(ServerResponseHeaders headers) {
    }

    /**
     * @param status a status
     * @return its title in the services' error bodies
     */
    public static String title(Status status) {
        return switch (status.code()) {
            case 400 -> "Invalid request";
            case 404 -> "Not found";
            case 408 -> "Request timeout";
            case 413 -> "Payload too large";
            case 414 -> "URI too long";
            case 431 -> "Request header fields too large";
            case 501 -> "Not implemented";
            case 505 -> "HTTP version not supported";
            default -> status.code() >= 500 ? "Internal server error" : status.reasonPhrase();
        };
    }

    /** Client text made safe for a log line and a body: printable ASCII, at most 160 characters. */
    private static String clean(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(Math.min(message.length(), 160));
        for (int i = 0; i < message.length() && sb.length() < 160; i++) {
            char c = message.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }

}
