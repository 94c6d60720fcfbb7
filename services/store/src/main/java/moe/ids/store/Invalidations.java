package moe.ids.store;

import moe.ids.core.config.RedisUrl;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisProtocol;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a near cache of lookups honest: one dedicated Redis connection with server-assisted client-side caching in
 * broadcast mode ({@code CLIENT TRACKING ON REDIRECT <own id> BCAST PREFIX <prefix>meta}, then
 * {@code SUBSCRIBE __redis__:invalidate}). Redis pushes a message on that connection whenever the meta hash is
 * written (every change set, resync switch or flush), before it answers the writer; each message drops the
 * cache. The connection is pinged every second; while it is down (or before it is first up) the near cache is
 * bypassed, and it is emptied again once the subscription is back, since messages may have been missed.
 */
public final class Invalidations implements AutoCloseable {
    /** The cache kept honest. */
    public interface Cache {
        /**
         * @return whether the cache is in use at all
         */
        boolean usable();

        /**
         * @param isLive whether invalidations are being received (while not, the cache must be bypassed)
         */
        void live(boolean isLive);

        /** Drops everything cached. */
        void invalidate();
    }

    private static final System.Logger LOG = System.getLogger(Invalidations.class.getName());
    private static final byte[] CHANNEL = "__redis__:invalidate".getBytes(StandardCharsets.US_ASCII);
    private static final int READ_TIMEOUT_MS = 3_000;

    private final HostAndPort where;
    private final JedisClientConfig config;
    private final String metaKey;
    private final Cache cache;
    private final AtomicLong received = new AtomicLong();
    private final Thread reader;
    private final Thread pinger;
    private volatile Subscriber connection;
    private volatile boolean closed;

    /**
     * Starts the subscriber thread (daemon).
     *
     * @param url        Redis
     * @param clientName the connection's client name
     * @param metaKey    the meta hash key
     * @param cache      the cache to invalidate
     */
    public Invalidations(RedisUrl url, String clientName, String metaKey, Cache cache) {
        this.where = new HostAndPort(url.host(), url.port());
        JedisClientConfig config = RedisClients.clientConfig(url, clientName);
        // RESP2: jedis 8 negotiates RESP3 by default, where an invalidation arrives as a push message that jedis
        // consumes itself, so this reader never saw one (the cache then only moved on with the versions lookups
        // reported); the subscribed-connection protocol below (message arrays, ["pong", ""]) is RESP2's
        this.config = DefaultJedisClientConfig.builder().from(config).protocol(RedisProtocol.RESP2).build();
        this.metaKey = metaKey;
        this.cache = cache;
        this.reader = Thread.ofPlatform().daemon().name("near-cache-invalidations").start(this::run);
        this.pinger = Thread.ofPlatform().daemon().name("near-cache-ping").start(this::ping);
    }

    /**
     * @return invalidation messages received so far
     */
    public long received() {
        return received.get();
    }

    /**
     * @return true while subscribed
     */
    public boolean live() {
        return cache.usable();
    }

    private void run() {
        long backoff = 100;
        while (!closed) {
            try (Subscriber c = new Subscriber(where, config)) {
                c.sendCommand(Protocol.Command.CLIENT, "ID");
                long id = c.getIntegerReply();
                c.sendCommand(Protocol.Command.CLIENT, "TRACKING", "ON", "REDIRECT", Long.toString(id), "BCAST",
                        "PREFIX", metaKey);
                c.getStatusCodeReply();
                c.sendCommand(Protocol.Command.SUBSCRIBE, CHANNEL);
                c.getOne();
                c.setSoTimeout(READ_TIMEOUT_MS);
                connection = c;
                cache.live(true);
                LOG.log(System.Logger.Level.INFO, "near cache: subscribed to changes of {0}", metaKey);
                backoff = 100;
                while (!closed) {
                    // a pong or an invalidation; a timeout (no pong for 3 s) throws. Only the pinger writes from now on.
                    Object msg = c.getUnflushedObject();
                    if (msg instanceof List<?> l && !l.isEmpty() && l.getFirst() instanceof byte[] kind
                            && "message".equals(new String(kind, StandardCharsets.US_ASCII))) {
                        cache.invalidate();
                        received.incrementAndGet();
                    }
                }
            } catch (RuntimeException ex) {
                cache.live(false);
                connection = null;
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "near cache: invalidation channel lost ({0}); cache "
                            + "bypassed until it is back", ex.getMessage());
                    sleep(backoff);
                    backoff = Math.min(5_000, backoff * 2);
                }
            }
        }
        cache.live(false);
    }

    private void ping() {
        while (!closed) {
            sleep(1_000);
            Subscriber c = connection;
            // only the current, still open connection: jedis would silently reopen a closed one (a stray socket)
            if (c != null && c.isConnected()) {
                try {
                    c.sendPing();
                } catch (RuntimeException ex) {
                    if (connection == c) {
                        // a ping that failed on a connection the reader has replaced meanwhile must not switch the
                        // cache off: the new subscription is live (it would stay bypassed until the next loss)
                        cache.live(false);
                    }
                }
            }
        }
    }

    private static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        cache.live(false);
        Subscriber c = connection;
        if (c != null) {
            try {
                c.disconnect();
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        }
        pinger.interrupt();
        try {
            reader.join(5_000);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** The subscribed connection; after subscribing only {@link #sendPing()} writes (and flushes) to it. */
    private static final class Subscriber extends Connection {
        Subscriber(HostAndPort where, JedisClientConfig config) {
            super(where, config);
        }

        /** PING, answered as {@code ["pong", ""]} on a subscribed connection. */
        void sendPing() {
            sendCommand(Protocol.Command.PING);
            flush();
        }
    }
}
