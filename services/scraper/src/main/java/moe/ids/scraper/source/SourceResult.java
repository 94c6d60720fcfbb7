package moe.ids.scraper.source;

/**
 * The outcome of one source in one run, as logged, stored in {@code source_fetch} and reported in a Refresh.
 *
 * @param source     source name
 * @param result     what happened
 * @param records    normalized records now current for the source (the last good count when not Changed)
 * @param bytes      bytes downloaded in this run
 * @param durationMs wall time
 * @param httpStatus last HTTP status, or 0
 * @param message    reason for Failed/Skipped, a short note otherwise
 */
public record SourceResult(String source, Outcome result, int records, long bytes, long durationMs, int httpStatus,
                           String message) {
}
