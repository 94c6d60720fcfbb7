package moe.ids.system;

import io.helidon.config.Config;
import moe.ids.api.ApiConfig;
import moe.ids.api.Main;
import moe.ids.core.config.RedisUrl;
import moe.ids.store.RedisClients;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.UUID;

/**
 * Test support: a random key prefix of the shared test Redis ({@code TEST_REDIS_URL}, default db 0 of the local
 * server) for a pipeline to fill, and the API started on a free port over it. {@link #close()} stops the API and
 * deletes the prefix's keys.
 */
final class ServedApi implements AutoCloseable {
    private static final String REDIS = System.getenv().getOrDefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/0");

    /** The shared test Redis. */
    final RedisUrl redisUrl = RedisUrl.parse("TEST_REDIS_URL", REDIS);
    /** This instance's key prefix. */
    final String prefix = "tsys" + UUID.randomUUID().toString().substring(0, 8) + ":";
    /** A client of {@link #redisUrl} (e.g. for the ingestor); closed by {@link #close()}. */
    final RedisClient redis = RedisClients.create(redisUrl, "ids-moe-system-test", 4);
    private Main.Api api;

    /**
     * The API's settings in tests: an ephemeral port, a pool of 8 and the shipped defaults.
     *
     * @param url       the Redis the API reads
     * @param prefix    its key prefix
     * @param nearCache near-cache budget in bytes (0 = off)
     * @return the config
     */
    static ApiConfig config(RedisUrl url, String prefix, long nearCache) {
        return new ApiConfig(url, prefix, 0, 8, ApiConfig.DEFAULT_REDIS_PIPES, nearCache, 3600, 300, 500, 256 * 1024,
                "https://github.com/ids-moe/ids.moe", "AGPL-3.0-only",
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * Starts the API over this prefix.
     *
     * @param nearCache near-cache budget in bytes (0 = off)
     * @return the started API
     */
    Main.Api start(long nearCache) {
        api = Main.Api.start(config(redisUrl, prefix, nearCache), Config.empty());
        return api;
    }

    /**
     * @return the base URL of the started API
     */
    String base() {
        return "http://127.0.0.1:" + api.server().port();
    }

    @Override
    public void close() {
        try {
            if (api != null) {
                api.close();
            }
        } finally {
            try {
                ScanParams match = new ScanParams().match(prefix + "*").count(1000);
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    ScanResult<String> page = redis.scan(cursor, match);
                    if (!page.getResult().isEmpty()) {
                        redis.unlink(page.getResult().toArray(String[]::new));
                    }
                    cursor = page.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            } finally {
                redis.close();
            }
        }
    }
}
