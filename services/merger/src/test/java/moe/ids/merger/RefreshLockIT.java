package moe.ids.merger;

import com.zaxxer.hikari.HikariDataSource;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.snapshot.Records;
import moe.ids.db.Database;
import moe.ids.db.Migrations;
import moe.ids.db.RefreshLock;
import moe.ids.testing.TestDatabases;
import moe.ids.core.error.RefreshBusyException;
import moe.ids.merger.merge.MergeSettings;
import moe.ids.merger.operator.PostgresBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two refreshes on one database: while one connection holds the refresh lock, the local refresh's holder
 * ({@code refresh lock}) refuses at once with one line naming the holder (exit 75) and changes nothing, or waits
 * (bounded) and then holds it for its steps, which run under it (another merge meanwhile is refused), and merges
 * in it when asked on its standard input; a merge of
 * no refresh refuses too, and so does the controller's merge step (the reconciler retries it). Real PostgreSQL (a
 * database of its own).
 */
class RefreshLockIT {
    private static final List<String> TABLES = List.of("source_fetch", "source_snapshot", "source_state", "scrape_run",
            "scrape_page", "anime", "identity_key", "published_mapping", "change_set", "merge_report");
    private static final Pattern NAMED = Pattern.compile("(?m)^" + RefreshLock.HOLDER_ENV + "=(\\d+)$");

    /** Held, so the handler stays on it (JUL keeps loggers weakly). */
    private static final Logger IDS = Logger.getLogger("moe.ids");

    private DatabaseUrl db;
    private final Captured log = new Captured();

    @BeforeEach
    void start() {
        db = TestDatabases.fresh("refreshlock");
        Migrations.migrate(db);
        IDS.addHandler(log);
    }

    @AfterEach
    void stop() {
        IDS.removeHandler(log);
        TestDatabases.drop(db);
    }

    @Test
    void secondRefreshRefusesWithTheHolderAndChangesNothing() throws Exception {
        try (Connection holder = hold()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rc = RefreshLockCommand.run(config(0), merger(), InputStream.nullInputStream(), new PrintStream(out),
                    null);
            assertEquals(75, rc, "exit code of a refused refresh; log: " + log.lines);
            assertEquals(1, log.errors().size(), log.lines.toString());
            String line = log.errors().getFirst();
            assertTrue(line.matches("refresh: another refresh is running on this database \\(pid " + pid(holder)
                    + " since \\S+Z: test holder\\); try again when it ends"), line);
            assertEquals("", out.toString(StandardCharsets.UTF_8), "no holder named to the steps");
            counts().forEach((table, n) -> assertEquals(0L, n, table + " untouched"));
        }
    }

    @Test
    void aMergeOfNoRefreshRefusesWithTheHolderAndChangesNothing() throws Exception {
        try (Connection holder = hold()) {
            // named or not, a session that is not this merge's refresh holder covers nothing
            for (String named : java.util.Arrays.asList(null, "1")) {
                log.clear();
                assertEquals(75, MergeCommand.run(config(0), merger(), List.of(), named), log.lines.toString());
                assertEquals(1, log.errors().size(), log.lines.toString());
                assertTrue(log.errors().getFirst().matches("merge: another refresh is running on this database "
                        + "\\(pid " + pid(holder) + " since \\S+Z: test holder\\); try again when it ends"),
                        log.errors().getFirst());
            }
            counts().forEach((table, n) -> assertEquals(0L, n, table + " untouched"));
        }
    }

