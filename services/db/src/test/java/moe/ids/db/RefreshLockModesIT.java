package moe.ids.db;

import moe.ids.testing.TestDatabases;
import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.error.RefreshBusyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The refresh lock's modes on real PostgreSQL (a database of its own): scrapers share it, a refresh excludes
 * them and another refresh, the refusal names the holder, a released lock is free again, the steps of a refresh
 * run under the lock its holder names to them (and only while it holds it), and a pooled connection goes back to
 * its pool without the lock or the holder's name.
 */
class RefreshLockModesIT {
    private DatabaseUrl db;

    @BeforeEach
    void database() {
        db = TestDatabases.fresh("lockmodes");
    }

    @AfterEach
    void drop() {
        TestDatabases.drop(db);
    }

    @Test
    void scrapersShareAndARefreshExcludes() {
        RefreshLock.ConnectionSource own = () -> Database.connect(db);
        try (RefreshLock a = RefreshLock.acquire(own, RefreshLock.Mode.SHARED, "scraper aod", Duration.ZERO);
             RefreshLock b = RefreshLock.acquire(own, RefreshLock.Mode.SHARED, "scraper arm", Duration.ZERO)) {
            RefreshBusyException ex = assertThrows(RefreshBusyException.class,
                    () -> RefreshLock.acquire(own, RefreshLock.Mode.EXCLUSIVE, "merger refresh", Duration.ZERO));
            assertTrue(ex.getMessage().matches("another refresh is running on this database \\(pid \\d+ since \\S+Z: "
                    + "ids-moe scraper a.., pid \\d+ on .*\\); try again when it ends"), ex.getMessage());
        }
        try (RefreshLock refresh = RefreshLock.acquire(own, RefreshLock.Mode.EXCLUSIVE, "merger refresh",
                Duration.ZERO)) {
            assertThrows(RefreshBusyException.class,
                    () -> RefreshLock.acquire(own, RefreshLock.Mode.SHARED, "scraper aod", Duration.ZERO));
            long t0 = System.nanoTime();
            RefreshBusyException ex = assertThrows(RefreshBusyException.class,
                    () -> RefreshLock.acquire(own, RefreshLock.Mode.EXCLUSIVE, "merger refresh", Duration.ofSeconds(2)));
            assertTrue(System.nanoTime() - t0 >= Duration.ofSeconds(2).toNanos(), "waited the 2 s");
            assertTrue(ex.getMessage().contains("; waited 2 s;"), ex.getMessage());
        }
    }

    @Test
    void aStepRunsUnderItsRefreshsLockAndOnlyUnderIt() throws Exception {
        RefreshLock.ConnectionSource own = () -> Database.connect(db);
        int stale;
        try (RefreshLock refresh = RefreshLock.acquire(own, RefreshLock.Mode.EXCLUSIVE, "merger refresh",
                Duration.ZERO)) {
            String pid = Integer.toString(refresh.holderPid());
            try (RefreshLock scrape = RefreshLock.acquire(own, RefreshLock.Mode.SHARED, "scraper all", Duration.ZERO,
                    pid); RefreshLock merge = RefreshLock.acquire(own, RefreshLock.Mode.EXCLUSIVE, "merger merge",
                    Duration.ZERO, pid)) {
                assertEquals(refresh.holderPid(), scrape.holderPid());
                assertEquals(refresh.holderPid(), merge.holderPid());
            }
            // the steps' ends leave the refresh's lock with its holder
            assertThrows(RefreshBusyException.class,
                    () -> RefreshLock.acquire(own, RefreshLock.Mode.EXCLUSIVE, "merger merge", Duration.ZERO, null));
            // a session that does not hold the lock covers nothing: the step asks for the lock and is refused
            try (Connection other = Database.connect(db); Statement st = other.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                String notHolding = Integer.toString(rs.getInt(1));
                assertThrows(RefreshBusyException.class, () -> RefreshLock.acquire(own, RefreshLock.Mode.SHARED,
                        "scraper all", Duration.ZERO, notHolding));
            }
            stale = refresh.holderPid();
        }
        // the refresh ended: a step naming its holder takes the lock itself
        try (RefreshLock merge = RefreshLock.acquire(own, RefreshLock.Mode.EXCLUSIVE, "merger merge", Duration.ZERO,
                Integer.toString(stale)); Connection other = Database.connect(db)) {
            assertTrue(RefreshLock.holder(other).orElseThrow().contains("ids-moe merger merge"));
        }
        assertThrows(moe.ids.core.error.ConfigException.class, () -> RefreshLock.acquire(own,
                RefreshLock.Mode.SHARED, "scraper all", Duration.ZERO, "not-a-pid"));
    }

    @Test
    void pooledConnectionGoesBackWithoutTheLockOrTheName() throws Exception {
        try (HikariDataSource pool = Database.pool(db, "lockmodes", 1)) {
            try (RefreshLock lock = RefreshLock.acquire(pool::getConnection, RefreshLock.Mode.EXCLUSIVE,
                    "merger controller merge", Duration.ZERO); Connection other = Database.connect(db)) {
                assertTrue(RefreshLock.holder(other).orElseThrow().contains("ids-moe merger controller merge"));
            }
            try (Connection c = pool.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_setting('application_name'), "
                         + "(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                         + "(SELECT oid FROM pg_database WHERE datname = current_database()))")) {
                rs.next();
                assertEquals("PostgreSQL JDBC Driver", rs.getString(1));
                assertEquals(0, rs.getLong(2), "no advisory lock left");
            }
            try (Connection other = Database.connect(db)) {
                assertEquals(Optional.empty(), RefreshLock.holder(other));
            }
        }
    }
}
