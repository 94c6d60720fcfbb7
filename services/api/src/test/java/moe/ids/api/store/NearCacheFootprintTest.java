package moe.ids.api.store;

import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.testing.SyntheticData;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The near cache's byte budget holds in the real heap: a cache filled far past its budget with answers of the
 * synthetic data set retains no more than the budget, and its weights are close to what it retains (the fixed
 * per-entry share {@link NearCache#ENTRY_BYTES} is what this measures).
 */
class NearCacheFootprintTest {
    private static final long BUDGET = 16L << 20;

    /** Synthetic entries' JSON, as Redis returns it, with the mapping keys that lead to them. */
    private record Sample(List<String> keys, List<byte[]> json) {
        static Sample of(int entries) {
            TreeMap<Long, AnimeEntry> data = SyntheticData.a(entries, 3);
            List<String> keys = new ArrayList<>();
            List<byte[]> json = new ArrayList<>();
            Map<Long, byte[]> bytes = new TreeMap<>();
            data.forEach((id, e) -> bytes.put(id, CanonicalJson.toBytes(e)));
            SyntheticData.mappings(data).forEach((k, id) -> {
                keys.add(k);
                json.add(bytes.get(id));
            });
            return new Sample(keys, json);
        }
    }

    @Test
    void aFullCacheRetainsNoMoreThanItsBudgetAndItsWeightsMatchTheHeap() {
        Sample s = Sample.of(12_000); // ~130,000 keys: far more than 16 MiB of answers
        long before = usedAfterGc();
        NearCache c = new NearCache(BUDGET);
        c.live(true);
        for (int i = 0; i < s.keys().size(); i++) {
            // each answer, its bytes and its key are objects of their own, as they are when read from Redis
            c.put(c.begin(), new String(s.keys().get(i).toCharArray()), Answer.found(1, i, s.json().get(i).clone()));
        }
        long retained = usedAfterGc() - before;
        long entries = c.size();
        System.out.printf("near cache: %,d entries, weights %,d bytes, heap retained %,d bytes (%.1f per entry; "
                + "weights - heap = %.1f bytes per entry)%n", entries, c.bytes(), retained,
                (double) retained / entries, (double) (c.bytes() - retained) / entries);
        assertTrue(entries < s.keys().size(), "the budget evicted: " + entries);
        assertTrue(c.bytes() <= BUDGET, "weights within the budget: " + c.bytes());
        assertTrue(retained <= BUDGET, "heap retained " + retained + " within the budget " + BUDGET);
        assertTrue(retained >= c.bytes() * 0.9, "weights at most 10 % above the heap retained: " + c.bytes()
                + " against " + retained);
        assertTrue(c.size() > 0); // keeps the cache reachable until here
    }

    @Test
    void anAnswerUnderTwoKeysIsWeighedUnderBoth() {
        NearCache c = new NearCache(BUDGET);
        c.live(true);
        Answer a = Answer.found(1, 1, new byte[400]);
        c.put(c.begin(), "myanimelist/1", a);
        long one = c.bytes();
        c.alias("myanimelist/1", "/mal/1");
        assertTrue(c.bytes() >= 2 * one - 64, "the alias weighs the answer again: " + c.bytes() + " after " + one);
        assertTrue(one >= NearCache.ENTRY_BYTES + 400 + a.etag().length(), "weight " + one);
    }

    private static long usedAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
