package moe.ids.merger;

import moe.ids.core.config.RecordText;
import io.helidon.config.Config;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.config.Settings;
import moe.ids.core.error.ConfigException;
import moe.ids.merger.merge.MergeSettings;

/**
 * The merger's settings.
 *
 * @param database       PostgreSQL holding snapshots, the published set and the outbox ({@code DATABASE_URL})
 * @param port           HTTP port for health and metrics ({@code server.port})
 * @param mergeSettings  title-matching thresholds ({@code merger.threshold.*})
 * @param maxDeleteShare largest share of the published set one change set may delete without force
 *                       ({@code merger.max-delete-share}, default 0.05)
 */
public record MergerConfig(DatabaseUrl database, int port, MergeSettings mergeSettings, double maxDeleteShare) {

    /**
     * @param config root config
     * @return validated settings
     */
    public static MergerConfig from(Config config) {
        double share = config.get("merger.max-delete-share").asDouble().orElse(0.05);
        if (share < 0 || share > 1) {
            throw new ConfigException("merger.max-delete-share must be between 0 and 1 (got " + share + ")");
        }
        MergeSettings d = MergeSettings.DEFAULTS;
        MergeSettings thresholds = new MergeSettings(
                Settings.intIn(config, "merger.threshold.silveryasha", d.silveryasha(), 50, 100),
                Settings.intIn(config, "merger.threshold.otakotaku", d.otakotaku(), 50, 100),
                Settings.intIn(config, "merger.threshold.kaize", d.kaize(), 50, 100),
                Settings.intIn(config, "merger.threshold.nautiljon", d.nautiljon(), 50, 100));
        return new MergerConfig(Settings.database(config), Settings.intIn(config, "server.port", 8081, 0, 65535),
                thresholds, share);
    }

    /** Written out: the generated method costs the start path tens of milliseconds ({@link RecordText}). */
    @Override
    public String toString() {
        return RecordText.of("MergerConfig", "database", database, "port", port, "mergeSettings", mergeSettings,
                "maxDeleteShare", maxDeleteShare);
    }
}
