package moe.ids.api;

import io.helidon.config.Config;
import moe.ids.core.config.RedisUrl;
import moe.ids.core.config.Settings;
import moe.ids.core.error.ConfigException;

/**
 * The API's settings (validated; {@link #toString()} is safe to log: the Redis password is redacted).
 *
 * @param redis           the Redis it reads ({@code REDIS_URL})
 * @param redisPrefix     key prefix ({@code REDIS_PREFIX} / {@code redis.prefix})
 * @param port            HTTP port ({@code server.port})
 * @param redisPool       largest Redis connection pool ({@code api.redis-pool}; meta, dumps, health)
 * @param redisPipes      auto-pipelined connections for lookups, at least 1 ({@code api.redis-pipes})
 * @param nearCacheSize   entries kept in the in-process near cache, 0 disables it ({@code api.near-cache-size})
 * @param maxAge          {@code Cache-Control: max-age} of found entries and dumps, seconds ({@code api.max-age})
 * @param notFoundMaxAge  {@code max-age} of 404 answers, seconds ({@code api.not-found-max-age})
 * @param batchLimit      most IDs in one {@code POST /{platform}} ({@code api.batch-limit})
 * @param maxBodyBytes    largest request body read ({@code api.max-body-bytes})
 * @param repository      repository URL shown by {@code /status} ({@code api.repository})
 * @param license         data/code license shown by {@code /status} ({@code api.license})
 */
public record ApiConfig(RedisUrl redis, String redisPrefix, int port, int redisPool, int redisPipes, int nearCacheSize, int maxAge,
                        int notFoundMaxAge, int batchLimit, int maxBodyBytes, String repository, String license) {

    /** Auto-pipelined lookup connections unless configured: one flush in progress per carrier thread on 2 cores. */
    public static final int DEFAULT_REDIS_PIPES = 2;

    /** Validates. */
    public ApiConfig {
        if (!repository.startsWith("https://") && !repository.startsWith("http://")) {
            throw new ConfigException("api.repository must be an http(s) URL: " + repository);
        }
    }

    /**
     * @param config root config
     * @return validated settings
     */
    public static ApiConfig from(Config config) {
        return new ApiConfig(
                Settings.redis(config),
                Settings.redisPrefix(config),
                Settings.intIn(config, "server.port", 8080, 0, 65535),
                Settings.intIn(config, "api.redis-pool", 16, 1, 4096),
                Settings.intIn(config, "api.redis-pipes", DEFAULT_REDIS_PIPES, 1, 64),
                Settings.intIn(config, "api.near-cache-size", 100_000, 0, 10_000_000),
                Settings.intIn(config, "api.max-age", 3600, 0, 31_536_000),
                Settings.intIn(config, "api.not-found-max-age", 300, 0, 31_536_000),
                Settings.intIn(config, "api.batch-limit", 500, 1, 10_000),
                Settings.intIn(config, "api.max-body-bytes", 256 * 1024, 1024, 64 * 1024 * 1024),
                Settings.string(config, "API_REPOSITORY", "api.repository", "https://github.com/ids-moe/ids.moe"),
                Settings.string(config, "API_LICENSE", "api.license", "AGPL-3.0-only"));
    }

    /**
     * @param nearCache new near-cache size
     * @return a copy (tests, bench)
     */
    public ApiConfig withNearCacheSize(int nearCache) {
        return new ApiConfig(redis, redisPrefix, port, redisPool, redisPipes, nearCache, maxAge, notFoundMaxAge, batchLimit,
                maxBodyBytes, repository, license);
    }
}
