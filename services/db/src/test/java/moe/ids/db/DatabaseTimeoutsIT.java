package moe.ids.db;

import moe.ids.testing.TestDatabases;
import moe.ids.testing.TcpProxy;
import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseTimeouts;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.error.UnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The timeouts of every PostgreSQL connection: a server that accepts TCP connections and never answers fails the
 * pool, the migration and the database check within the login timeout, with one line naming {@code DATABASE_URL};
 * the server cancels a statement at the statement timeout; a server that stops answering mid-connection fails the next
 * query at the socket timeout. Real PostgreSQL (a database of its own) behind a local proxy.
 */
class DatabaseTimeoutsIT {
    /** Short timeouts so the test is quick: 2 s to log in, 1 s per statement, 3 s per read. */
    private static final DatabaseTimeouts SHORT = new DatabaseTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
            Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(3));
    /** A call that hangs is cut here and reported as a failure. */
    private static final Duration BOUND = Duration.ofSeconds(12);

    @Test
    void silentServerFailsEveryEntryWithinTheLoginTimeout() throws Exception {
        try (TcpProxy silent = TcpProxy.silent()) {
            DatabaseUrl url = DatabaseUrl.parse("DATABASE_URL", "postgres://postgres@127.0.0.1:" + silent.port()
                    + "/ids_moe").withTimeouts(SHORT);
            String expected = "DATABASE_URL: PostgreSQL at 127.0.0.1:" + silent.port() + " did not answer within 2 s";
            assertFailsFast(expected, () -> Database.pool(url, "silent", 2).close());
            assertFailsFast(expected, () -> Database.ensureExists(url));
            assertFailsFast(expected, () -> Migrations.migrate(url));
            long t0 = System.nanoTime();
            SQLException ex = assertTimeoutPreemptively(BOUND,
                    () -> assertThrows(SQLException.class, () -> Database.connect(url).close()));
            assertEquals(expected, Database.explain(url, ex).orElseThrow());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(4).toNanos(), "connect gave up after ~2 s");
        }
    }

    @Test
    void statementTimeoutCancelsOnTheServerAndKeepsTheConnection() throws Exception {
        DatabaseUrl url = TestDatabases.fresh("stmt_timeout").withTimeouts(SHORT);
        try (HikariDataSource pool = Database.pool(url, "stmt-timeout", 1);
             Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            long t0 = System.nanoTime();
            SQLException ex = assertThrows(SQLException.class, () -> st.execute("SELECT pg_sleep(10)"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("57014", ex.getSQLState(), ex.getMessage());
            assertTrue(ms < 2_500, "cancelled after about 1 s, took " + ms + " ms");
            assertTrue(Database.explain(url, ex).orElseThrow().contains("database.statement-timeout-seconds (1 s)"));
            st.execute("SELECT 1"); // the server cancelled the statement; the connection goes on
        } finally {
            TestDatabases.drop(url);
        }
    }

    @Test
    void serverThatStopsAnsweringFailsTheNextQueryAtTheSocketTimeout() throws Exception {
        DatabaseUrl server = TestDatabases.fresh("sock_timeout");
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", port(server))) {
            DatabaseUrl url = new DatabaseUrl(server.jdbcUrl().replaceFirst(":\\d+/", ":" + proxy.port() + "/"),
                    server.user(), server.password(), "DATABASE_URL", SHORT);
            // in a thread of its own: without a socket timeout the read never returns, and the test fails at BOUND
            Failed failed = assertTimeoutPreemptively(BOUND, () -> {
                try (Connection c = Database.connect(url); Statement st = c.createStatement()) {
                    st.execute("SELECT 1");
                    proxy.freeze();
                    long t0 = System.nanoTime();
                    SQLException ex = assertThrows(SQLException.class, () -> st.execute("SELECT 1"));
                    return new Failed(ex, (System.nanoTime() - t0) / 1_000_000);
                }
            });
            assertTrue(failed.ms() >= 2_500 && failed.ms() < 6_000,
                    "gave up after the 3 s socket timeout, took " + failed.ms() + " ms");
            assertEquals("DATABASE_URL: PostgreSQL at 127.0.0.1:" + proxy.port()
                    + " stopped answering (nothing read for 3 s)", Database.explain(url, failed.ex()).orElseThrow());
        } finally {
            TestDatabases.drop(server);
        }
    }

    @Test
    void socketTimeoutMustOutlastTheStatementTimeout() {
        Duration s = Duration.ofSeconds(10);
        assertThrows(moe.ids.core.error.ConfigException.class, () -> new DatabaseTimeouts(s, s, s, s, s));
        assertThrows(moe.ids.core.error.ConfigException.class,
                () -> new DatabaseTimeouts(s, s, Duration.ZERO, s, s));
        new DatabaseTimeouts(s, s, Duration.ZERO, Duration.ZERO, s);
    }

    /** A query that failed, and after how long. */
    private record Failed(SQLException ex, long ms) {
    }

    private static void assertFailsFast(String expected, Executable call) {
        long t0 = System.nanoTime();
        UnavailableException ex = assertTimeoutPreemptively(BOUND,
                () -> assertThrows(UnavailableException.class, call));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(expected, ex.getMessage());
        assertTrue(ms < 5_000, "failed after the 2 s login timeout, took " + ms + " ms");
    }

    private static int port(DatabaseUrl url) {
        String server = url.server();
        return Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
    }
}
