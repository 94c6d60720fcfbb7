package moe.ids.ingestor;

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
 * @param tuning       bucket sizes, batch size, transaction limit, build lease ({@code ingestor.*})
 */
public record IngestorConfig(DatabaseUrl database, RedisUrl redis, String redisPrefix, int port, String consumer,
                             Duration pollInterval, Duration maxBackoff, Tuning tuning) {

    /** Validates. */
    public IngestorConfig {
        if (consumer == null || consumer.isBlank()) {
            throw new ConfigException("ingestor.consumer must not be empty");
        }
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
                new Tuning(
                        Settings.intIn(config, "ingestor.mapping-bucket-fields", d.mappingBucketFields(), 0, 100_000),
                        Settings.intIn(config, "ingestor.entry-bucket-fields", d.entryBucketFields(), 0, 100_000),
                        Settings.intIn(config, "ingestor.batch-fields", d.batchFields(), 1, 10_000_000),
                        Settings.intIn(config, "ingestor.max-transaction-ops", d.maxTransactionOps(), 1, 100_000_000),
                        Duration.ofSeconds(Settings.intIn(config, "ingestor.build-lease-seconds",
                                (int) d.buildLease().toSeconds(), 2, 3600))));
    }
}
