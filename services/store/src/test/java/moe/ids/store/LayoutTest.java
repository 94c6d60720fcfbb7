package moe.ids.store;

import moe.ids.store.RedisKeys;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bucket arithmetic, key names and the meta hash round trip. */
class LayoutTest {
    @Test
    void bucketsAreStableAndInRange() {
        assertEquals(Layout.mappingBucket("myanimelist/1", 1000), Layout.mappingBucket("myanimelist/1", 1000));
        for (String k : new String[]{"", "a", "animeplanet/少女-7", "trakt/shows/1/seasons/1"}) {
            int b = Layout.mappingBucket(k, 7);
            assertTrue(b >= 0 && b < 7, k);
        }
        // (h*31 + byte) mod n over UTF-8 bytes, as the Lua script computes it
        assertEquals(((0 * 31 + 'a') % 10 * 31 + 'b') % 10, Layout.mappingBucket("ab", 10));
        assertEquals(((0xc3 % 1000) * 31 + 0xa9) % 1000, Layout.mappingBucket("é", 1000));
        assertEquals(3, Layout.entryBucket(10, 7));
        assertEquals(1, Layout.bucketsFor(0, 64));
        assertEquals(2, Layout.bucketsFor(65, 64));
    }

    @Test
    void keyNames() {
        Layout l = new Layout(new RedisKeys("{ids}:"));
        assertEquals("{ids}:meta", l.meta());
        assertEquals("{ids}:g3:m:12", l.mappingBucketKey(3, 12));
        assertEquals("{ids}:g3:a:0", l.entryBucketKey(3, 0));
        assertEquals("{ids}:build:3", l.buildLease(3));
    }

    @Test
    void metaRoundTrip() {
        Meta m = new Meta(7, 3, 100, 50, Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2025-12-31T23:00:00Z"),
                Map.of("total", 5L), Map.of("aod", new Meta.Source("2025-12-31T22:00:00Z", 5L, "Changed")));
        assertEquals(m, Meta.fromHash(m.toHash()).orElseThrow());
        assertTrue(Meta.fromHash(Map.of()).isEmpty());
    }
}