    @Test
    void secondRefreshWaitsForTheFirstUpToTheSettingThenItsStepsRunUnderIt() throws Exception {
        try (HikariDataSource pool = Database.pool(db, "refreshlock", 2)) {
            StoredSnapshots.accept(pool, "aod", List.of(new Records.AodAnime("Cowboy Bebop", "TV", 26, 1998, 23, 1,
                    null, null, null, 1, null, 1, null, null, List.of())));
        }
        Connection holder = hold();
        PipedOutputStream stdin = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(stdin);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            CompletableFuture<Integer> second = CompletableFuture.supplyAsync(
                    () -> RefreshLockCommand.run(config(60), merger(), in, new PrintStream(out, true), null));
            await().atMost(20, TimeUnit.SECONDS).until(() -> log.lines.stream()
                    .anyMatch(l -> l.contains("waiting up to 60 s")));
            assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing held while waiting");
            holder.close(); // the first refresh ends: its connection, and with it the lock
            await().atMost(60, TimeUnit.SECONDS).until(() -> NAMED.matcher(out.toString(StandardCharsets.UTF_8)).find());
            Matcher named = NAMED.matcher(out.toString(StandardCharsets.UTF_8));
            assertTrue(named.find());
            String pid = named.group(1);
            assertEquals(0, MergeCommand.run(config(0), merger(), List.of(), pid), log.lines.toString());
            assertEquals(1L, counts().get("change_set"), "the waiting refresh ran and published");
            assertEquals(75, MergeCommand.run(config(0), merger(), List.of(), null), "another merge waits its turn");
            stdin.close(); // the refresh is done
            assertEquals(0, second.get(60, TimeUnit.SECONDS), log.lines.toString());
            assertEquals(0, MergeCommand.run(config(0), merger(), List.of(), pid), "released: taken by the merge itself");
        } finally {
            holder.close();
            stdin.close();
        }
    }

    @Test
    void theHolderMergesOnRequestUnderItsLockAndReportsEachExitCode(@TempDir Path dir) throws Exception {
        try (HikariDataSource pool = Database.pool(db, "refreshlock", 2)) {
            StoredSnapshots.accept(pool, "aod", List.of(new Records.AodAnime("Cowboy Bebop", "TV", 26, 1998, 23, 1,
                    null, null, null, 1, null, 1, null, null, List.of())));
        }
        Path result = dir.resolve("result");
        PipedOutputStream stdin = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(stdin);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream requests = new PrintStream(stdin, true, StandardCharsets.UTF_8)) {
            CompletableFuture<Integer> refresh = CompletableFuture.supplyAsync(() -> RefreshLockCommand.run(config(0),
                    merger(), in, new PrintStream(out, true), result.toString()));
            await().atMost(30, TimeUnit.SECONDS).until(() -> NAMED.matcher(out.toString(StandardCharsets.UTF_8)).find());
            requests.println("not a request");
            requests.println("merge --source aod");
            await().atMost(60, TimeUnit.SECONDS).until(() -> Files.exists(result));
            assertEquals("0", Files.readString(result).strip(), log.lines.toString());
            assertEquals(1L, counts().get("change_set"), "merged and published");
            assertEquals(75, MergeCommand.run(config(0), merger(), List.of(), null), "held for the rest of the refresh");
            Files.delete(result);
            requests.println("merge --source nowhere");
            await().atMost(30, TimeUnit.SECONDS).until(() -> Files.exists(result));
            assertEquals("64", Files.readString(result).strip(), "a bad argument: " + log.lines);
            assertTrue(log.lines.stream().anyMatch(l -> l.contains("not a request is not understood")),
                    log.lines.toString());
            requests.close(); // the refresh is done
            assertEquals(0, refresh.get(60, TimeUnit.SECONDS), log.lines.toString());
            assertEquals(1L, counts().get("change_set"), "nothing else published");
        }
    }

    @Test
    void controllerMergeRefusesWhileARefreshHoldsTheLock() throws Exception {
        try (Connection holder = hold(); HikariDataSource pool = Database.pool(db, "refreshlock", 2)) {
            moe.ids.db.Db db = moe.ids.db.Db.over(pool);
            PostgresBackend backend = new PostgresBackend(db, new MergeService(db, MergeSettings.DEFAULTS, 0.05),
                    "default");
            RefreshBusyException ex = assertThrows(RefreshBusyException.class, () -> backend.merge(false));
            assertTrue(ex.getMessage().contains("(pid " + pid(holder) + " since "), ex.getMessage());
            assertEquals(0L, counts().get("merge_report"), "no merge ran");
        }
    }

    /** A connection holding the refresh lock, as a running refresh does. */
    private Connection hold() throws SQLException {
        Connection c = Database.connect(db);
        try (Statement st = c.createStatement()) {
            st.execute("SET application_name = 'test holder'");
            st.execute("SELECT pg_advisory_lock(" + RefreshLock.KEY + ")");
        }
        return c;
    }

    private Config config(int waitSeconds) {
        return Config.just(ConfigSources.create(Map.of(
                "merger.refresh-lock-wait-seconds", Integer.toString(waitSeconds))));
    }

    private MergerConfig merger() {
        return new MergerConfig(db, 0, MergeSettings.DEFAULTS, 0.05);
    }

    private Map<String, Long> counts() throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = Database.connect(db); Statement st = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    out.put(table, rs.getLong(1));
                }
            }
        }
        return out;
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The project's log records, formatted. */
    private static final class Captured extends Handler {
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final List<String> errors = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord r) {
            String msg = r.getParameters() == null || r.getParameters().length == 0 ? r.getMessage()
                    : java.text.MessageFormat.format(r.getMessage(), r.getParameters());
            lines.add(msg);
            if (r.getLevel() == Level.SEVERE) {
                errors.add(msg);
            }
        }

        List<String> errors() {
            return List.copyOf(errors);
        }

        void clear() {
            lines.clear();
            errors.clear();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
