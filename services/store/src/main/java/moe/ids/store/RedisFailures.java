package moe.ids.store;

import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/** What a failure of a Redis call means, for callers that must not see the client's exception types. */
public final class RedisFailures {
    private RedisFailures() {
    }

    /**
     * @param ex why a call failed
     * @return true when Redis could not be reached or cannot serve yet (connection refused or lost, timeout, a
     *         restarted server still loading its data)
     */
    public static boolean unreachable(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JedisConnectionException) {
                return true;
            }
            if (t instanceof JedisDataException && t.getMessage() != null && (t.getMessage().startsWith("LOADING")
                    || t.getMessage().startsWith("MASTERDOWN") || t.getMessage().startsWith("TRYAGAIN"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param ex a failure
     * @return true when it is the Redis client's own failure (not one of the project's exceptions)
     */
    public static boolean fromRedis(Throwable ex) {
        return ex instanceof JedisException;
    }
}
