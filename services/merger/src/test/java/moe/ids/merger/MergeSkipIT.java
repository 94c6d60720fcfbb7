package moe.ids.merger;

import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.snapshot.Records;
import moe.ids.db.Db;
import moe.ids.db.OutboxWriter;
import moe.ids.merger.merge.MergeSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static moe.ids.merger.MergeDatabase.BEBOP;
import static moe.ids.merger.MergeDatabase.TRIGUN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A merge whose inputs are those of the last completed merge is skipped: nothing loaded, merged or published, a
 * report saying so. A new snapshot, other settings, other merge code, a forced merge or a version published since
 * make it run; a merge that fails records nothing. Snapshots written as the scraper writes them, on real PostgreSQL
 * (a database of its own).
 */
class MergeSkipIT {
    private MergeDatabase base;
    private HikariDataSource pool;
    private Db db;

    @BeforeEach
    void start() throws Exception {
        base = MergeDatabase.fresh("mergeskip");
        pool = base.pool();
        db = base.db();
        StoredSnapshots.accept(pool, "aod", List.of(BEBOP));
        StoredSnapshots.accept(pool, "arm", List.of(new Records.ArmEntry(1, 1, 360, 538)));
    }

    @AfterEach
    void stop() {
        base.close();
    }

    private MergeService service(String code) {
        return new MergeService(db, MergeSettings.DEFAULTS, 0.05, code);
    }

    @Test
    void unchangedInputsSkipTheMergeAndANewSnapshotMergesAgain() throws Exception {
        MergeService.Outcome first = service("code").run(false);
        assertTrue(first.published());
        assertFalse(first.skipped());
        assertEquals(1, first.version());
        assertEquals(1, count("merge_inputs"));

        MergeService.Outcome again = service("code").run(false);
        assertTrue(again.skipped(), "no new snapshot since the merge of version 1");
        assertFalse(again.published());
        assertEquals(1, again.version(), "the version published already");
        assertEquals(null, again.report());
        assertEquals(1, count("change_set"), "nothing published");
        assertEquals(1, count("merge_inputs"), "a skipped merge records no inputs");
        assertEquals("InputsUnchanged", query("SELECT report->>'skipped' FROM merge_report ORDER BY id DESC LIMIT 1"));
        assertEquals("1",
                query("SELECT report->'same_inputs_as'->>'version' FROM merge_report ORDER BY id DESC LIMIT 1"));
        assertEquals(2, count("merge_report"), "a report per run");

        StoredSnapshots.accept(pool, "aod", List.of(BEBOP, TRIGUN));
        MergeService.Outcome changed = service("code").run(false);
        assertFalse(changed.skipped());
        assertTrue(changed.published());
        assertEquals(2, changed.version());
        assertEquals(1, changed.upserts(), "Trigun");
        assertEquals(2, count("merge_inputs"));
        assertTrue(service("code").run(false).skipped());
    }

    @Test
    void settingsCodeForceAndAnotherPublishMakeItRun() throws Exception {
        assertTrue(service("code").run(false).published());
        assertTrue(service("code").run(false).skipped());

        MergeService.Outcome forced = service("code").run(true);
        assertFalse(forced.skipped(), "a forced merge never skips");
        assertFalse(forced.published(), "and finds nothing changed");
        assertEquals(2, count("merge_inputs"), "a merge that found nothing changed records its inputs");
        assertTrue(service("code").run(false).skipped());

        MergeService.Outcome newCode = service("new code").run(false);
        assertFalse(newCode.skipped(), "a new merger version merges");
        assertFalse(newCode.published());
        assertTrue(service("new code").run(false).skipped());

        MergeService.Outcome newSettings = new MergeService(db, new MergeSettings(95, 90, 80, 90), 0.05, "new code")
                .run(false);
        assertFalse(newSettings.skipped(), "other thresholds merge");
        assertTrue(new MergeService(db, new MergeSettings(95, 90, 80, 90), 0.05, "new code").run(false).skipped());

        // a version published since the recorded merge (not by a merge that recorded its inputs)
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            OutboxWriter.write(c, new ChangeSet(2, 1, Instant.now(), List.of(), List.of(), Map.of("test/1", 1L),
                    List.of()), null);
            c.commit();
        }
        MergeService.Outcome afterOther = new MergeService(db, new MergeSettings(95, 90, 80, 90), 0.05, "new code")
                .run(false);
        assertFalse(afterOther.skipped(), "the published state is no longer what the recorded merge left");
        assertEquals(3, afterOther.version(), "its change set takes the stray key out again");
    }

    @Test
    void aFailedMergeRecordsNothingSoTheNextOneRunsAgain() throws Exception {
        assertTrue(service("code").run(false).published());
        // the anime-offline-database loses its snapshot: the merge would delete everything and is refused
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM source_state WHERE source = 'aod'");
        }
        assertThrows(MergeService.MassDeletionException.class, () -> service("code").run(false));
        assertEquals(1, count("merge_inputs"), "a refused merge records nothing");
        assertThrows(MergeService.MassDeletionException.class, () -> service("code").run(false),
                "compared with the last completed merge, not with the refused one: it runs (and is refused) again");
        StoredSnapshots.accept(pool, "aod", List.of(BEBOP));
        MergeService.Outcome back = service("code").run(false);
        assertFalse(back.skipped(), "a new snapshot, though of the same content");
        assertFalse(back.published(), "nothing changed");
        assertTrue(service("code").run(false).skipped());
    }

    private long count(String table) throws Exception {
        return Long.parseLong(query("SELECT count(*) FROM " + table));
    }

    private String query(String sql) throws Exception {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
