package moe.ids.scraper.web;

import moe.ids.scraper.store.SnapshotStore;

import java.util.Optional;

/**
 * What the web scrapers need besides HTTP: their settings, where crawl progress is kept, and the snapshot store
 * (for the time of the last successful scrape and the last known records).
 *
 * @param settings politeness and credentials
 * @param progress crawl progress
 * @param store    snapshot store, empty when not wired to a database
 */
public record WebContext(WebSettings settings, ProgressStore progress, Optional<SnapshotStore> store) {

    /**
     * @return default settings (credentials from the environment), progress in memory, no store
     */
    public static WebContext defaults() {
        return new WebContext(WebSettings.defaults(), ProgressStore.inMemory(), Optional.empty());
    }
}
