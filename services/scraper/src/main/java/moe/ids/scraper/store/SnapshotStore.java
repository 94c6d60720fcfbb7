package moe.ids.scraper.store;

import com.github.luben.zstd.Zstd;
import moe.ids.core.error.UnavailableException;
import moe.ids.db.snapshot.RecordsCodec;
import moe.ids.db.snapshot.SnapshotReader;
import moe.ids.db.snapshot.SourceState;
import moe.ids.scraper.source.SourceResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The scraper's side of the source snapshots in PostgreSQL: every attempt in {@code source_fetch}; accepted content
 * in {@code source_snapshot} (raw bytes zstd-compressed, normalized records as {@link RecordsCodec} stores them)
 * with {@code source_state} pointing at the last good one. Accepting is one transaction, so a crash leaves the
 * previous snapshot. Reads go through the shared {@link SnapshotReader}, what the merger reads with.
 */
public final class SnapshotStore {
    private static final int ZSTD_LEVEL = 9;

    private final DataSource db;
    private final SnapshotReader reader;
    private final int keep;

    /**
     * @param db   PostgreSQL
     * @param keep snapshots kept per source (at least 1)
     */
    public SnapshotStore(DataSource db, int keep) {
        this.db = db;
        this.reader = new SnapshotReader(db);
        this.keep = Math.max(1, keep);
    }

    /**
     * @param source source name
     * @return its last good state, or empty before the first accepted fetch
     */
    public Optional<SourceState> state(String source) {
        return reader.state(source);
    }

    /**
     * Stores accepted content and moves the source's last good pointer to it, in one transaction, then
     * prunes snapshots beyond the newest {@code keep}.
     *
     * @param accepted what to store
     * @param result   the attempt to record with it
     * @param started  when the attempt started
     * @return the new snapshot's id
     */
    public long accept(Accepted accepted, SourceResult result, Instant started) {
        byte[] raw = "identity".equals(accepted.rawEncoding()) ? accepted.raw() : Zstd.compress(accepted.raw(), ZSTD_LEVEL);
        byte[] records = RecordsCodec.encode(accepted.records());
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                long id;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO source_snapshot (source, fetched_at, etag, "
                        + "last_modified, content_sha256, raw_size, raw_encoding, raw, record_count, records_encoding, "
                        + "records) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
                    ps.setString(1, accepted.source());
                    ps.setTimestamp(2, Timestamp.from(started));
                    ps.setString(3, accepted.etag());
                    ps.setString(4, accepted.lastModified());
                    ps.setString(5, accepted.contentSha256());
                    ps.setLong(6, accepted.raw().length);
                    ps.setString(7, "identity".equals(accepted.rawEncoding()) ? "identity" : "zstd");
                    ps.setBytes(8, raw);
                    ps.setInt(9, accepted.records().size());
                    ps.setString(10, RecordsCodec.ENCODING);
                    ps.setBytes(11, records);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        id = rs.getLong(1);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO source_state (source, snapshot_id, "
                        + "content_sha256, etag, last_modified, record_count, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (source) DO UPDATE SET snapshot_id = EXCLUDED.snapshot_id, "
                        + "content_sha256 = EXCLUDED.content_sha256, etag = EXCLUDED.etag, "
                        + "last_modified = EXCLUDED.last_modified, record_count = EXCLUDED.record_count, "
                        + "updated_at = EXCLUDED.updated_at")) {
                    ps.setString(1, accepted.source());
                    ps.setLong(2, id);
                    ps.setString(3, accepted.contentSha256());
                    ps.setString(4, accepted.etag());
                    ps.setString(5, accepted.lastModified());
                    ps.setInt(6, accepted.records().size());
                    ps.setTimestamp(7, Timestamp.from(started));
                    ps.executeUpdate();
                }
                insertFetch(c, result, started, accepted.etag(), accepted.lastModified(), accepted.contentSha256(), id);
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM source_snapshot WHERE source = ? AND id NOT IN "
                        + "(SELECT id FROM source_snapshot WHERE source = ? ORDER BY id DESC LIMIT ?)")) {
                    ps.setString(1, accepted.source());
                    ps.setString(2, accepted.source());
                    ps.setInt(3, keep);
                    ps.executeUpdate();
                }
                c.commit();
                return id;
            } catch (SQLException | RuntimeException ex) {
                c.rollback();
                throw ex;
            }
        } catch (SQLException ex) {
            throw unavailable(ex);
        }
    }

    /**
     * Records an attempt that stored nothing (Unchanged, Failed, Skipped).
     *
     * @param result  the attempt
     * @param started when it started
     * @param etag    validator seen, or null
     * @param lastModified validator seen, or null
     * @param sha256  content hash seen, or null
     */
    public void recordAttempt(SourceResult result, Instant started, String etag, String lastModified, String sha256) {
        try (Connection c = db.getConnection()) {
            insertFetch(c, result, started, etag, lastModified, sha256, null);
        } catch (SQLException ex) {
            throw unavailable(ex);
        }
    }

    /**
     * @param source source name
     * @return when its last successful attempt (Changed or Unchanged) started, or empty when there was none
     */
    public Optional<Instant> lastSuccess(String source) {
        return reader.lastSuccess(source);
    }

    /**
     * Reads the normalized records of a source's last good snapshot.
     *
     * @param source source name
     * @param type   record type the source produces
     * @param <R>    record type
     * @return the records, or empty when the source has no good snapshot
     */
    public <R> Optional<List<R>> records(String source, Class<R> type) {
        return reader.records(source, type);
    }

    private static void insertFetch(Connection c, SourceResult r, Instant started, String etag, String lastModified,
                                    String sha256, Long snapshotId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO source_fetch (source, started_at, duration_ms, "
                + "http_status, etag, last_modified, content_sha256, bytes, records, result, error, snapshot_id) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, r.source());
            ps.setTimestamp(2, Timestamp.from(started));
            ps.setLong(3, r.durationMs());
            ps.setObject(4, r.httpStatus() == 0 ? null : r.httpStatus());
            ps.setString(5, etag);
            ps.setString(6, lastModified);
            ps.setString(7, sha256);
            ps.setLong(8, r.bytes());
            ps.setInt(9, r.records());
            ps.setString(10, r.result().name());
            ps.setString(11, r.result() == moe.ids.scraper.source.Outcome.Failed
                    || r.result() == moe.ids.scraper.source.Outcome.Skipped ? r.message() : null);
            ps.setObject(12, snapshotId);
            ps.executeUpdate();
        }
    }

    private static UnavailableException unavailable(SQLException ex) {
        return new UnavailableException("PostgreSQL: " + ex.getMessage(), ex);
    }

    /**
     * Content accepted for storage.
     *
     * @param source        source name
     * @param raw           fetched bytes
     * @param rawEncoding   {@code identity} (store as is) or {@code zstd} (compress)
     * @param contentSha256 SHA-256 of {@code raw}
     * @param etag          validator, or null
     * @param lastModified  validator, or null
     * @param records       normalized records
     */
    public record Accepted(String source, byte[] raw, String rawEncoding, String contentSha256, String etag,
                           String lastModified, List<?> records) {
    }
}
