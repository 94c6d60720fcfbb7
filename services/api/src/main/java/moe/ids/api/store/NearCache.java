package moe.ids.api.store;

import moe.ids.store.Invalidations;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The in-process cache in front of Redis, keyed by mapping key, holding answers of ONE change-set version, bounded
 * by the heap its entries retain: each entry weighs its key, its answer ({@link Answer#retainedBytes()}) and
 * {@link #ENTRY_BYTES} of the cache's own structures, and Caffeine evicts (W-TinyLFU) to keep the sum within the
 * budget. An answer is held by one entry (a lookup by path caches it under the path only, {@link EntryStore}); an
 * {@linkplain #alias alias} shares its key's answer and is weighed with it again, so the budget bounds what the cache
 * retains from above.
 * It is only used while {@link Invalidations} holds a live subscription to changes of Redis' {@code meta} hash:
 * every change (a change set applied, a resync switched in, a flush) or a lost subscription replaces the whole
 * generation with an empty one of unknown version. A lookup that missed captures the generation first and may only
 * store its answer into that same generation, with that generation's version, so an answer read before a change
 * can never be stored after it (see {@code services/api/DESIGN.md}, "Near cache").
 *
 * <p>Every version a Redis answer reports is also {@linkplain #observe observed}: the invalidation arrives on
 * another connection, read by another thread, so this process can see version n+1 in an answer before it hears
 * that n is gone. From then on the generation of n answers nothing, and no answer older than n+1 is stored. The
 * generation and the newest version seen change together (one atomic state), so an invalidation racing an
 * observation cannot lose it.
 */
public final class NearCache implements Invalidations.Cache {
    /** Version of a generation that has not seen a Redis answer yet. */
    static final long UNKNOWN = -1;

    /**
     * What one entry costs beyond its key and answer: its Caffeine node (key, value, weight, access-order links),
     * the hash table's node and slot, and its share of the frequency sketch. Measured on Caffeine 3.2 with budgets
     * of 4 to 128 MiB: 94 to 109 bytes (the most right after the hash table doubled); the rest of 120 covers the
     * cache's fixed structures (buffers, the sketch's least size). {@code NearCacheFootprintTest} checks the weights
     * against the heap a full cache retains.
     */
    static final int ENTRY_BYTES = 120;

    private final long maxBytes;
    private final AtomicReference<State> state;
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
     * The current generation and the newest version any Redis answer reported since the last invalidation.
     *
     * @param generation current generation
     * @param newest     newest version seen, or {@link #UNKNOWN}
     */
    private record State(Generation generation, long newest) {
        /** Whether the generation may answer: known, and not older than a version already seen. */
        boolean answers() {
            return generation.version != UNKNOWN && generation.version >= newest;
        }
    }

    /**
     * @param maxBytes most heap bytes the entries of one generation may retain; 0 disables the cache
     */
    public NearCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("near-cache bytes must not be negative: " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.state = new AtomicReference<>(new State(newGeneration(UNKNOWN), UNKNOWN));
    }

    /**
     * @return true when the cache may answer (enabled and its invalidation channel is live)
     */
    @Override
    public boolean usable() {
        return maxBytes > 0 && live;
    }

    /**
     * @param key mapping key
     * @return the cached answer, or null
     */
    public Answer get(String key) {
        if (!usable()) {
            return null;
        }
        State s = state.get();
        return s.answers() ? s.generation.cache.getIfPresent(key) : null;
    }

    /**
     * Tells the cache the version a Redis answer carried (lookups, batches, version reads): a newer one than the
     * generation's retires that generation at once, before its invalidation message arrives.
     *
     * @param version the answer's version
     */
    public void observe(long version) {
        while (true) {
            State s = state.get();
            if (version <= s.newest) {
                return;
            }
            Generation g = s.generation;
            Generation next = g.version != UNKNOWN && g.version < version ? newGeneration(UNKNOWN) : g;
            if (state.compareAndSet(s, new State(next, version))) {
                return;
            }
        }
    }

    /**
     * @return the generation a lookup that is about to go to Redis must hand back to {@link #put}
     */
    public Generation begin() {
        return state.get().generation;
    }

    /**
     * Stores an answer read from Redis after {@link #begin()} returned {@code seen}; ignored when the generation
     * changed since, when the answer's version is older than the generation's, or older than a version already
     * observed.
     *
     * @param seen   generation captured before the Redis read
     * @param key    mapping key
     * @param answer what Redis answered
     */
    public void put(Generation seen, String key, Answer answer) {
        if (!usable()) {
            return;
        }
        while (true) {
            State s = state.get();
            if (s.generation != seen || answer.version() < s.newest) {
                return; // invalidated since, or a newer version was seen meanwhile (perhaps by another request)
            }
            if (answer.version() == seen.version) {
                seen.cache.put(key, answer);
                return;
            }
            if (answer.version() < seen.version) {
                return;
            }
            // first answer of an unknown generation, or a newer version seen before its invalidation arrived
            Generation next = newGeneration(answer.version());
            if (state.compareAndSet(s, new State(next, Math.max(s.newest, answer.version())))) {
                next.cache.put(key, answer);
                return;
            }
        }
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
        State s = state.get();
        Generation g = s.generation;
        Answer a = s.answers() ? g.cache.getIfPresent(key) : null;
        if (a != null && a.version() == g.version) {
            g.cache.put(alias, a);
        }
    }

    /**
     * @return the version every cached answer belongs to, or -1 when unknown, retired or the cache is not usable
     */
    public long knownVersion() {
        State s = state.get();
        return usable() && s.answers() ? s.generation.version : UNKNOWN;
    }

    /**
     * Drops every answer (meta changed, or the channel went up or down), and forgets the newest version seen, so
     * that a store reloaded at a lower version is cached again: an answer read before this call cannot be stored
     * any more (its generation is gone), and one read after it reflects the change.
     */
    @Override
    public void invalidate() {
        state.set(new State(newGeneration(UNKNOWN), UNKNOWN));
    }

    /**
     * @param isLive whether the invalidation channel is subscribed; going live or dead also drops every answer
     */
    @Override
    public void live(boolean isLive) {
        invalidate();
        this.live = isLive;
        invalidate();
    }

    /**
     * @return entries held now
     */
    public long size() {
        return state.get().generation.cache.estimatedSize();
    }

    /**
     * @return heap bytes the entries held now retain, by their weights
     */
    public long bytes() {
        return state.get().generation.cache.policy().eviction()
                .map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    /**
     * @return the budget, 0 when disabled
     */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * @param key    a mapping key or request path
     * @param answer its answer
     * @return the heap the entry retains: key, answer and the cache's own share
     */
    static int weight(String key, Answer answer) {
        return ENTRY_BYTES + Footprint.string(key) + answer.retainedBytes();
    }

    private Generation newGeneration(long version) {
        return new Generation(version, Caffeine.newBuilder().maximumWeight(Math.max(1, maxBytes))
                .weigher(NearCache::weight).executor(Runnable::run).build());
    }
}
