package moe.ids.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.error.UnavailableException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Applies the schema ({@code db/migration/V*.sql}) with Flyway. Every service calls it at start, so
 * several may run at once: Flyway itself locks on PostgreSQL, and we hold our own connection-held advisory
 * lock around the whole call as well, which also covers the first creation of the history table.
 *
 * <p>A schema whose history already ends, with no failed step, at the newest migration bundled here (or later,
 * which Flyway ignores as well) is left alone without starting Flyway: its scan of the class path and validation of
 * every migration cost about 0.3 s of each start of each program (and of every step of a refresh), to conclude
 * that there is nothing to do.
 */
public final class Migrations {
    private static final System.Logger LOG = System.getLogger(Migrations.class.getName());
    /** Advisory lock key: "idsmoe" as a number, so it does not collide with other users of the server. */
    static final long LOCK_KEY = 0x6964736d6f65L;
    /** The version of the newest file in {@code db/migration} (MigrationsTest holds the two together). */
    static final int LATEST = 4;

    private Migrations() {
    }

    /**
     * Connects on its own (not through a service's pool, which may be small), migrates, disconnects.
     *
     * @param url the database
     * @return how many migrations this call applied (0 when the schema was current)
     * @throws UnavailableException naming the variable of {@code url} when PostgreSQL cannot be reached
     */
    public static int migrate(DatabaseUrl url) {
        try (Connection lock = Database.connect(url)) {
            if (current(lock)) {
                return 0;
            }
            try (Statement st = lock.createStatement()) {
                st.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
            }
            try {
                MigrateResult result = Flyway.configure()
                        .dataSource(Database.dataSource(url))
                        .locations("classpath:db/migration")
                        .load()
                        .migrate();
                if (result.migrationsExecuted > 0) {
                    LOG.log(System.Logger.Level.INFO, "schema migrated to version {0} ({1} migrations)",
                            result.targetSchemaVersion, result.migrationsExecuted);
                }
                return result.migrationsExecuted;
            } finally {
                try (Statement st = lock.createStatement()) {
                    st.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
                }
            }
        } catch (SQLException ex) {
            throw new UnavailableException(Database.explain(url, ex)
                    .orElseGet(() -> "cannot migrate the database: " + ex.getMessage()), ex);
        }
    }

    /** Whether Flyway's history ends, successfully, at {@link #LATEST} or later. */
    private static boolean current(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT to_regclass('flyway_schema_history') IS NOT NULL")) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return false;
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT coalesce(max(version::int) FILTER (WHERE success), 0), "
                    + "count(*) FILTER (WHERE NOT success) FROM flyway_schema_history "
                    + "WHERE version ~ '^[0-9]+$'")) {
                return rs.next() && rs.getInt(1) >= LATEST && rs.getLong(2) == 0;
            }
        }
    }
}
