package moe.ids.ingestor;

import moe.ids.core.config.RedisUrl;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

import java.time.Duration;

/**
 * Builds the one pooled Redis client a process uses, from a {@link RedisUrl} (password, ACL user,
 * database and TLS for {@code rediss://}). Shared by the ingestor and the API.
 */
public final class RedisClients {
    private RedisClients() {
    }

    /**
     * @param url      where
     * @param name     client name shown by {@code CLIENT LIST}
     * @param maxTotal largest pool size
     * @return a client; close it on shutdown
     */
    public static RedisClient create(RedisUrl url, String name, int maxTotal) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(maxTotal);
        pool.setMaxIdle(maxTotal);
        pool.setMinIdle(0);
        pool.setMaxWait(Duration.ofSeconds(5));
        pool.setJmxEnabled(false);
        // drop connections a Redis restart broke while they sat idle
        pool.setTestWhileIdle(true);
        pool.setTimeBetweenEvictionRuns(Duration.ofSeconds(10));
        return RedisClient.builder()
                .hostAndPort(url.host(), url.port())
                .clientConfig(clientConfig(url, name))
                .poolConfig(pool)
                .build();
    }

    /**
     * The settings of one connection (auth, database, TLS, timeouts), for processes that also open dedicated
     * connections (the API's invalidation subscriber).
     *
     * @param url  where
     * @param name client name shown by {@code CLIENT LIST}
     * @return the connection settings
     */
    public static JedisClientConfig clientConfig(RedisUrl url, String name) {
        DefaultJedisClientConfig.Builder cfg = DefaultJedisClientConfig.builder()
                .database(url.database())
                .ssl(url.tls())
                .clientName(name)
                .connectionTimeoutMillis(5_000)
                .socketTimeoutMillis(10_000);
        if (url.password() != null) {
            cfg.password(url.password());
        }
        if (url.user() != null) {
            cfg.user(url.user());
        }
        return cfg.build();
    }
}
