package moe.ids.scraper.source;

import moe.ids.scraper.http.HttpSettings;
import moe.ids.scraper.http.UpstreamClient;
import moe.ids.db.snapshot.SourceState;

import java.util.List;
import java.util.Optional;

/**
 * One upstream source: where it lives, how to fetch it (conditionally), and how to turn its bytes into
 * normalized records. Dataset files and web scrapers implement the same interface; {@link SourceRunner}
 * does change detection, validation and storage for all of them.
 */
public interface Source {
    /**
     * @return stable name, e.g. {@code aod}, {@code arm}; used in {@code --source}, storage and reports
     */
    String name();

    /**
     * @return the upstream URLs it reads (for logs and documentation)
     */
    List<String> urls();

    /**
     * @return the record type {@link #parse} produces (what the merger reads back)
     */
    Class<?> recordType();

    /**
     * Fetches the current content.
     *
     * @param http     the HTTP client
     * @param previous the last good state, or null; its validators make the request conditional
     * @param force    ignore validators
     * @return the content or "not modified"
     */
    Fetched fetch(UpstreamClient http, SourceState previous, boolean force);

    /**
     * @param raw fetched bytes
     * @return normalized records
     * @throws InvalidSourceException when the content does not have the expected shape
     */
    List<?> parse(byte[] raw);

    /**
     * Says why this run should not fetch at all (missing credentials, re-scrape interval not yet passed);
     * {@link SourceRunner} then reports {@link Outcome#Skipped} with the reason and keeps the last good snapshot.
     *
     * @param previous the last good state, or null
     * @param force    {@code --force}: intervals do not apply
     * @param http     HTTP settings ({@link HttpSettings#mirror()} present: a replay, intervals do not apply)
     * @return the reason to skip, or empty to run
     */
    default Optional<String> skipReason(SourceState previous, boolean force, HttpSettings http) {
        return Optional.empty();
    }
}
