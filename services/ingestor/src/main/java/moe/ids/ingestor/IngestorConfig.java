package moe.ids.ingestor;

import io.helidon.config.Config;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.config.RedisUrl;
import moe.ids.core.config.Settings;

/**
 * The ingestor's settings.
 *
 * @param database    PostgreSQL with the change-set outbox ({@code DATABASE_URL})
 * @param redis       the Redis it keeps equal to the published state ({@code REDIS_URL})
 * @param redisPrefix key prefix ({@code redis.prefix})
 * @param port        HTTP port for health and metrics ({@code server.port})
 * @param consumer    name under which the applied version is reported ({@code ingestor.consumer})
 */
public record IngestorConfig(DatabaseUrl database, RedisUrl redis, String redisPrefix, int port, String consumer) {

    /**
     * @param config root config
     * @return validated settings
     */
    public static IngestorConfig from(Config config) {
        return new IngestorConfig(
                Settings.database(config),
                Settings.redis(config),
                Settings.redisPrefix(config),
                Settings.intIn(config, "server.port", 8082, 0, 65535),
                config.get("ingestor.consumer").asString().orElse("default"));
    }
}
