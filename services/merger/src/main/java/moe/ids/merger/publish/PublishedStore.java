package moe.ids.merger.publish;

import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.changeset.ChangeSetCodec;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.core.error.UnavailableException;
import org.postgresql.PGConnection;

import javax.sql.DataSource;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.HashMap;

import java.util.Map;

/**
 * The published state in PostgreSQL ({@code anime}, {@code published_mapping}, {@code identity_key}) and the
 * change-set outbox. {@link #publish} writes the change set, the new published state and the merge report in
 * one transaction, under an advisory lock and a check that nothing was published meanwhile, then notifies
 * the ingestors ({@code NOTIFY ids_moe_change_set}).
 */
public final class PublishedStore {
    /** Channel the ingestor listens on. */
    public static final String CHANNEL = "ids_moe_change_set";
    private static final long MERGE_LOCK = 0x6964736d65726765L;

    private final DataSource db;

    /**
     * @param db PostgreSQL (migrated)
     */
    public PublishedStore(DataSource db) {
        this.db = db;
    }

    /**
     * What is published now.
     *
     * @param version latest change-set version (0 before the first)
     * @param hashes  internal ID → content hash
     * @param mapping mapping key → internal ID
     */
    public record Published(long version, Map<Long, String> hashes, Map<String, Long> mapping) {
    }

