package moe.ids.scraper.source;

/** What one run of a source did. */
public enum Outcome {
    /** New content was accepted and stored as the last good snapshot. */
    Changed,
    /** Upstream still holds the last good content (304, or the same SHA-256). */
    Unchanged,
    /** Fetching, parsing or validation failed; the last good snapshot stays. */
    Failed,
    /** Not run (no credentials, or its re-scrape interval has not passed). */
    Skipped
}
