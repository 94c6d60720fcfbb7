package moe.ids.testing;

import moe.ids.core.config.DatabaseUrl;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * Per-run databases for integration tests, so runs never collide: {@code TEST_DATABASE_URL} (default
 * {@code postgres://postgres@127.0.0.1:5432/postgres}) names the server, each call creates a new database
 * {@code ids_moe_t_{purpose}_{random}} there; {@link #drop} removes it. Only databases made here are ever dropped.
 */
public final class TestDatabases {
    private static final String PREFIX = "ids_moe_t_";

    private TestDatabases() {
    }

    /**
     * @param purpose short lower-case word naming the test
     * @return the location of a new, empty database
     */
    public static DatabaseUrl fresh(String purpose) {
        String server = System.getenv().getOrDefault("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres");
        String name = (PREFIX + purpose + "_" + UUID.randomUUID().toString().substring(0, 8))
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        DatabaseUrl url = DatabaseUrl.parse("TEST_DATABASE_URL", server).withDatabase(name);
        execute(url, "CREATE DATABASE \"" + name + "\"");
        return url;
    }

    /**
     * Drops a database made by {@link #fresh}, closing its sessions.
     *
     * @param url the database to drop
     * @throws IllegalArgumentException for a database this class did not name
     */
    public static void drop(DatabaseUrl url) {
        String db = url.database();
        if (!db.startsWith(PREFIX) || !db.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("not a test database: " + db);
        }
        execute(url, "DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)");
    }

    private static void execute(DatabaseUrl url, String sql) {
        Properties p = new Properties();
        if (url.user() != null) {
            p.setProperty("user", url.user());
        }
        if (url.password() != null) {
            p.setProperty("password", url.password());
        }
        try (Connection c = DriverManager.getConnection(url.withDatabase("postgres").jdbcUrl(), p);
             Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException ex) {
            throw new IllegalStateException(sql + " at " + url.redacted() + ": " + ex.getMessage(), ex);
        }
    }
}
