package moe.ids.api.store;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The near cache's generation rules: no answer read before a change is ever stored after it. */
class NearCacheTest {
    private static final Answer V1 = Answer.found(1, 10, "{}".getBytes());
    private static final Answer V2 = Answer.found(2, 10, "{\"x\":1}".getBytes());
    /** A budget far above what a test stores. */
    private static final long ROOMY = 1L << 20;

    @Test
    void onlyUsableWhileLive() {
        NearCache c = new NearCache(ROOMY);
        c.put(c.begin(), "k", V1);
        assertNull(c.get("k"), "not live: nothing stored");
        c.live(true);
        c.put(c.begin(), "k", V1);
        assertSame(V1, c.get("k"));
        assertEquals(1, c.knownVersion());
        c.live(false);
        assertNull(c.get("k"));
        c.live(true);
        assertNull(c.get("k"), "a reconnect may have missed invalidations: emptied");
    }

    @Test
    void answerReadBeforeAnInvalidationIsDropped() {
        NearCache c = new NearCache(ROOMY);
        c.live(true);
        NearCache.Generation seen = c.begin();
        c.invalidate(); // meta changed while the lookup was in flight
        c.put(seen, "k", V1);
        assertNull(c.get("k"));
        NearCache.Generation after = c.begin();
        c.put(after, "k", V2);
        assertSame(V2, c.get("k"));
    }

    @Test
    void newerVersionReplacesOlderOlderIsIgnored() {
        NearCache c = new NearCache(ROOMY);
        c.live(true);
        c.put(c.begin(), "a", V1);
        c.put(c.begin(), "b", V2); // a newer version seen before its invalidation arrived
        assertNull(c.get("a"), "answers of version 1 are gone");
        assertSame(V2, c.get("b"));
        c.put(c.begin(), "a", V1);
        assertNull(c.get("a"), "an older answer never enters a newer generation");
        assertEquals(2, c.knownVersion());
    }

    @Test
    void aVersionSeenInAnyAnswerRetiresOlderAnswersBeforeTheInvalidationArrives() {
        NearCache c = new NearCache(ROOMY);
        c.live(true);
        c.put(c.begin(), "a", V1);
        assertSame(V1, c.get("a"));
        c.observe(2); // a batch (never cached) read version 2; the invalidation message is still on its way
        assertNull(c.get("a"), "version 1 must not be served once version 2 was");
        assertEquals(-1, c.knownVersion());
        c.put(c.begin(), "a", V1);
        assertNull(c.get("a"), "an answer older than a version already seen is never stored");
        c.put(c.begin(), "b", V2);
        assertSame(V2, c.get("b"));
        c.observe(1);
        assertSame(V2, c.get("b"), "an older observation changes nothing");
    }

    @Test
    void twoLookupsStraddlingAChangeCannotInstallTheOlderVersion() {
        NearCache c = new NearCache(ROOMY);
        c.live(true);
        NearCache.Generation seenA = c.begin();
        NearCache.Generation seenB = c.begin();
        c.observe(2); // B's answer (version 2) arrives first and is observed...
        c.put(seenA, "a", V1); // ...then A's answer, read before the change, tries to install version 1
        assertNull(c.get("a"));
        c.put(seenB, "b", V2);
        assertSame(V2, c.get("b"));
        assertNull(c.get("a"));
    }

    @Test
    void anInvalidationForgetsTheNewestVersionSoAReloadedStoreIsCachedAgain() {
        NearCache c = new NearCache(ROOMY);
        c.live(true);
        c.observe(5);
        c.invalidate(); // e.g. the store was flushed and reloaded at version 1
        c.put(c.begin(), "a", V1);
        assertSame(V1, c.get("a"));
    }

    @Test
    void aliasesLiveAndDieWithTheirGeneration() {
        NearCache c = new NearCache(ROOMY);
        c.live(true);
        c.put(c.begin(), "myanimelist/1", V1);
        c.alias("myanimelist/1", "/mal/1");
        assertSame(V1, c.get("/mal/1"));
        c.invalidate();
        assertNull(c.get("/mal/1"));
        c.alias("myanimelist/1", "/mal/1");
        assertNull(c.get("/mal/1"), "nothing to alias in the new generation");
    }

    @Test
    void disabledWhenTheBudgetIsZero() {
        NearCache off = new NearCache(0);
        off.live(true);
        off.put(off.begin(), "k", V1);
        assertNull(off.get("k"));
        assertEquals(0, off.bytes());
    }

    @Test
    void boundedByTheBytesItsEntriesRetainNotByTheirCount() {
        long budget = 64 * 1024;
        NearCache c = new NearCache(budget);
        c.live(true);
        Answer big = Answer.found(1, 10, new byte[2000]);
        int weight = NearCache.weight("k0000", big);
        for (int i = 0; i < 1000; i++) {
            c.put(c.begin(), String.format("k%04d", i), big);
            assertTrue(c.bytes() <= budget, "within the budget after every put: " + c.bytes());
        }
        assertTrue(c.size() <= budget / weight, c.size() + " entries of " + weight + " bytes in " + budget);
        assertTrue(c.size() >= budget / weight / 2, "the budget is used, not wasted: " + c.size());
        // the same budget holds many more small answers: the bound is bytes, not entries
        NearCache small = new NearCache(budget);
        small.live(true);
        for (int i = 0; i < 1000; i++) {
            small.put(small.begin(), String.format("k%04d", i), Answer.missing(1));
        }
        assertTrue(small.size() > 3 * c.size(), small.size() + " not-found answers against " + c.size());
        assertTrue(small.bytes() <= budget);
    }

    @Test
    void weightCountsKeyAnswerAndTheEntry() {
        Answer a = Answer.found(1, 10, new byte[1000]);
        int w = NearCache.weight("myanimelist/1", a);
        assertTrue(w >= NearCache.ENTRY_BYTES + "myanimelist/1".length() + 1000 + 3 * a.etag().length(), "" + w);
        assertTrue(w <= NearCache.ENTRY_BYTES + 1000 + 400, "" + w);
        assertTrue(NearCache.weight("/mal/1", Answer.missing(1)) < 250);
    }
}
