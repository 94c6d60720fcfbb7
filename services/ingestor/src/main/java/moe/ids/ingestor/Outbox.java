package moe.ids.ingestor;

import moe.ids.store.Meta;
import moe.ids.store.Published;
import com.fasterxml.jackson.databind.JsonNode;
import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.changeset.ChangeSetCodec;
import moe.ids.core.entry.CanonicalJson;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ingestor's view of PostgreSQL: the change-set outbox ({@code change_set}), the published state
 * ({@code anime}, {@code published_mapping}) for full resyncs, merge reports, and {@code ingest_state} where the
 * applied version is reported back.
 */
public final class Outbox {
    /** Channel the merger notifies with the new version as payload. */
    public static final String CHANNEL = moe.ids.db.OutboxWriter.CHANNEL;
    /** Channel the ingestor notifies after reporting an applied version (payload {@code consumer:version}). */
    public static final String APPLIED_CHANNEL = "ids_moe_applied";

    private final DataSource db;

    /**
     * @param db pooled PostgreSQL
     */
    public Outbox(DataSource db) {
        this.db = db;
    }

    /**
     * Head of the outbox.
     *
     * @param version   newest version (0 when the outbox is empty)
     * @param createdAt when it was created (null when empty)
     */
    public record Head(long version, Instant createdAt) {
    }

    /**
     * One outbox row, decoded.
     *
     * @param changeSet the change set
     * @param report    merge report of its version, or null
     */
    public record Entry(ChangeSet changeSet, JsonNode report) {
    }

    /**
     * @return the newest version and its time
     * @throws SQLException when PostgreSQL fails
     */
    public Head head() throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, created_at FROM change_set ORDER BY version DESC LIMIT 1")) {
            return rs.next() ? new Head(rs.getLong(1), rs.getTimestamp(2).toInstant()) : new Head(0, null);
        }
    }

    /**
     * @param base a version
     * @return the change set applying on it, with its report, or empty when the outbox does not hold one
     * @throws SQLException when PostgreSQL fails
     */
    public Optional<Entry> next(long base) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT version, encoding, payload FROM change_set WHERE base = ?")) {
            ps.setLong(1, base);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long version = rs.getLong(1);
                String encoding = rs.getString(2);
                if (!"gzip-json".equals(encoding)) {
                    throw new IllegalStateException("change set " + version + " has unknown encoding " + encoding);
                }
                ChangeSet cs = ChangeSetCodec.fromCompressed(rs.getBytes(3));
                return Optional.of(new Entry(cs, report(c, version)));
            }
        }
    }

    /**
     * @param version a version
     * @return created_at of that change set, if held
     * @throws SQLException when PostgreSQL fails
     */
    public Optional<Instant> createdAt(long version) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT created_at FROM change_set WHERE version = ?")) {
            ps.setLong(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getTimestamp(1).toInstant()) : Optional.empty();
            }
        }
    }

    /**
     * Reads anime + published_mapping + max(change_set.version) in one REPEATABLE READ, read-only transaction,
     * re-serialising every entry with {@link CanonicalJson} so Redis gets the exact served bytes.
     *
     * @return the published state
     * @throws SQLException when PostgreSQL fails
     */
    public Published published() throws SQLException {
        try (Connection c = db.getConnection()) {
            boolean auto = c.getAutoCommit();
            int isolation = c.getTransactionIsolation();
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                long version = 0;
                Instant created = null;
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery(
                             "SELECT version, created_at FROM change_set ORDER BY version DESC LIMIT 1")) {
                    if (rs.next()) {
                        version = rs.getLong(1);
                        created = rs.getTimestamp(2).toInstant();
                    }
                }
                JsonNode report = version == 0 ? null : report(c, version);
                List<Published.IdJson> entries = new ArrayList<>();
                try (Statement st = c.createStatement()) {
                    st.setFetchSize(2000);
                    try (ResultSet rs = st.executeQuery("SELECT id, entry::text FROM anime ORDER BY id")) {
                        while (rs.next()) {
                            byte[] text = rs.getString(2).getBytes(StandardCharsets.UTF_8);
                            entries.add(new Published.IdJson(rs.getLong(1), CanonicalJson.toBytes(CanonicalJson.parse(text))));
                        }
                    }
                }
                List<Published.KeyId> mappings = new ArrayList<>();
                try (Statement st = c.createStatement()) {
                    st.setFetchSize(10_000);
                    try (ResultSet rs = st.executeQuery("SELECT key, anime_id FROM published_mapping")) {
                        while (rs.next()) {
                            mappings.add(new Published.KeyId(rs.getString(1), rs.getLong(2)));
                        }
                    }
                }
                c.commit();
                return new Published(version, created, report, entries, mappings);
            } catch (SQLException | RuntimeException ex) {
                c.rollback();
                throw ex;
            } finally {
                c.setReadOnly(false);
                c.setTransactionIsolation(isolation);
                c.setAutoCommit(auto);
            }
        }
    }

    /**
     * Reports an applied version in {@code ingest_state} (never moving it backwards) and notifies
     * {@value #APPLIED_CHANNEL}.
     *
     * @param consumer the ingestor's consumer name
     * @param version  the version Redis holds now
     * @param at       when it was applied
     * @throws SQLException when PostgreSQL fails
     */
    public void reportApplied(String consumer, long version, Instant at) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO ingest_state (consumer, applied_version, applied_at) VALUES (?, ?, ?)
                     ON CONFLICT (consumer) DO UPDATE SET applied_version = EXCLUDED.applied_version,
                         applied_at = EXCLUDED.applied_at
                     WHERE ingest_state.applied_version < EXCLUDED.applied_version""");
             PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, consumer);
            ps.setLong(2, version);
            ps.setTimestamp(3, Timestamp.from(at));
            ps.executeUpdate();
            notify.setString(1, APPLIED_CHANNEL);
            notify.setString(2, consumer + ":" + version);
            notify.execute();
        }
    }

    /**
     * @param consumer consumer name
     * @return the version reported for it, 0 when none
     * @throws SQLException when PostgreSQL fails
     */
    public long reportedVersion(String consumer) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT applied_version FROM ingest_state WHERE consumer = ?")) {
            ps.setString(1, consumer);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static JsonNode report(Connection c, long version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT report::text FROM merge_report WHERE version = ? ORDER BY id DESC LIMIT 1")) {
            ps.setLong(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Meta.read(rs.getString(1)) : null;
            }
        }
    }
}
