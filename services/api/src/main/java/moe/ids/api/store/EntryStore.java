package moe.ids.api.store;

import moe.ids.store.Meta;
import moe.ids.store.RedisReader;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The API's only view of the data: resolves mapping keys through the {@link NearCache}, else with ONE Redis round
 * trip (the ingestor's read-only lookup script, which reads meta and both tiers atomically). Batches always go to
 * Redis in one script call, so every item of a batch belongs to the same version.
 */
public final class EntryStore {
    private final RedisReader reader;
    private final Function<List<String>, RedisReader.Lookups> lookups;
    private final NearCache cache;
    /** Prefix of a path entry in the near cache when the path does not start with {@code /} (never from Helidon). */
    private static final String PATH = "\u0001";
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /**
     * @param reader  the ingestor's reader (meta, snapshots)
     * @param lookups runs the lookup script: {@link ScriptPipe#findAll} or {@link RedisReader#findAll}
     * @param cache   near cache (may be disabled)
     */
    public EntryStore(RedisReader reader, Function<List<String>, RedisReader.Lookups> lookups, NearCache cache) {
        this.reader = reader;
        this.lookups = lookups;
        this.cache = cache;
    }

    /**
     * @param mappingKey e.g. {@code myanimelist/1}
     * @return the answer (found or not) with its version
     * @throws moe.ids.core.error.UnavailableException when Redis is down or holds no dataset
     */
    public Answer find(String mappingKey) {
        return find(mappingKey, null);
    }

    /**
     * @param mappingKey e.g. {@code myanimelist/1}
     * @param rawPath    the request path that resolved to it, or null. A found answer read from Redis is cached
     *                   under this path instead of the mapping key, so that the next request for the same path skips
     *                   parsing and every answer the cache holds is held by one entry, which its weight charges with
     *                   it (a path that resolves to a key cached by another route shares that key's answer)
     * @return the answer (found or not) with its version
     */
    public Answer find(String mappingKey, String rawPath) {
        Answer a = cache.get(mappingKey);
        if (a != null) {
            hits.increment();
            if (rawPath != null && a.found()) {
                cache.alias(mappingKey, pathKey(rawPath));
            }
            return a;
        }
        misses.increment();
        NearCache.Generation seen = cache.begin();
        RedisReader.Lookups l = lookups.apply(List.of(mappingKey));
        cache.observe(l.version());
        a = toAnswer(l.version(), l.hits().getFirst());
        cache.put(seen, rawPath != null && a.found() ? pathKey(rawPath) : mappingKey, a);
        return a;
    }

    /**
     * @param rawPath request path
     * @return the found answer cached for exactly this path, or null
     */
    public Answer cachedPath(String rawPath) {
        Answer a = cache.get(pathKey(rawPath));
        if (a != null) {
            hits.increment();
        }
        return a;
    }

    /**
     * @param mappingKeys keys, in order
     * @return one answer per key, all of one version
     */
    public List<Answer> findAll(List<String> mappingKeys) {
        if (mappingKeys.isEmpty()) {
            return List.of();
        }
        RedisReader.Lookups l = lookups.apply(mappingKeys);
        cache.observe(l.version());
        List<Answer> out = new ArrayList<>(mappingKeys.size());
        l.hits().forEach(h -> out.add(toAnswer(l.version(), h)));
        return out;
    }

    /**
     * @return the applied version: from the near cache when it knows it, else one script call
     */
    public long version() {
        long v = cache.knownVersion();
        if (v >= 0) {
            return v;
        }
        long read = lookups.apply(List.of()).version();
        cache.observe(read);
        return read;
    }

    /**
     * @return the served meta (one HGETALL)
     */
    public Meta meta() {
        return reader.meta();
    }

    /**
     * @return the served meta, or empty when Redis holds no dataset
     */
    public Optional<Meta> metaIfPresent() {
        return reader.metaIfPresent();
    }

    /**
     * @param sinks a fresh sink per attempt ({@link RedisReader#snapshot(java.util.function.Supplier)})
     * @param <T>   what the sink makes of a version
     * @return both tiers of one version, as the sink keeps them
     */
    public <T> T snapshot(java.util.function.Supplier<? extends RedisReader.SnapshotSink<T>> sinks) {
        return reader.snapshot(sinks);
    }

    /**
     * @return near-cache hits so far
     */
    public long hits() {
        return hits.sum();
    }

    /**
     * @return lookups that went to Redis so far
     */
    public long misses() {
        return misses.sum();
    }

    /**
     * @return the near cache
     */
    public NearCache cache() {
        return cache;
    }

    /**
     * The near-cache key of a request path: the path itself (it starts with {@code /}, a mapping key never does),
     * so the hot path builds no string.
     */
    private static String pathKey(String rawPath) {
        return rawPath.startsWith("/") ? rawPath : PATH + rawPath;
    }

    private static Answer toAnswer(long version, Optional<RedisReader.Hit> hit) {
        return hit.map(h -> Answer.found(version, h.id(), h.json())).orElseGet(() -> Answer.missing(version));
    }
}
