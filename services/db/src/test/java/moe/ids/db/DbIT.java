package moe.ids.db;

import com.zaxxer.hikari.HikariDataSource;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbRow;
import io.helidon.health.HealthCheckResponse;
import moe.ids.core.config.DatabaseTimeouts;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.error.UnavailableException;
import moe.ids.testing.TcpProxy;
import moe.ids.testing.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DB Client of a service: HikariCP behind the JDBC provider's pool extension point, with the timeouts of the
 * {@code DATABASE_URL}; named statements from configuration; transactions that commit or roll back as a whole; the
 * escape hatch into the same pool; the readiness check. Real PostgreSQL, a database of its own.
 */
class DbIT {
    private static final DatabaseTimeouts SHORT = new DatabaseTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
            Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(3));

    private static DatabaseUrl url;
    private static Db db;

    @BeforeAll
    static void open() {
        url = TestDatabases.fresh("dbclient").withTimeouts(SHORT);
        db = Db.open(url, "dbclient-it", 2);
        db.client().execute().dml("CREATE TABLE t (k TEXT PRIMARY KEY, v BIGINT NOT NULL)");
    }

    @AfterAll
    static void close() {
        if (db != null) {
            db.close();
        }
        if (url != null) {
            TestDatabases.drop(url);
        }
    }

    @Test
    void namedStatementsComeFromConfiguration() {
        DbRow row = db.client().execute().namedGet(Db.PING).orElseThrow();
        assertEquals(1, row.column(1).get(Integer.class));
        assertTrue(Db.statements().statement(Db.PING).contains("SELECT 1"));
    }

    @Test
    void connectionsCarryTheTimeoutsOfTheUrl() {
        String timeout = db.client().execute().get("SHOW statement_timeout").orElseThrow().column(1).get(String.class);
        assertEquals("1s", timeout);
        DbClientException ex = assertThrows(DbClientException.class,
                () -> db.client().execute().get("SELECT pg_sleep(10)"));
        assertTrue(Database.explain(url, ex).orElseThrow().contains("database.statement-timeout-seconds (1 s)"),
                Database.explain(url, ex).orElse(ex.toString()));
    }

    @Test
    void aTransactionCommitsOrRollsBackAsAWhole() {
        Transactions.run(db.client(), tx -> {
            tx.insert("INSERT INTO t (k, v) VALUES (?, ?)", "a", 1L);
            tx.insert("INSERT INTO t (k, v) VALUES (?, ?)", "b", 2L);
        });
        assertEquals(2L, count());

        DbClientException failed = assertThrows(DbClientException.class, () -> Transactions.run(db.client(), tx -> {
            tx.insert("INSERT INTO t (k, v) VALUES (?, ?)", "c", 3L);
            tx.insert("INSERT INTO t (k, v) VALUES (?, ?)", "a", 4L); // duplicate key
        }));
        assertTrue(Transactions.message(failed).contains("duplicate key"), Transactions.message(failed));
        assertEquals(23505, Integer.parseInt(Transactions.sqlCause(failed).orElseThrow().getSQLState()));

        IllegalStateException mine = assertThrows(IllegalStateException.class, () -> Transactions.run(db.client(), tx -> {
            tx.insert("INSERT INTO t (k, v) VALUES (?, ?)", "d", 5L);
            throw new IllegalStateException("changed my mind");
        }));
        assertEquals("changed my mind", mine.getMessage());
        assertEquals(2L, count());
        // the pool got every connection back
        for (int i = 0; i < 5; i++) {
            assertEquals(2L, count());
        }
    }

    @Test
    void theEscapeHatchHandsOutConnectionsOfTheSamePool() throws Exception {
        try (Connection c = db.escapeHatch().connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW statement_timeout")) {
            rs.next();
            assertEquals("1s", rs.getString(1));
            assertTrue(c.getClass().getName().startsWith("com.zaxxer.hikari"), c.getClass().getName());
            // the pool has 2 connections: with this one out, DB Client still gets the other
            assertEquals(1, db.client().execute().namedGet(Db.PING).orElseThrow().column(1).get(Integer.class));
        }
    }

    @Test
    void readinessIsUpWhileTheDatabaseAnswersAndDownWithTheReasonAfter() throws Exception {
        DatabaseUrl own = TestDatabases.fresh("dbready");
        try {
            HikariDataSource pool = Database.pool(own, "dbready", 1);
            Db ready = Db.over(pool);
            assertEquals(HealthCheckResponse.Status.UP, ready.readiness("postgres").call().status());
            ready.close();
            assertTrue(pool.isClosed(), "closing the client closes its pool");
            HealthCheckResponse down = ready.readiness("postgres").call();
            assertEquals(HealthCheckResponse.Status.DOWN, down.status());
            assertFalse(String.valueOf(down.details().get("error")).isBlank());
        } finally {
            TestDatabases.drop(own);
        }
    }

    @Test
    void anUnreachableServerFailsOpeningNamingTheVariable() throws Exception {
        try (TcpProxy silent = TcpProxy.silent()) {
            DatabaseUrl silentUrl = DatabaseUrl.parse("DATABASE_URL", "postgres://postgres@127.0.0.1:" + silent.port()
                    + "/ids_moe").withTimeouts(SHORT);
            UnavailableException ex = assertThrows(UnavailableException.class, () -> Db.open(silentUrl, "silent", 1));
            assertEquals("DATABASE_URL: PostgreSQL at 127.0.0.1:" + silent.port() + " did not answer within 2 s",
                    ex.getMessage());
        }
    }

    private static long count() {
        return db.client().execute().get("SELECT count(*) FROM t").orElseThrow().column(1).get(Long.class);
    }
}
