package moe.ids.scraper.source;

/**
 * What a source got from upstream.
 *
 * @param notModified  true when upstream answered 304 (or a HEAD showed the same validators)
 * @param httpStatus   last HTTP status
 * @param raw          the content (empty when not modified)
 * @param etag         {@code ETag} of the content, or null
 * @param lastModified {@code Last-Modified} of the content, or null
 * @param rawEncoding  {@code identity} when {@code raw} is already compressed and should be stored as is,
 *                     {@code zstd} when the store should compress it
 * @param note         what the source wants said in the result message (e.g. pages resumed, IDs skipped), or null
 */
public record Fetched(boolean notModified, int httpStatus, byte[] raw, String etag, String lastModified,
                      String rawEncoding, String note) {

    /**
     * Content without a note.
     *
     * @param notModified  true when upstream answered 304
     * @param httpStatus   last HTTP status
     * @param raw          the content
     * @param etag         validator, or null
     * @param lastModified validator, or null
     * @param rawEncoding  {@code identity} or {@code zstd}
     */
    public Fetched(boolean notModified, int httpStatus, byte[] raw, String etag, String lastModified,
                   String rawEncoding) {
        this(notModified, httpStatus, raw, etag, lastModified, rawEncoding, null);
    }

    /**
     * @param status HTTP status
     * @return a not-modified answer
     */
    public static Fetched notModified(int status) {
        return new Fetched(true, status, new byte[0], null, null, "zstd");
    }
}
