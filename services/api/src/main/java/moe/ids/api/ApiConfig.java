package moe.ids.api;

import io.helidon.config.Config;
import moe.ids.core.config.RedisUrl;
import moe.ids.core.config.Settings;

/**
 * The API's settings.
 *
 * @param redis       the Redis it reads ({@code REDIS_URL})
 * @param redisPrefix key prefix ({@code redis.prefix})
 * @param port        HTTP port ({@code server.port})
 * @param redisPool   largest Redis connection pool ({@code api.redis-pool})
 */
public record ApiConfig(RedisUrl redis, String redisPrefix, int port, int redisPool) {

    /**
     * @param config root config
     * @return validated settings
     */
    public static ApiConfig from(Config config) {
        return new ApiConfig(
                Settings.redis(config),
                Settings.redisPrefix(config),
                Settings.intIn(config, "server.port", 8080, 0, 65535),
                Settings.intIn(config, "api.redis-pool", 64, 1, 4096));
    }
}
