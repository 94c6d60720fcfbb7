package moe.ids.api;

import moe.ids.core.config.RecordText;
import io.helidon.config.Config;
import moe.ids.core.config.RedisUrl;
import moe.ids.core.config.Settings;
import moe.ids.core.error.ConfigException;

import java.nio.file.Path;

/**
 * The API's settings (validated; {@link #toString()} is safe to log: the Redis password is redacted).
 *
 * @param redis           the Redis it reads ({@code REDIS_URL})
 * @param redisPrefix     key prefix ({@code REDIS_PREFIX} / {@code redis.prefix})
 * @param port            HTTP port ({@code server.port})
 * @param redisPool       largest Redis connection pool ({@code api.redis-pool}; meta, dumps, health)
 * @param redisPipes      auto-pipelined connections for lookups, at least 1 ({@code api.redis-pipes})
 * @param nearCacheBytes  heap bytes the in-process near cache's entries may retain, 0 disables it
 *                        ({@code api.near-cache-bytes})
 * @param maxAge          {@code Cache-Control: max-age} of found entries and dumps, seconds ({@code api.max-age})
 * @param notFoundMaxAge  {@code max-age} of 404 answers, seconds ({@code api.not-found-max-age})
 * @param batchLimit      most IDs in one {@code POST /{platform}} ({@code api.batch-limit})
 * @param maxBodyBytes    largest request body read ({@code api.max-body-bytes})
 * @param repository      repository URL shown by {@code /status} ({@code api.repository})
 * @param license         data/code license shown by {@code /status} ({@code api.license})
 * @param dumpDir         the directory in which this process makes a directory of its own for the dump files it
 *                        builds ({@code api.dump-dir}, default the JVM's temporary directory)
 */
public record ApiConfig(RedisUrl redis, String redisPrefix, int port, int redisPool, int redisPipes,
                        long nearCacheBytes, int maxAge, int notFoundMaxAge, int batchLimit, int maxBodyBytes,
                        String repository, String license, Path dumpDir) {

    /** Auto-pipelined lookup connections unless configured: one flush in progress per carrier thread on 2 cores. */
    public static final int DEFAULT_REDIS_PIPES = 2;

    /**
     * The near cache's budget unless configured: 16 MiB hold the answers of about 17,000 distinct lookups of the
     * synthetic data set (far more than a hot set) and keep the small pod under its memory goal; 32 MiB made G1 keep
     * a larger heap (services/api/DESIGN.md, "Near cache").
     */
    public static final long DEFAULT_NEAR_CACHE_BYTES = 16L << 20;

    /** The setting the near cache was once bounded by (entries), refused at start with what replaces it. */
    static final String OLD_NEAR_CACHE_SIZE = "api.near-cache-size";

    /** Validates. */
    public ApiConfig {
        if (nearCacheBytes < 0) {
            throw new ConfigException("api.near-cache-bytes must not be negative (got " + nearCacheBytes + ")");
        }
        if (!repository.startsWith("https://") && !repository.startsWith("http://")) {
            throw new ConfigException("api.repository must be an http(s) URL: " + repository);
        }
        if (dumpDir == null || dumpDir.toString().isBlank()) {
            throw new ConfigException("api.dump-dir must name a directory");
        }
    }

    /**
     * @param config root config
     * @return validated settings
     */
    public static ApiConfig from(Config config) {
        refuseOldNearCacheSize(config);
        return new ApiConfig(
                Settings.redis(config),
                Settings.redisPrefix(config),
                Settings.intIn(config, "server.port", 8080, 0, 65535),
                Settings.intIn(config, "api.redis-pool", 16, 1, 4096),
                Settings.intIn(config, "api.redis-pipes", DEFAULT_REDIS_PIPES, 1, 64),
                Settings.intIn(config, "api.near-cache-bytes", (int) DEFAULT_NEAR_CACHE_BYTES, 0, Integer.MAX_VALUE),
                Settings.intIn(config, "api.max-age", 3600, 0, 31_536_000),
                Settings.intIn(config, "api.not-found-max-age", 300, 0, 31_536_000),
                Settings.intIn(config, "api.batch-limit", 500, 1, 10_000),
                Settings.intIn(config, "api.max-body-bytes", 256 * 1024, 1024, 64 * 1024 * 1024),
                Settings.string(config, "API_REPOSITORY", "api.repository", "https://github.com/ids-moe/ids.moe"),
                Settings.string(config, "API_LICENSE", "api.license", "AGPL-3.0-only"),
                Path.of(config.get("api.dump-dir").asString().orElse(System.getProperty("java.io.tmpdir"))));
    }

    /**
     * The near cache was bounded by a number of entries ({@code api.near-cache-size}); it is now bounded by the heap
     * its entries retain. An entry count cannot be turned into bytes without guessing the size of answers, and a
     * count kept silently would size memory the pod's limit no longer covers, so a configuration that still sets it
     * is refused with one line saying what to set instead.
     *
     * @param config root config
     * @throws ConfigException when {@code api.near-cache-size} is set
     */
    static void refuseOldNearCacheSize(Config config) {
        Config old = config.get(OLD_NEAR_CACHE_SIZE);
        if (!old.exists()) {
            return;
        }
        String value = old.asString().orElse("");
        throw new ConfigException(OLD_NEAR_CACHE_SIZE + " (" + value + ") is no longer read: the near cache is "
                + "bounded by bytes now; remove it and set api.near-cache-bytes instead (default "
                + DEFAULT_NEAR_CACHE_BYTES + " = 16 MiB, about 17,000 entries; 0 disables the cache)");
    }

    /**
     * @param bytes new near-cache budget (0 = off)
     * @return a copy (tests, bench)
     */
    public ApiConfig withNearCacheBytes(long bytes) {
        return new ApiConfig(redis, redisPrefix, port, redisPool, redisPipes, bytes, maxAge, notFoundMaxAge,
                batchLimit, maxBodyBytes, repository, license, dumpDir);
    }

    /**
     * @param dir new dump directory
     * @return a copy (tests)
     */
    public ApiConfig withDumpDir(Path dir) {
        return new ApiConfig(redis, redisPrefix, port, redisPool, redisPipes, nearCacheBytes, maxAge,
                notFoundMaxAge, batchLimit, maxBodyBytes, repository, license, dir);
    }

    /** Written out: the generated method costs the start path tens of milliseconds ({@link RecordText}). */
    @Override
    public String toString() {
        return RecordText.of("ApiConfig", "redis", redis, "redisPrefix", redisPrefix, "port", port,
                "redisPool", redisPool, "redisPipes", redisPipes, "nearCacheBytes", nearCacheBytes, "maxAge", maxAge,
                "notFoundMaxAge", notFoundMaxAge, "batchLimit", batchLimit, "maxBodyBytes", maxBodyBytes,
                "repository", repository, "license", license, "dumpDir", dumpDir);
    }
}
