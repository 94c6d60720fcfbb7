package moe.ids.merger;

import io.helidon.config.Config;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.config.Settings;

/**
 * The merger's settings.
 *
 * @param database PostgreSQL holding snapshots, the published set and the outbox ({@code DATABASE_URL})
 * @param port     HTTP port for health and metrics ({@code server.port})
 */
public record MergerConfig(DatabaseUrl database, int port) {

    /**
     * @param config root config
     * @return validated settings
     */
    public static MergerConfig from(Config config) {
        return new MergerConfig(Settings.database(config), Settings.intIn(config, "server.port", 8081, 0, 65535));
    }
}
