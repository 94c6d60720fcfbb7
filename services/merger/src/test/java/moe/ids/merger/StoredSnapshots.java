package moe.ids.merger;

import moe.ids.db.snapshot.RecordsCodec;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * Source snapshots written straight into a test database, in the layout the scraper writes (the snapshot tables
 * and {@link RecordsCodec}): what a scrape leaves for the merger, built from the contract's record types.
 */
final class StoredSnapshots {
    private StoredSnapshots() {
    }

    /**
     * Stores an accepted snapshot as the source's last good one and records a {@code Changed} attempt.
     *
     * @param db      a migrated test database
     * @param source  source name
     * @param records its normalized records ({@link moe.ids.core.snapshot.Records})
     * @throws SQLException when PostgreSQL fails
     */
    static void accept(DataSource db, String source, List<?> records) throws SQLException {
        Instant now = Instant.now();
        try (Connection c = db.getConnection()) {
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO source_snapshot (source, fetched_at, "
                    + "content_sha256, raw_size, raw_encoding, raw, record_count, records_encoding, records) "
                    + "VALUES (?, ?, 'test', 0, 'identity', ''::bytea, ?, ?, ?) RETURNING id")) {
                ps.setString(1, source);
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setInt(3, records.size());
                ps.setString(4, RecordsCodec.ENCODING);
                ps.setBytes(5, RecordsCodec.encode(records));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO source_state (source, snapshot_id, "
                    + "content_sha256, record_count, updated_at) VALUES (?, ?, 'test', ?, ?) ON CONFLICT (source) DO "
                    + "UPDATE SET snapshot_id = EXCLUDED.snapshot_id, record_count = EXCLUDED.record_count, "
                    + "updated_at = EXCLUDED.updated_at")) {
                ps.setString(1, source);
                ps.setLong(2, id);
                ps.setInt(3, records.size());
                ps.setTimestamp(4, Timestamp.from(now));
                ps.executeUpdate();
            }
        }
        attempt(db, source, "Changed");
    }

    /**
     * Records an attempt of a source, as the scraper does after each one.
     *
     * @param db     a migrated test database
     * @param source source name
     * @param result {@code Changed}, {@code Unchanged}, {@code Failed} or {@code Skipped}
     * @throws SQLException when PostgreSQL fails
     */
    static void attempt(DataSource db, String source, String result) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO source_fetch "
                + "(source, started_at, duration_ms, result, error) VALUES (?, now(), 1, ?, ?)")) {
            ps.setString(1, source);
            ps.setString(2, result);
            ps.setString(3, "Failed".equals(result) ? "test failure" : null);
            ps.executeUpdate();
        }
    }
}
