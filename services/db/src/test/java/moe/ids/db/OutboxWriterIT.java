package moe.ids.db;

import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.testing.SyntheticData;
import moe.ids.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The published rows a change set writes, with what its writer already knows about them ({@link OutboxWriter.Rows}):
 * known bytes and hashes are stored as given, rows known absent are copied without a delete, and a row wrongly
 * known absent fails the whole write. Real PostgreSQL, a database of its own.
 */
class OutboxWriterIT {
    private static final TreeMap<Long, AnimeEntry> A = SyntheticData.a(3, 7);

    private DatabaseUrl url;
    private HikariDataSource db;

    @BeforeEach
    void database() throws Exception {
        url = TestDatabases.fresh("outboxwriter");
        Migrations.migrate(url);
        db = Database.pool(url, "outboxwriter", 2);
        write(new ChangeSet(1, 0, Instant.now(), upserts(A), List.of(), Map.of("test/1", 1L, "test/2", 2L),
                List.of()), null);
    }

    @AfterEach
    void drop() {
        db.close();
        TestDatabases.drop(url);
    }

    @Test
    void knownBytesAndHashesAreStoredAsGiven() throws Exception {
        ChangeSet cs = second(3, A.get(3L), "Known Bytes", Map.of());
        OutboxWriter.Canonical given = new OutboxWriter.Canonical("{\"title\":\"given\"}".getBytes(), "given-hash");
        write(cs, new OutboxWriter.Rows(u -> given, id -> true, key -> true));
        assertEquals("given-hash", query("SELECT hash FROM anime WHERE id = 3"));
        assertEquals("given", query("SELECT entry->>'title' FROM anime WHERE id = 3"));
    }

    @Test
    void rowsKnownAbsentAreCopiedBesideTheOthers() throws Exception {
        ChangeSet cs = second(9, A.get(1L), "Added", Map.of("test/9", 9L));
        write(cs, new OutboxWriter.Rows(OutboxWriter.Canonical::of, id -> false, key -> false));
        assertEquals("4", query("SELECT count(*) FROM anime"));
        assertEquals("Added", query("SELECT entry->>'title' FROM anime WHERE id = 9"));
        assertEquals("9", query("SELECT anime_id FROM published_mapping WHERE key = 'test/9'"));
    }

    @Test
    void aRowWronglyKnownAbsentFailsTheWriteAndLeavesThePublishedState() throws Exception {
        ChangeSet cs = second(1, A.get(1L), "Changed", Map.of("test/2", 1L));
        SQLException ex = assertThrows(SQLException.class, () -> write(cs, new OutboxWriter.Rows(
                OutboxWriter.Canonical::of, id -> false, key -> false)));
        assertTrue(ex.getMessage().contains("duplicate key"), ex.getMessage());
        assertEquals(A.get(1L).title(), query("SELECT entry->>'title' FROM anime WHERE id = 1"));
        assertEquals("1", query("SELECT max(version) FROM change_set"));
    }

    @Test
    void computedRowsReplaceEveryUpsertAndSetKey() throws Exception {
        ChangeSet cs = second(1, A.get(1L), "Changed", Map.of("test/2", 1L));
        write(cs, null);
        assertEquals("Changed", query("SELECT entry->>'title' FROM anime WHERE id = 1"));
        assertEquals("1", query("SELECT anime_id FROM published_mapping WHERE key = 'test/2'"));
        assertEquals(OutboxWriter.Canonical.of(cs.upsert().getFirst()).hash(),
                query("SELECT hash FROM anime WHERE id = 1"));
    }

    /** Change set 2: one entry (a copy of {@code from} under another title) upserted, the given keys set. */
    private static ChangeSet second(long id, AnimeEntry from, String title, Map<String, Long> mapSet) {
        AnimeEntry entry = from.toBuilder().set("title", title).build();
        return new ChangeSet(2, 1, Instant.now(), List.of(new ChangeSet.Upsert(id, entry)), List.of(), mapSet,
                List.of());
    }

    private static List<ChangeSet.Upsert> upserts(TreeMap<Long, AnimeEntry> entries) {
        return entries.entrySet().stream().map(e -> new ChangeSet.Upsert(e.getKey(), e.getValue())).toList();
    }

    /** One transaction, as the merger's publish: committed, or rolled back and the failure thrown. */
    private void write(ChangeSet cs, OutboxWriter.Rows rows) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (rows == null) {
                    OutboxWriter.write(c, cs, null);
                } else {
                    OutboxWriter.write(c, cs, null, rows);
                }
                c.commit();
            } catch (SQLException | RuntimeException ex) {
                c.rollback();
                throw ex;
            }
        }
    }

    private String query(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
