package moe.ids.store;

import moe.ids.core.error.ConfigException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Optional;

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
        if (url.tls()) {
            tlsCaFile().ifPresent(ca -> cfg.sslSocketFactory(trusting(ca)));
        }
        return cfg.build();
    }

    /**
     * A private CA for {@code rediss://} (managed Redis services and self-signed servers): the PEM file named by
     * {@code REDIS_TLS_CA_FILE} (or the system property {@code ids.moe.redis.tls-ca-file}). Without it the JVM's
     * default trust store decides.
     *
     * @return the CA file, if configured
     */
    public static Optional<Path> tlsCaFile() {
        String v = System.getProperty("ids.moe.redis.tls-ca-file", System.getenv("REDIS_TLS_CA_FILE"));
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(Path.of(v.strip()));
    }

    private static SSLSocketFactory trusting(Path caPem) {
        try (InputStream in = Files.newInputStream(caPem)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + n++, c);
            }
            if (n == 0) {
                throw new ConfigException("REDIS_TLS_CA_FILE " + caPem + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (IOException | GeneralSecurityException ex) {
            throw new ConfigException("REDIS_TLS_CA_FILE " + caPem + " is not a readable PEM certificate: "
                    + ex.getMessage());
        }
    }
}
