package moe.ids.store;

import org.junit.jupiter.api.Test;

import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bucket count of a full load leaves no bucket empty (a missing bucket reads as lost data). */
class RedisStoreTest {
    private static int entryBuckets(int start, long... ids) {
        return RedisStore.noEmptyBucket(start, n -> {
            boolean[] used = new boolean[n];
            for (long id : ids) {
                used[Layout.entryBucket(id, n)] = true;
            }
            return used;
        });
    }

    @Test
    void aCountThatLeavesABucketEmptyShrinks() {
        assertEquals(4, entryBuckets(4, 1, 2, 3, 4), "every bucket filled: kept");
        assertEquals(1, entryBuckets(1), "nothing to fill: one bucket");
        assertEquals(1, entryBuckets(4), "nothing to fill: one bucket");
        // ids 0, 2, 4, 6 fill buckets {0, 2} of 4 but all of 3 (shrinking by at least one)
        assertEquals(3, entryBuckets(4, 0, 2, 4, 6));
        assertEquals(4, entryBuckets(6, 0, 3, 6, 9), "{0, 3} of 6, {0, 1, 3, 4} of 5, all of 4");
        long[] many = LongStream.rangeClosed(1, 10_000).filter(id -> id % 97 != 0).toArray();
        int n = entryBuckets(97, many);
        assertTrue(n < 97 && n > 1, "bucket 0 of 97 is empty, so fewer: " + n);
        boolean[] used = new boolean[n];
        for (long id : many) {
            used[Layout.entryBucket(id, n)] = true;
        }
        for (boolean u : used) {
            assertTrue(u);
        }
    }
}
