package moe.ids.api.store;

import moe.ids.store.RedisReader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** How lookups fill the near cache: each answer read from Redis is held by one entry, which its weight charges. */
class EntryStoreTest {
    private final List<List<String>> calls = new ArrayList<>();
    private final NearCache cache = new NearCache(1L << 20);
    private final EntryStore store = new EntryStore(null, keys -> {
        calls.add(keys);
        List<Optional<RedisReader.Hit>> hits = new ArrayList<>();
        keys.forEach(k -> hits.add(k.endsWith("/404") ? Optional.empty()
                : Optional.of(new RedisReader.Hit(7, new byte[500]))));
        return new RedisReader.Lookups(3, hits);
    }, cache);

    @Test
    void aLookupByPathIsCachedUnderThePathOnly() {
        cache.live(true);
        Answer a = store.find("myanimelist/1", "/mal/1");
        assertEquals(1, cache.size(), "one entry per answer");
        assertEquals(NearCache.weight("/mal/1", a), cache.bytes());
        assertSame(a, store.cachedPath("/mal/1"));
        // another spelling of the same key misses once and holds its own answer
        store.find("myanimelist/1", "/myanimelist/1");
        assertEquals(2, calls.size());
        assertEquals(2, cache.size());
        // a not-found answer is cached under its mapping key (a path is never cached for it)
        store.find("myanimelist/404", "/mal/404");
        store.find("myanimelist/404", "/mal/404");
        assertEquals(3, calls.size());
        assertEquals(3, cache.size());
    }

    @Test
    void aPathResolvingToAKeyCachedByAnotherRouteSharesItsAnswer() {
        cache.live(true);
        Answer a = store.find("myanimelist/1"); // e.g. a redirect
        assertSame(a, store.find("myanimelist/1", "/mal/1"));
        assertEquals(1, calls.size());
        assertSame(a, store.cachedPath("/mal/1"));
        assertEquals(NearCache.weight("myanimelist/1", a) + NearCache.weight("/mal/1", a), cache.bytes(),
                "the alias is weighed with the answer again: an upper bound");
    }
}
