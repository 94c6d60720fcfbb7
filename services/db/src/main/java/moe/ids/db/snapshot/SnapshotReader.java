package moe.ids.db.snapshot;

import moe.ids.core.error.UnavailableException;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The read side of the source snapshots in PostgreSQL: a source's last good snapshot ({@code source_state} and
 * the {@code source_snapshot} it points at) and its attempts ({@code source_fetch}). The merger reads its inputs
 * here; the scraper, which writes them, reads its validators and schedule here too.
 */
public final class SnapshotReader {
    private final DataSource db;

    /**
     * @param db PostgreSQL (migrated)
     */
    public SnapshotReader(DataSource db) {
        this.db = db;
    }

    /**
     * @param source source name
     * @return its last good state, or empty before the first accepted fetch
     */
    public Optional<SourceState> state(String source) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT snapshot_id, content_sha256, etag, last_modified, "
                     + "record_count, updated_at FROM source_state WHERE source = ?")) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new SourceState(source, rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getInt(5), rs.getTimestamp(6).toInstant()));
            }
        } catch (SQLException ex) {
            throw unavailable(ex);
        }
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
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT s.records FROM source_state st "
                     + "JOIN source_snapshot s ON s.id = st.snapshot_id WHERE st.source = ?")) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(RecordsCodec.decode(rs.getBytes(1), type));
            }
        } catch (SQLException ex) {
            throw unavailable(ex);
        } catch (IOException ex) {
            throw new UncheckedIOException("stored records of " + source + " do not read back as " + type, ex);
        }
    }

    /**
     * @param source source name
     * @return when its last successful attempt (Changed or Unchanged) started, or empty when there was none
     */
    public Optional<Instant> lastSuccess(String source) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT max(started_at) FROM source_fetch WHERE source = ? "
                     + "AND result IN ('Changed', 'Unchanged')")) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp t = rs.getTimestamp(1);
                return t == null ? Optional.empty() : Optional.of(t.toInstant());
            }
        } catch (SQLException ex) {
            throw unavailable(ex);
        }
    }

    /**
     * @param source source name
     * @return the result of its latest attempt ({@code Changed}, {@code Unchanged}, {@code Failed} or
     *         {@code Skipped}), or empty when it was never attempted
     */
    public Optional<String> lastResult(String source) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT result FROM source_fetch WHERE source = ? "
                     + "ORDER BY id DESC LIMIT 1")) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException ex) {
            throw unavailable(ex);
        }
    }

    private static UnavailableException unavailable(SQLException ex) {
        return new UnavailableException("PostgreSQL: " + ex.getMessage(), ex);
    }
}
