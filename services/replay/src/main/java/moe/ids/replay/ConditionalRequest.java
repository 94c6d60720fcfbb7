package moe.ids.replay;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Evaluation of {@code If-None-Match} / {@code If-Modified-Since} against a recorded row's validators.
 */
final class ConditionalRequest {

    private ConditionalRequest() {
    }

    /**
     * Whether a request should be answered with 304. Applies only to 200 rows with validators. A present
     * {@code If-None-Match} decides alone (weak comparison, lists and {@code *} allowed); otherwise
     * {@code If-Modified-Since} at or after the row's {@code Last-Modified} means not modified.
     *
     * @param row             the selected row
     * @param ifNoneMatch     the request's {@code If-None-Match} values joined by commas, if any
     * @param ifModifiedSince the request's {@code If-Modified-Since}, if any
     * @return true to answer 304
     */
    static boolean notModified(IndexRow row, Optional<String> ifNoneMatch, Optional<String> ifModifiedSince) {
        if (row.status() != 200 || !row.hasValidators()) {
            return false;
        }
        if (ifNoneMatch.isPresent()) {
            Optional<String> etag = row.header("ETag").map(ConditionalRequest::opaque);
            if (etag.isEmpty()) {
                return false;
            }
            for (String candidate : ifNoneMatch.get().split(",")) {
                String tag = candidate.trim();
                if (tag.equals("*") || opaque(tag).equals(etag.get())) {
                    return true;
                }
            }
            return false;
        }
        Optional<Instant> lastModified = row.header("Last-Modified").flatMap(ConditionalRequest::httpDate);
        Optional<Instant> since = ifModifiedSince.flatMap(ConditionalRequest::httpDate);
        return lastModified.isPresent() && since.isPresent() && !since.get().isBefore(lastModified.get());
    }

    private static String opaque(String etag) {
        String tag = etag.trim();
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    private static Optional<Instant> httpDate(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
