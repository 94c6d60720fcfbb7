package moe.ids.api.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The bounded in-process cache in front of Redis, keyed by mapping key, holding answers of ONE change-set version.
 * It is only used while {@link Invalidations} holds a live subscription to changes of Redis' {@code meta} hash:
 * every change (a change set applied, a resync switched in, a flush) or a lost subscription replaces the whole
 * generation with an empty one of unknown version. A lookup that missed captures the generation first and may only
 * store its answer into that same generation, with that generation's version, so an answer read before a change
 * can never be stored after it (see {@code services/api/DESIGN.md}, "Near cache").
 */
public final class NearCache {
    /** Version of a generation that has not seen a Redis answer yet. */
    static final long UNKNOWN = -1;

    private final int maxSize;
    private final AtomicReference<Generation> current;
    private volatile boolean live;

    /**
     * One version's answers.
     *
     * @param version change-set version of every answer in it, or {@link #UNKNOWN}
     * @param cache   the answers
     */
    public record Generation(long version, Cache<String, Answer> cache) {
    }

    /**
     * @param maxSize most entries; 0 disables the cache
     */
    public NearCache(int maxSize) {
        this.maxSize = maxSize;
        this.current = new AtomicReference<>(newGeneration(UNKNOWN));
    }

    /**
     * @return true when the cache may answer (enabled and its invalidation channel is live)
     */
    public boolean usable() {
        return maxSize > 0 && live;
    }

    /**
     * @param key mapping key
     * @return the cached answer, or null
     */
    public Answer get(String key) {
        if (!usable()) {
            return null;
        }
        Generation g = current.get();
        return g.version == UNKNOWN ? null : g.cache.getIfPresent(key);
    }

    /**
     * @return the generation a lookup that is about to go to Redis must hand back to {@link #put}
     */
    public Generation begin() {
        return current.get();
    }

    /**
     * Stores an answer read from Redis after {@link #begin()} returned {@code seen}; ignored when the generation
     * changed since, or when the answer's version is older than the generation's.
     *
     * @param seen   generation captured before the Redis read
     * @param key    mapping key
     * @param answer what Redis answered
     */
    public void put(Generation seen, String key, Answer answer) {
        if (!usable()) {
            return;
        }
        Generation g = seen;
        if (answer.version() != g.version) {
            if (answer.version() < g.version) {
                return;
            }
            // first answer of an unknown generation, or a newer version seen before its invalidation arrived
            Generation next = newGeneration(answer.version());
            if (!current.compareAndSet(g, next)) {
                return;
            }
            g = next;
        } else if (current.get() != g) {
            return;
        }
        g.cache.put(key, answer);
    }

    /**
     * Makes {@code alias} answer what {@code key} answers in the current generation (nothing when {@code key} is
     * not cached there). Both live in the same generation, so an invalidation drops both.
     *
     * @param key   a cached key
     * @param alias another key for the same answer (e.g. the request path)
     */
    public void alias(String key, String alias) {
        if (!usable()) {
            return;
        }
        Generation g = current.get();
        Answer a = g.cache.getIfPresent(key);
        if (a != null && a.version() == g.version) {
            g.cache.put(alias, a);
        }
    }

    /**
     * @return the version every cached answer belongs to, or -1 when unknown or the cache is not usable
     */
    public long knownVersion() {
        return usable() ? current.get().version : UNKNOWN;
    }

    /** Drops every answer (meta changed). */
    public void invalidate() {
        current.set(newGeneration(UNKNOWN));
    }

    /**
     * @param isLive whether the invalidation channel is subscribed; going live or dead also drops every answer
     */
    void live(boolean isLive) {
        invalidate();
        this.live = isLive;
        invalidate();
    }

    /**
     * @return entries held now
     */
    public long size() {
        return current.get().cache.estimatedSize();
    }

    private Generation newGeneration(long version) {
        return new Generation(version, Caffeine.newBuilder().maximumSize(Math.max(1, maxSize))
                .executor(Runnable::run).build());
    }
}
