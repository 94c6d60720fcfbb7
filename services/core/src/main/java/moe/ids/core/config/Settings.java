package moe.ids.core.config;

import io.helidon.config.Config;
import moe.ids.core.error.ConfigException;

/**
 * Reads the settings every service shares from Helidon {@link Config}. Environment variables win over
 * {@code application.yaml}: {@code DATABASE_URL} and {@code REDIS_URL} are read by their own names first
 * (Helidon's environment source also maps them to {@code database.url} / {@code redis.url}).
 */
public final class Settings {
    private Settings() {
    }

    /**
     * @param config root config
     * @return the PostgreSQL location with the code's default timeouts ({@link DatabaseTimeouts#DEFAULT}) where
     *         {@code database.*-timeout-seconds} are not set
     */
    public static DatabaseUrl database(Config config) {
        return database(config, DatabaseTimeouts.DEFAULT);
    }

    /**
     * @param config   root config
     * @param defaults the service's timeouts where {@code database.*-timeout-seconds} are not set
     * @return the PostgreSQL location; errors about reaching it name {@code DATABASE_URL} (with the key when the
     *         value came from {@code database.url})
     */
    public static DatabaseUrl database(Config config, DatabaseTimeouts defaults) {
        DatabaseUrl url = pick(config, "DATABASE_URL", "database.url", DatabaseUrl.DEFAULT, DatabaseUrl::parse);
        String named = System.getenv("DATABASE_URL") != null ? "DATABASE_URL"
                : config.get("database.url").asString().isPresent() ? "DATABASE_URL (database.url)"
                : "DATABASE_URL (default)";
        return url.withVariable(named).withTimeouts(DatabaseTimeouts.from(config, defaults));
    }

    /**
     * @param config root config
     * @return the Redis location
     */
    public static RedisUrl redis(Config config) {
        return pick(config, "REDIS_URL", "redis.url", RedisUrl.DEFAULT, RedisUrl::parse);
    }

    /**
     * @param config root config
     * @return the Redis key prefix ({@code REDIS_PREFIX} or {@code redis.prefix}, default {@code ids:})
     */
    public static String redisPrefix(Config config) {
        return string(config, "REDIS_PREFIX", "redis.prefix", "ids:");
    }

    /**
     * @param config  root config
     * @param key     config key, e.g. {@code server.port}
     * @param fallback default
     * @param min     smallest allowed
     * @param max     largest allowed
     * @return the integer
     * @throws ConfigException when it is not an integer in range
     */
    public static int intIn(Config config, String key, int fallback, int min, int max) {
        int v;
        try {
            v = config.get(key).asInt().orElse(fallback);
        } catch (RuntimeException ex) {
            throw new ConfigException(key + " must be an integer: " + ex.getMessage());
        }
        if (v < min || v > max) {
            throw new ConfigException(key + " must be between " + min + " and " + max + " (got " + v + ")");
        }
        return v;
    }

    /**
     * @param config   root config
     * @param env      environment variable name, read first
     * @param key      config key
     * @param fallback default
     * @return the string
     */
    public static String string(Config config, String env, String key, String fallback) {
        String fromEnv = env == null ? null : System.getenv(env);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        return config.get(key).asString().orElse(fallback);
    }

    private static <T> T pick(Config config, String env, String key, String fallback, Parser<T> parser) {
        String fromEnv = System.getenv(env);
        if (fromEnv != null) {
            return parser.parse(env, fromEnv);
        }
        var fromConfig = config.get(key).asString();
        if (fromConfig.isPresent()) {
            return parser.parse(key, fromConfig.get());
        }
        return parser.parse(env + " (default)", fallback);
    }

    @FunctionalInterface
    private interface Parser<T> {
        T parse(String variable, String value);
    }
}
