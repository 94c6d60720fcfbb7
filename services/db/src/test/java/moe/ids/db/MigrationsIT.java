package moe.ids.db;

import moe.ids.testing.TestDatabases;
import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Migrations against the real PostgreSQL, in a database of this run's own. */
class MigrationsIT {
    private DatabaseUrl url;

    @BeforeEach
    void freshDatabase() {
        url = TestDatabases.fresh("migrations");
    }

    @AfterEach
    void dropDatabase() {
        TestDatabases.drop(url);
    }

    @Test
    void appliedTwiceLeavesOneSchema() throws Exception {
        try (HikariDataSource ds = Database.pool(url, "t", 2)) {
            int first = Migrations.migrate(url);
            int second = Migrations.migrate(url);
            assertEquals(migrationCount(), first);
            assertEquals(0, second);
            assertSchema(ds);
        }
    }

    @Test
    void aCurrentSchemaIsLeftAloneWithoutWaitingForAMigration() throws Exception {
        Migrations.migrate(url);
        // another program holds the migration lock (as while it migrates): a current schema needs nothing of it
        try (Connection other = Database.connect(url); Statement st = other.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + Migrations.LOCK_KEY + ")");
            int applied = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> Migrations.migrate(url));
            assertEquals(0, applied);
        }
    }

    @Test
    void concurrentStartsLeaveOneSchema() throws Exception {
        int n = 6;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<HikariDataSource> sources = new ArrayList<>();
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sources.add(Database.pool(url, "t" + i, 1));
                results.add(pool.submit(() -> {
                    go.await();
                    return Migrations.migrate(url);
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get();
            }
            assertEquals(migrationCount(), total, "each migration applied exactly once");
            assertSchema(sources.get(0));
        } finally {
            pool.shutdownNow();
            sources.forEach(HikariDataSource::close);
        }
    }

    /** The migration files on the classpath (V1__…, V2__…). */
    private static int migrationCount() throws Exception {
        java.net.URL dir = MigrationsIT.class.getClassLoader().getResource("db/migration");
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(dir.toURI()))) {
            return (int) files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
        }
    }

    private static void assertSchema(HikariDataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(
                    "SELECT count(*), count(*) FILTER (WHERE success) FROM flyway_schema_history WHERE version IS NOT NULL")) {
                rs.next();
                assertEquals(migrationCount(), rs.getInt(1));
                assertEquals(migrationCount(), rs.getInt(2));
            }
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables "
                    + "WHERE table_schema = 'public' AND table_name <> 'flyway_schema_history' ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertEquals(List.of("anime", "change_set", "identity_key", "ingest_state", "merge_inputs", "merge_report",
                    "published_mapping", "scrape_page", "scrape_run", "source_fetch", "source_snapshot", "source_state"),
                    tables);
            try (ResultSet rs = st.executeQuery("SELECT nextval('anime_id_seq')")) {
                rs.next();
                assertEquals(1, rs.getLong(1));
            }
        }
    }
}
