package moe.ids.db.snapshot;

import java.time.Instant;

/**
 * The last good snapshot of a source: its row of {@code source_state}.
 *
 * @param source        source name
 * @param snapshotId    its {@code source_snapshot} row
 * @param contentSha256 SHA-256 of the raw content
 * @param etag          validator to send as {@code If-None-Match}, or null
 * @param lastModified  validator to send as {@code If-Modified-Since}, or null
 * @param recordCount   normalized records in it
 * @param updatedAt     when it was accepted
 */
public record SourceState(String source, long snapshotId, String contentSha256, String etag, String lastModified,
                          int recordCount, Instant updatedAt) {
}
