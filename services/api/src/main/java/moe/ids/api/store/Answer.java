package moe.ids.api.store;

/**
 * The answer to one mapping key at one version.
 *
 * @param version change-set version it was read at
 * @param id      internal ID, or -1 when the key is unknown
 * @param json    the entry's canonical JSON exactly as served, or null when the key is unknown
 * @param etag    strong ETag (quoted) from the version and the entry, or null when unknown
 * @param header  the ETag as a prebuilt response header, or null
 */
public record Answer(long version, long id, byte[] json, String etag, io.helidon.http.Header header) {

    /**
     * @param version version
     * @param id      internal ID
     * @param json    entry bytes
     * @return a found answer with its ETag {@code "v{version}-{id}-{crc32c of the bytes}"}
     */
    public static Answer found(long version, long id, byte[] json) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(json);
        String etag = "\"v" + version + "-" + id + "-" + Long.toHexString(crc.getValue()) + "\"";
        // cached: the header's bytes are built once, not on every write of a near-cache hit
        return new Answer(version, id, json, etag, io.helidon.http.HeaderValues.createCached(
                io.helidon.http.HeaderNames.ETAG, etag));
    }

    /**
     * @param version version
     * @return a not-found answer
     */
    public static Answer missing(long version) {
        return new Answer(version, -1, null, null, null);
    }

    /**
     * @return true when the key resolved to an entry
     */
    public boolean found() {
        return json != null;
    }

    /** This record: header, two longs and three references. */
    private static final int SELF = Footprint.align(Footprint.HEADER + 8 + 8 + 3 * Footprint.REF);
    /**
     * The cached ETag header ({@code HeaderValues.createCached}): an object of six references and two flags that
     * shares the ETag string, plus two arrays of its own, the value's bytes and the whole
     * {@code ETag: value\r\n} line.
     */
    private static final int HEADER = Footprint.align(Footprint.HEADER + 6 * Footprint.REF + 2);

    /**
     * @return the heap this answer retains: itself, the entry's bytes, the ETag and its cached header (the near
     *         cache weighs its entries with it)
     */
    public int retainedBytes() {
        if (json == null) {
            return SELF;
        }
        int tag = etag.length();
        return SELF + Footprint.bytes(json.length) + Footprint.string(etag) + HEADER + Footprint.bytes(tag)
                + Footprint.bytes("ETag: ".length() + tag + 2);
    }
}
