package moe.ids.ingestor;

import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.changeset.ChangeSetCodec;
import moe.ids.core.entry.CanonicalJson;
import org.postgresql.PGConnection;

import javax.sql.DataSource;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;

/**
 * Test support: publishes a change set the way the merger will — the outbox row, the published state
 * ({@code anime}, {@code published_mapping}) and optionally a merge report in ONE transaction, then
 * {@code NOTIFY ids_moe_change_set}.
 */
public final class TestOutbox {
    private TestOutbox() {
    }

    /**
     * @param db     database
     * @param cs     change set
     * @param report merge report JSON, or null
     * @throws Exception on failure
     */
    public static void publish(DataSource db, ChangeSet cs, String report) throws Exception {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO change_set (version, base, created_at, encoding, payload, upserts, deletes,
                            map_sets, map_dels) VALUES (?, ?, ?, 'gzip-json', ?, ?, ?, ?, ?)""")) {
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
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM anime WHERE id = ANY(?)")) {
                    ps.setArray(1, c.createArrayOf("bigint", gone));
                    ps.executeUpdate();
                }
                StringBuilder csv = new StringBuilder();
                for (ChangeSet.Upsert u : cs.upsert()) {
                    byte[] json = CanonicalJson.toBytes(u.entry());
                    csv.append(u.id()).append(",\"").append(new String(json, StandardCharsets.UTF_8).replace("\"", "\"\""))
                            .append("\",").append(CanonicalJson.sha256Hex(json)).append('\n');
                }
                copy(c, "COPY anime (id, entry, hash) FROM STDIN WITH (FORMAT csv)", csv.toString());
                String[] keys = java.util.stream.Stream.concat(cs.mapDel().stream(), cs.mapSet().keySet().stream())
                        .toArray(String[]::new);
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM published_mapping WHERE key = ANY(?)")) {
                    ps.setArray(1, c.createArrayOf("text", keys));
                    ps.executeUpdate();
                }
                StringBuilder m = new StringBuilder();
                cs.mapSet().forEach((k, id) -> m.append('"').append(k.replace("\"", "\"\"")).append("\",").append(id)
                        .append('\n'));
                copy(c, "COPY published_mapping (key, anime_id) FROM STDIN WITH (FORMAT csv)", m.toString());
                if (report != null) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO merge_report (version, report) VALUES (?, ?::jsonb)")) {
                        ps.setLong(1, cs.version());
                        ps.setString(2, report);
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify('ids_moe_change_set', ?)")) {
                    ps.setString(1, Long.toString(cs.version()));
                    ps.execute();
                }
                c.commit();
            } catch (Exception ex) {
                c.rollback();
                throw ex;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * Removes outbox rows (as a pruning merger would).
     *
     * @param db       database
     * @param versions versions to delete
     * @throws SQLException on failure
     */
    public static void prune(DataSource db, List<Long> versions) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM change_set WHERE version = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("bigint", versions.toArray(Long[]::new)));
            ps.executeUpdate();
        }
    }

    private static void copy(Connection c, String sql, String csv) throws Exception {
        if (!csv.isEmpty()) {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(csv));
        }
    }
}