    /**
     * Reads the published state in one consistent snapshot.
     *
     * @return it
     */
    public Published load() {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try (Statement st = c.createStatement()) {
                st.setFetchSize(20_000);
                long version;
                try (ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM change_set")) {
                    rs.next();
                    version = rs.getLong(1);
                }
                Map<Long, String> hashes = new HashMap<>(64_000);
                try (ResultSet rs = st.executeQuery("SELECT id, hash FROM anime")) {
                    while (rs.next()) {
                        hashes.put(rs.getLong(1), rs.getString(2));
                    }
                }
                Map<String, Long> mapping = new HashMap<>(600_000);
                try (ResultSet rs = st.executeQuery("SELECT key, anime_id FROM published_mapping")) {
                    while (rs.next()) {
                        mapping.put(rs.getString(1), rs.getLong(2));
                    }
                }
                c.commit();
                return new Published(version, hashes, mapping);
            } finally {
                c.setReadOnly(false);
                c.setAutoCommit(true);
            }
        } catch (SQLException ex) {
            throw new UnavailableException("PostgreSQL: " + ex.getMessage(), ex);
        }
    }

    /**
     * @return identity key ({@code platform/id}) → internal ID
     */
    public Map<String, Long> identity() {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.setFetchSize(20_000);
            Map<String, Long> map = new HashMap<>(400_000);
            try (ResultSet rs = st.executeQuery("SELECT platform, platform_id, anime_id FROM identity_key")) {
                while (rs.next()) {
                    map.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
                }
            }
            c.commit();
            c.setAutoCommit(true);
            return map;
        } catch (SQLException ex) {
            throw new UnavailableException("PostgreSQL: " + ex.getMessage(), ex);
        }
    }

    /**
     * Takes new internal IDs from the sequence (never reused, even if the publish that wanted them fails).
     *
     * @param n how many
     * @return the IDs, increasing
     */
    public long[] newIds(int n) {
        long[] ids = new long[n];
        if (n == 0) {
            return ids;
        }
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT nextval('anime_id_seq') FROM generate_series(1, ?)")) {
            ps.setInt(1, n);
            try (ResultSet rs = ps.executeQuery()) {
                int i = 0;
                while (rs.next()) {
                    ids[i++] = rs.getLong(1);
                }
            }
            java.util.Arrays.sort(ids);
            return ids;
        } catch (SQLException ex) {
            throw new UnavailableException("PostgreSQL: " + ex.getMessage(), ex);
        }
    }

    /**
     * Stores a merge report of a run that published nothing.
     *
     * @param reportJson the report
     */
    public void saveReport(String reportJson) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO merge_report (version, report) VALUES (NULL, ?::jsonb)")) {
            ps.setString(1, reportJson);
            ps.executeUpdate();
        } catch (SQLException ex) {
            throw new UnavailableException("PostgreSQL: " + ex.getMessage(), ex);
        }
    }

    /**
     * Publishes a change set: outbox row, published state, identity keys and report, in one transaction.
     *
     * @param cs         the change set (its base must be the current version)
     * @param identities identity keys ({@code platform/id}) → internal ID to upsert
     * @param reportJson merge report
     * @throws ConcurrentPublishException when another merge published since {@link #load()}
     */
    public void publish(ChangeSet cs, Map<String, Long> identities, String reportJson) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT pg_advisory_xact_lock(" + MERGE_LOCK + ")");
                    try (ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM change_set")) {
                        rs.next();
                        if (rs.getLong(1) != cs.base()) {
                            throw new ConcurrentPublishException("published version is " + rs.getLong(1)
                                    + ", this change set applies on " + cs.base() + "; merge again");
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO change_set (version, base, created_at, "
                        + "encoding, payload, upserts, deletes, map_sets, map_dels) VALUES (?, ?, ?, 'gzip-json', ?, ?, ?, ?, ?)")) {
                    ps.setLong(1, cs.version());
                    ps.setLong(2, cs.base());
                    ps.setTimestamp(3, Timestamp.from(cs.createdAt()));
                    ps.setBytes(4, ChangeSetCodec.toCompressed(cs));
                    ps.setInt(5, cs.upsert().size());
                    ps.setInt(6, cs.delete().size());
                    ps.setInt(7, cs.mapSet().size());
                    ps.setInt(8, cs.mapDel().size());
                    ps.executeUpdate();
                }
                Long[] gone = java.util.stream.Stream.concat(cs.delete().stream(),
                        cs.upsert().stream().map(ChangeSet.Upsert::id)).toArray(Long[]::new);
                deleteAny(c, "DELETE FROM anime WHERE id = ANY(?)", "bigint", gone);
                StringBuilder anime = new StringBuilder(cs.upsert().size() * 600);
                for (ChangeSet.Upsert u : cs.upsert()) {
                    byte[] json = CanonicalJson.toBytes(u.entry());
                    anime.append(u.id()).append(",\"")
                            .append(new String(json, StandardCharsets.UTF_8).replace("\"", "\"\""))
                            .append("\",").append(CanonicalJson.sha256Hex(json)).append('\n');
                }
                copy(c, "COPY anime (id, entry, hash) FROM STDIN WITH (FORMAT csv)", anime);
                String[] keys = java.util.stream.Stream.concat(cs.mapDel().stream(), cs.mapSet().keySet().stream())
                        .toArray(String[]::new);
                deleteAny(c, "DELETE FROM published_mapping WHERE key = ANY(?)", "text", keys);
                StringBuilder mapping = new StringBuilder(cs.mapSet().size() * 32);
                cs.mapSet().forEach((k, id) -> mapping.append('"').append(k.replace("\"", "\"\"")).append("\",")
                        .append(id).append('\n'));
                copy(c, "COPY published_mapping (key, anime_id) FROM STDIN WITH (FORMAT csv)", mapping);
                upsertIdentities(c, identities);
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO merge_report (version, report) VALUES (?, ?::jsonb)")) {
                    ps.setLong(1, cs.version());
                    ps.setString(2, reportJson);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                    ps.setString(1, CHANNEL);
                    ps.setString(2, Long.toString(cs.version()));
                    ps.execute();
                }
                c.commit();
            } catch (SQLException | RuntimeException ex) {
                c.rollback();
                throw ex;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException ex) {
            throw new UnavailableException("PostgreSQL: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param consumer ingestor name
     * @return the version it reported applied, or 0
     */
    public long appliedVersion(String consumer) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT applied_version FROM ingest_state WHERE consumer = ?")) {
            ps.setString(1, consumer);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException ex) {
            throw new UnavailableException("PostgreSQL: " + ex.getMessage(), ex);
        }
    }

    private static void upsertIdentities(Connection c, Map<String, Long> identities) throws SQLException {
        if (identities.isEmpty()) {
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE identity_in (platform TEXT, platform_id TEXT, anime_id BIGINT) ON COMMIT DROP");
        }
        StringBuilder csv = new StringBuilder(identities.size() * 32);
        identities.forEach((key, id) -> {
            int slash = key.indexOf('/');
            csv.append('"').append(key, 0, slash).append("\",\"")
                    .append(key.substring(slash + 1).replace("\"", "\"\"")).append("\",").append(id).append('\n');
        });
        copy(c, "COPY identity_in (platform, platform_id, anime_id) FROM STDIN WITH (FORMAT csv)", csv);
        try (Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO identity_key (platform, platform_id, anime_id) SELECT platform, platform_id, "
                    + "anime_id FROM identity_in ON CONFLICT (platform, platform_id) DO UPDATE SET "
                    + "anime_id = EXCLUDED.anime_id, seen_at = now()");
        }
    }

    private static void deleteAny(Connection c, String sql, String type, Object[] values) throws SQLException {
        if (values.length == 0) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf(type, values));
            ps.executeUpdate();
        }
    }

    private static void copy(Connection c, String sql, CharSequence csv) throws SQLException {
        if (csv.isEmpty()) {
            return;
        }
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(csv.toString()));
        } catch (java.io.IOException ex) {
            throw new SQLException("COPY failed: " + ex.getMessage(), ex);
        }
    }

    /** Another merge published while this one was computing; nothing was written. */
    public static final class ConcurrentPublishException extends moe.ids.core.error.IdsMoeException {
        /**
         * @param message what happened
         */
        public ConcurrentPublishException(String message) {
            super(message);
        }
    }

}
