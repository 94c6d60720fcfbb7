package moe.ids.scraper;

import moe.ids.core.config.RecordText;
import io.helidon.config.Config;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.config.Settings;
import moe.ids.core.error.ConfigException;
import moe.ids.scraper.http.HttpSettings;
import moe.ids.scraper.web.WebSettings;

/**
 * The scraper's settings.
 *
 * @param database      PostgreSQL receiving snapshots ({@code DATABASE_URL})
 * @param port          HTTP port for health and metrics in {@code serve} mode ({@code server.port})
 * @param http          upstream HTTP settings ({@code scraper.http.*}, {@code UPSTREAM_MIRROR}, {@code GITHUB_TOKEN})
 * @param parallelism   sources fetched at once ({@code scraper.parallelism})
 * @param floor         smallest accepted share of the last good record count ({@code scraper.count-floor})
 * @param minRecords    smallest accepted record count ({@code scraper.min-records})
 * @param keepSnapshots snapshots kept per source ({@code scraper.keep-snapshots})
 * @param web           web scrapers' politeness and credentials ({@code scraper.web.*}, {@code KAIZE_EMAIL},
 *                      {@code KAIZE_PASSWORD})
 */
public record ScraperConfig(DatabaseUrl database, int port, HttpSettings http, int parallelism, double floor,
                            int minRecords, int keepSnapshots, WebSettings web) {

    /**
     * Settings with the web scrapers' defaults.
     *
     * @param database      PostgreSQL
     * @param port          HTTP port
     * @param http          upstream HTTP settings
     * @param parallelism   sources at once
     * @param floor         count floor
     * @param minRecords    smallest record count
     * @param keepSnapshots snapshots kept per source
     */
    public ScraperConfig(DatabaseUrl database, int port, HttpSettings http, int parallelism, double floor,
                         int minRecords, int keepSnapshots) {
        this(database, port, http, parallelism, floor, minRecords, keepSnapshots, WebSettings.defaults());
    }

    /**
     * @param config root config
     * @return validated settings
     */
    public static ScraperConfig from(Config config) {
        double floor = config.get("scraper.count-floor").asDouble().orElse(0.5);
        if (floor < 0 || floor > 1) {
            throw new ConfigException("scraper.count-floor must be between 0 and 1 (got " + floor + ")");
        }
        return new ScraperConfig(Settings.database(config),
                Settings.intIn(config, "server.port", 8083, 0, 65535),
                HttpSettings.from(config),
                Settings.intIn(config, "scraper.parallelism", 4, 1, 64),
                floor,
                Settings.intIn(config, "scraper.min-records", 1, 0, 10_000_000),
                Settings.intIn(config, "scraper.keep-snapshots", 3, 1, 100),
                WebSettings.from(config));
    }

    /** Written out: the generated method costs the start path tens of milliseconds ({@link RecordText}). */
    @Override
    public String toString() {
        return RecordText.of("ScraperConfig", "database", database, "port", port, "http", http,
                "parallelism", parallelism, "floor", floor, "minRecords", minRecords, "keepSnapshots", keepSnapshots,
                "web", web);
    }
}
