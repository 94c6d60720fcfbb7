package moe.ids.merger;

import com.zaxxer.hikari.HikariDataSource;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.snapshot.Records;
import moe.ids.db.Database;
import moe.ids.db.Migrations;
import moe.ids.merger.merge.MergeSettings;
import moe.ids.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The exit codes of {@code merge}, the merger's step of the local refresh, from what the scrape before it left:
 * 0 when the named sources' latest attempts succeeded, 3 when some failed (their last good snapshots are merged),
 * 1 with one line when every one failed (nothing merged), 64 on an unknown source. Snapshots written as the
 * scraper writes them, on real PostgreSQL (a database of its own).
 */
class MergeCommandIT {
    /** Held, so the handler stays on it (JUL keeps loggers weakly). */
    private static final Logger IDS = Logger.getLogger("moe.ids");

    private DatabaseUrl db;
    private HikariDataSource pool;
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Handler errorLines = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel() == Level.SEVERE) {
                errors.add(r.getParameters() == null || r.getParameters().length == 0 ? r.getMessage()
                        : java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws Exception {
        db = TestDatabases.fresh("mergecommand");
        Migrations.migrate(db);
        pool = Database.pool(db, "mergecommand", 2);
        StoredSnapshots.accept(pool, "aod", List.of(new Records.AodAnime("Cowboy Bebop", "TV", 26, 1998, 23, 1, null,
                null, null, 1, null, 1, null, null, List.of())));
        StoredSnapshots.accept(pool, "arm", List.of(new Records.ArmEntry(1, 1, 360, 538)));
        IDS.addHandler(errorLines);
    }

    @AfterEach
    void stop() {
        IDS.removeHandler(errorLines);
        pool.close();
        TestDatabases.drop(db);
    }

    @Test
    void exitCodeSaysWhatTheScrapeBeforeLeft() throws Exception {
        assertEquals(0, merge(), errors.toString());
        assertEquals(1L, changeSets(), "published");

        StoredSnapshots.attempt(pool, "arm", "Failed");
        assertEquals(3, merge(), "arm's last good snapshot is merged; " + errors);
        assertEquals(0, merge("--source", "aod"), "aod alone did not fail");

        StoredSnapshots.attempt(pool, "aod", "Failed");
        long reports = count("merge_report");
        assertEquals(1, merge("--source", "aod", "--source", "arm"), errors.toString());
        assertEquals(List.of("merge: every source failed; nothing to merge"), errors);
        assertEquals(reports, count("merge_report"), "nothing merged");
        errors.clear();
        assertEquals(1, merge(), "the others were never attempted; " + errors);
        // a source never attempted has nothing to say: the merge runs
        assertEquals(0, merge("--source", "fribb"), errors.toString());
        assertEquals(1L, changeSets(), "nothing new to publish");
    }

    @Test
    void unknownSourceIsAUsageError() {
        assertEquals(64, merge("--source", "manami"));
        assertEquals(1, errors.size(), errors.toString());
        assertEquals("merge: unknown source manami; known: " + String.join(", ",
                moe.ids.core.snapshot.SourceNames.ALL) + "; usage: merge [--source NAME]... [--force]", errors.getFirst());
    }

    private int merge(String... args) {
        return MergeCommand.run(Config.just(ConfigSources.create(Map.of())),
                new MergerConfig(db, 0, MergeSettings.DEFAULTS, 0.05), List.of(args), null);
    }

    private long changeSets() throws Exception {
        return count("change_set");
    }

    private long count(String table) throws Exception {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
