package moe.ids.api.store;

/**
 * Heap bytes an object graph retains, by the HotSpot layout of a heap under 32 GB (compressed references and class
 * pointers): a 12-byte object header, 4-byte references, 16-byte array headers, every object padded to 8 bytes.
 * With compact object headers (8 bytes) every figure here is a few bytes too high, never too low. The near cache
 * weighs its entries with these ({@link NearCache}); {@code NearCacheFootprintTest} checks them against the heap a
 * full cache really holds.
 */
final class Footprint {
    /** Object header with a compressed class pointer. */
    static final int HEADER = 12;
    /** A compressed reference. */
    static final int REF = 4;
    /** Array header: object header and length. */
    static final int ARRAY = 16;
    /** A {@link String} without its bytes: header, {@code value}, {@code hash}, {@code coder}, {@code hashIsZero}. */
    static final int STRING = align(HEADER + REF + 4 + 1 + 1);

    private Footprint() {
    }

    /**
     * @param bytes size
     * @return {@code bytes} padded to the JVM's 8-byte object alignment
     */
    static int align(int bytes) {
        return (bytes + 7) & ~7;
    }

    /**
     * @param length elements of a {@code byte[]}
     * @return the array's bytes
     */
    static int bytes(int length) {
        return align(ARRAY + length);
    }

    /**
     * @param s a string
     * @return the string's bytes and its array's (one byte per character when every character is Latin-1, as in
     *         paths and mapping keys; two otherwise)
     */
    static int string(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) > 0xFF) {
                return STRING + bytes(2 * n);
            }
        }
        return STRING + bytes(n);
    }
}
