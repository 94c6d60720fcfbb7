package moe.ids.scraper;

import io.helidon.config.Config;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.config.Settings;

/**
 * The scraper's settings.
 *
 * @param database PostgreSQL receiving snapshots ({@code DATABASE_URL})
 * @param port     HTTP port for health and metrics while it runs ({@code server.port})
 */
public record ScraperConfig(DatabaseUrl database, int port) {

    /**
     * @param config root config
     * @return validated settings
     */
    public static ScraperConfig from(Config config) {
        return new ScraperConfig(Settings.database(config), Settings.intIn(config, "server.port", 8083, 0, 65535));
    }
}
