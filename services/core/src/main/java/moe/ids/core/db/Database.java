package moe.ids.core.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.error.UnavailableException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * PostgreSQL connections: one HikariCP pool per service, plus creating the database on a local server.
 */
public final class Database {
    private static final System.Logger LOG = System.getLogger(Database.class.getName());

    private Database() {
    }

    /**
     * @param url     where
     * @param name    pool name (shows in logs and metrics)
     * @param maxSize largest pool size
     * @return a started pool; close it on shutdown
     */
    public static HikariDataSource pool(DatabaseUrl url, String name, int maxSize) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url.jdbcUrl());
        if (url.user() != null) {
            c.setUsername(url.user());
        }
        if (url.password() != null) {
            c.setPassword(url.password());
        }
        c.setPoolName(name);
        c.setMaximumPoolSize(maxSize);
        c.setMinimumIdle(Math.min(1, maxSize));
        c.setConnectionTimeout(10_000);
        c.setInitializationFailTimeout(-1);
        return new HikariDataSource(c);
    }

    /**
     * Opens one connection outside any pool.
     *
     * @param url where
     * @return a connection; close it
     * @throws SQLException when PostgreSQL cannot be reached
     */
    public static Connection connect(DatabaseUrl url) throws SQLException {
        Properties props = new Properties();
        if (url.user() != null) {
            props.setProperty("user", url.user());
        }
        if (url.password() != null) {
            props.setProperty("password", url.password());
        }
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(url.jdbcUrl(), props);
    }

    /**
     * Creates the database named by {@code url} when it does not exist, connecting to the server's
     * {@code postgres} database. Safe when several processes race (a duplicate is ignored). On a managed
     * server where that is not allowed (no access to {@code postgres}, no CREATEDB), it only warns: the
     * database is then expected to exist, and the migration that follows says so clearly if it does not.
     *
     * @param url the database wanted
     * @return true when it was created now
     */
    public static boolean ensureExists(DatabaseUrl url) {
        String db = url.database();
        if (!db.matches("[A-Za-z0-9_]+")) {
            throw new IllegalArgumentException("database name must be letters, digits and _: " + db);
        }
        try (Connection ignored = connect(url)) {
            return false;
        } catch (SQLException notThere) {
            // fall through: try to create it
        }
        try (Connection c = connect(url.withDatabase("postgres"))) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, db);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return false;
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE \"" + db + "\"");
                LOG.log(System.Logger.Level.INFO, "created database {0}", db);
                return true;
            } catch (SQLException ex) {
                if ("42P04".equals(ex.getSQLState()) || "23505".equals(ex.getSQLState())) {
                    return false;
                }
                throw ex;
            }
        } catch (SQLException ex) {
            LOG.log(System.Logger.Level.WARNING, "cannot check or create database {0} at {1} ({2}); "
                    + "assuming it exists", db, url.redacted(), ex.getMessage());
            return false;
        }
    }

    /**
     * Drops a database (tests clean up their own per-run databases with it).
     *
     * @param url the database to drop
     */
    public static void drop(DatabaseUrl url) {
        String db = url.database();
        if (!db.matches("[A-Za-z0-9_]+")) {
            throw new IllegalArgumentException("database name must be letters, digits and _: " + db);
        }
        try (Connection c = connect(url.withDatabase("postgres")); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)");
        } catch (SQLException ex) {
            throw new UnavailableException("cannot drop database " + db + ": " + ex.getMessage(), ex);
        }
    }
}
