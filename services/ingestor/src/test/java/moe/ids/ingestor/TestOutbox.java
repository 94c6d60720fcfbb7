package moe.ids.ingestor;

import moe.ids.core.changeset.ChangeSet;
import moe.ids.db.OutboxWriter;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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
                OutboxWriter.write(c, cs, report);
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
}
