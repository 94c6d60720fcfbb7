package moe.ids.replay;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One row of a recorded {@code index.tsv}: the answer to one method + URL.
 *
 * @param method      HTTP method ({@code GET}, {@code HEAD} or {@code POST})
 * @param url         absolute upstream URL exactly as recorded, query string included
 * @param status      HTTP status to answer
 * @param contentType value of the {@code Content-Type} header
 * @param file        body file, already resolved against the folder of the index
 * @param headers     extra headers in recorded order, {@code X-Fixture-*} pseudo-headers included
 */
public record IndexRow(String method, String url, int status, String contentType, Path file,
                       List<HeaderField> headers) {

    /** Prefix of the pseudo-headers that instruct the replay server and are never sent. */
    public static final String FIXTURE_PREFIX = "X-Fixture-";

    /**
     * One recorded header; names may repeat (two {@code Set-Cookie}).
     *
     * @param name  header name as recorded
     * @param value header value as recorded
     */
    public record HeaderField(String name, String value) {
        /**
         * Validates the field.
         *
         * @param name  header name
         * @param value header value
         */
        public HeaderField {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }

        /**
         * Whether this is an {@code X-Fixture-*} pseudo-header.
         *
         * @return true for instructions to the replay server
         */
        public boolean isFixture() {
            return name.regionMatches(true, 0, FIXTURE_PREFIX, 0, FIXTURE_PREFIX.length());
        }
    }

    /**
     * Validates and copies the row.
     *
     * @param method      HTTP method
     * @param url         upstream URL
     * @param status      HTTP status
     * @param contentType content type
     * @param file        body file
     * @param headers     extra headers
     */
    public IndexRow {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(file, "file");
        headers = List.copyOf(headers);
    }

    /**
     * The key the server matches requests on: method, a space, and the URL.
     *
     * @return {@code METHOD URL}
     */
    public String key() {
        return key(method, url);
    }

    /**
     * Builds a match key.
     *
     * @param method HTTP method
     * @param url    absolute upstream URL
     * @return {@code METHOD URL}
     */
    public static String key(String method, String url) {
        return method + " " + url;
    }

    /**
     * First value of a header (case-insensitive name), pseudo-headers included.
     *
     * @param name header name
     * @return the value, if present
     */
    public Optional<String> header(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(HeaderField::value).findFirst();
    }

    /**
     * The headers to send: all recorded ones except the {@code X-Fixture-*} pseudo-headers.
     *
     * @return response headers in recorded order
     */
    public List<HeaderField> responseHeaders() {
        return headers.stream().filter(h -> !h.isFixture()).toList();
    }

    /**
     * Name of the fault this row belongs to ({@code X-Fixture-Fault}).
     *
     * @return the fault name, empty for normal rows
     */
    public Optional<String> fault() {
        return header("X-Fixture-Fault");
    }

    /**
     * Position of this row in a request sequence ({@code X-Fixture-Seq}).
     *
     * @return the 1-based sequence number, or 0 when the row answers every request
     */
    public int seq() {
        return header("X-Fixture-Seq").map(String::trim).map(Integer::parseInt).orElse(0);
    }

    /**
     * Whether this is a pattern row ({@code X-Fixture-Pattern}) whose URL holds an {@code {id}} placeholder.
     *
     * @return true for the jsonl-by-id pattern row
     */
    public boolean isPattern() {
        return header("X-Fixture-Pattern").isPresent();
    }

    /**
     * Whether the row carries an {@code ETag} or {@code Last-Modified} validator.
     *
     * @return true when conditional requests apply
     */
    public boolean hasValidators() {
        return header("ETag").isPresent() || header("Last-Modified").isPresent();
    }
}
