package moe.ids.store;

import moe.ids.core.config.RedisUrl;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * A process's pooled Redis client, handed to the store's readers and writers without its type leaving this module
 * (only the store speaks RESP). Closing it closes the pool when {@link #open} made it.
 */
public final class RedisPool implements AutoCloseable {
    private final RedisClient client;
    private final boolean owned;

    private RedisPool(RedisClient client, boolean owned) {
        this.client = client;
        this.owned = owned;
    }

    /**
     * @param url        Redis
     * @param clientName the connections' client name
     * @param maxTotal   largest pool size
     * @return a pool of its own
     */
    public static RedisPool open(RedisUrl url, String clientName, int maxTotal) {
        return new RedisPool(RedisClients.create(url, clientName, maxTotal), true);
    }

    /**
     * @param client a client its caller keeps and closes (tests that share one)
     * @return a handle on it that does not close it
     */
    public static RedisPool of(RedisClient client) {
        return new RedisPool(client, false);
    }

    RedisClient client() {
        return client;
    }

    /**
     * @return whether Redis answers {@code PING} now (never throws)
     */
    public boolean ping() {
        return ping(client);
    }

    /**
     * @param redis a client
     * @return whether Redis answers {@code PING} now (never throws)
     */
    static boolean ping(UnifiedJedis redis) {
        try {
            return "PONG".equals(redis.ping());
        } catch (RuntimeException ex) {
            return false;
        }
    }

    @Override
    public void close() {
        if (owned) {
            client.close();
        }
    }
}
