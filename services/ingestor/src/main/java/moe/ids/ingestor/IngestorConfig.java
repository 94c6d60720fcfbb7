package moe.ids.ingestor;

import moe.ids.core.config.RecordText;
import moe.ids.store.Tuning;
import io.helidon.config.Config;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.config.RedisUrl;
import moe.ids.core.config.Settings;
import moe.ids.core.error.ConfigException;

import java.time.Duration;

/**
 * The ingestor's settings.
 *
 * @param database     PostgreSQL with the change-set outbox ({@code DATABASE_URL})
 * @param redis        the Redis it keeps equal to the published state ({@code REDIS_URL})
 * @param redisPrefix  key prefix ({@code redis.prefix}); on Redis Cluster use a hash tag, e.g. {@code {ids}:}
 * @param port         HTTP port for health and metrics ({@code server.port})
 * @param consumer     name under which the applied version is reported ({@code ingestor.consumer})
 * @param pollInterval longest wait between syncs without a notification ({@code ingestor.poll-seconds}, 5)
 * @param maxBackoff   longest wait between retries after failures ({@code ingestor.max-backoff-seconds}, 30)
 * @param redisProbe   while Redis is down, how often it is PINGed so that the resync starts as soon as it answers
 *                     ({@code ingestor.redis-probe-millis}, 500; 0 = wait out the backoff)
 * @param tuning       bucket sizes, batch size, transaction limit, build lease ({@code ingestor.*})
 */
public record IngestorConfig(DatabaseUrl database, RedisUrl redis, String redisPrefix, int port, String consumer,
                             Duration pollInterval, Duration maxBackoff, Duration redisProbe, Tuning tuning) {
    /** Default of {@code ingestor.redis-probe-millis}. */
    public static final Duration DEFAULT_REDIS_PROBE = Duration.ofMillis(500);

    /** Validates. */
    public IngestorConfig {
        if (consumer == null || consumer.isBlank()) {
            throw new ConfigException("ingestor.consumer must not be empty");
        }
        if (redisProbe == null || redisProbe.isNegative()) {
            throw new ConfigException("ingestor.redis-probe-millis must not be negative");
        }
    }

    /**
     * Settings with the default Redis probe interval.
     *
     * @param database     PostgreSQL
     * @param redis        Redis
     * @param redisPrefix  key prefix
     * @param port         HTTP port
     * @param consumer     name in {@code ingest_state}
     * @param pollInterval longest wait between syncs
     * @param maxBackoff   longest wait between retries
     * @param tuning       writer sizes
     */
    public IngestorConfig(DatabaseUrl database, RedisUrl redis, String redisPrefix, int port, String consumer,
                          Duration pollInterval, Duration maxBackoff, Tuning tuning) {
        this(database, redis, redisPrefix, port, consumer, pollInterval, maxBackoff, DEFAULT_REDIS_PROBE, tuning);
    }

    /**
     * @param probe Redis probe interval while it is down
     * @return a copy with it
     */
    public IngestorConfig withRedisProbe(Duration probe) {
        return new IngestorConfig(database, redis, redisPrefix, port, consumer, pollInterval, maxBackoff, probe,
                tuning);
    }

    /**
     * @param config root config
     * @return validated settings
     */
    public static IngestorConfig from(Config config) {
        Tuning d = Tuning.DEFAULT;
        return new IngestorConfig(
                Settings.database(config),
                Settings.redis(config),
                Settings.redisPrefix(config),
                Settings.intIn(config, "server.port", 8082, 0, 65535),
                config.get("ingestor.consumer").asString().orElse("default"),
                Duration.ofSeconds(Settings.intIn(config, "ingestor.poll-seconds", 5, 1, 3600)),
                Duration.ofSeconds(Settings.intIn(config, "ingestor.max-backoff-seconds", 30, 1, 3600)),
                Duration.ofMillis(Settings.intIn(config, "ingestor.redis-probe-millis",
                        (int) DEFAULT_REDIS_PROBE.toMillis(), 0, 60_000)),
                new Tuning(
                        Settings.intIn(config, "ingestor.mapping-bucket-fields", d.mappingBucketFields(), 0, 100_000),
                        Settings.intIn(config, "ingestor.entry-bucket-fields", d.entryBucketFields(), 0, 100_000),
                        Settings.intIn(config, "ingestor.batch-fields", d.batchFields(), 1, 10_000_000),
                        Settings.intIn(config, "ingestor.max-transaction-ops", d.maxTransactionOps(), 1, 100_000_000),
                        Duration.ofSeconds(Settings.intIn(config, "ingestor.build-lease-seconds",
                                (int) d.buildLease().toSeconds(), 2, 3600))));
    }

    /** Written out: the generated method costs the start path tens of milliseconds ({@link RecordText}). */
    @Override
    public String toString() {
        return RecordText.of("IngestorConfig", "database", database, "redis", redis, "redisPrefix", redisPrefix,
                "port", port, "consumer", consumer, "pollInterval", pollInterval, "maxBackoff", maxBackoff,
                "redisProbe", redisProbe, "tuning", tuning);
    }
}
