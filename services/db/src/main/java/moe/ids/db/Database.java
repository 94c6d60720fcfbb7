package moe.ids.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import com.zaxxer.hikari.util.DriverDataSource;
import moe.ids.core.config.DatabaseTimeouts;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.error.UnavailableException;

import javax.sql.DataSource;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * PostgreSQL connections: one HikariCP pool per service, single connections, and creating the database on a local
 * server. Every connection carries the timeouts of its {@link DatabaseUrl} (connect, login, statement, socket), so
 * a server that accepts connections and then stays silent fails a call instead of hanging it; {@link #explain} turns
 * such failures into one line naming the variable ({@code DATABASE_URL}).
 */
public final class Database {
    private static final System.Logger LOG = System.getLogger(Database.class.getName());

    private Database() {
    }

    /**
     * A pool whose connections carry the timeouts of {@code url} ({@link DatabaseTimeouts}). It opens its first
     * connection now, so an unreachable server fails here, within about the login timeout.
     *
     * @param url     where
     * @param name    pool name (shows in logs and metrics)
     * @param maxSize largest pool size
     * @return a started pool; close it on shutdown
     * @throws UnavailableException naming the variable of {@code url} when PostgreSQL cannot be reached
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
        driverProperties(url.timeouts()).forEach((k, v) -> c.addDataSourceProperty((String) k, v));
        c.setPoolName(name);
        c.setMaximumPoolSize(maxSize);
        c.setMinimumIdle(Math.min(1, maxSize));
        c.setConnectionTimeout(url.timeouts().pool().toMillis());
        // One attempt at start (bounded by the login timeout): a pool that cannot connect fails now, by name.
        c.setInitializationFailTimeout(1);
        try {
            return new HikariDataSource(c);
        } catch (HikariPool.PoolInitializationException ex) {
            throw unavailable(url, ex);
        }
    }

    /**
     * Opens one connection outside any pool, with the timeouts of {@code url}.
     *
     * @param url where
     * @return a connection; close it
     * @throws SQLException when PostgreSQL cannot be reached
     */
    public static Connection connect(DatabaseUrl url) throws SQLException {
        Properties props = driverProperties(url.timeouts());
        if (url.user() != null) {
            props.setProperty("user", url.user());
        }
        if (url.password() != null) {
            props.setProperty("password", url.password());
        }
        return DriverManager.getConnection(url.jdbcUrl(), props);
    }

    /**
     * @param url where
     * @return a data source opening connections like {@link #connect} (for Flyway)
     */
    static DataSource dataSource(DatabaseUrl url) {
        return new DriverDataSource(url.jdbcUrl(), "org.postgresql.Driver", driverProperties(url.timeouts()),
                url.user(), url.password());
    }

    /**
     * The driver properties for the timeouts. Parameters of the same name in the JDBC URL win (the driver reads the
     * URL last), so a {@code DATABASE_URL} with its own {@code options} replaces the statement timeout.
     */
    private static Properties driverProperties(DatabaseTimeouts t) {
        Properties p = new Properties();
        p.setProperty("connectTimeout", Long.toString(t.connect().toSeconds()));
        p.setProperty("loginTimeout", Long.toString(t.login().toSeconds()));
        p.setProperty("socketTimeout", Long.toString(t.socket().toSeconds()));
        p.setProperty("options", "-c statement_timeout=" + t.statement().toMillis());
        return p;
    }

    /**
     * @param url where
     * @param ex  a failure while using it
     * @return an {@link UnavailableException} whose message is {@link #explain}'s line when the failure is about
     *         reaching PostgreSQL, else {@code PostgreSQL at host:port: <message>}
     */
    public static UnavailableException unavailable(DatabaseUrl url, Throwable ex) {
        return new UnavailableException(explain(url, ex).orElseGet(() -> "PostgreSQL at " + url.server() + ": "
                + firstLine(ex.getMessage())), ex);
    }

    /**
     * One line naming the variable of {@code url} when {@code ex}, or one of its causes, is about reaching PostgreSQL
     * (it did not answer, refused or dropped the connection, refused the login, or the database is missing), e.g.
     * {@code DATABASE_URL: PostgreSQL at 127.0.0.1:5999 did not answer within 10 s}.
     *
     * @param url where
     * @param ex  a failure
     * @return the line, or empty when the failure is something else (a bad statement, a bug, …)
     */
    public static Optional<String> explain(DatabaseUrl url, Throwable ex) {
        return explain(url, ex, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    /** The deepest cause that says something wins: it is the most precise (refused, timed out, …). */
    private static Optional<String> explain(DatabaseUrl url, Throwable e, Set<Throwable> seen) {
        if (e == null || !seen.add(e)) {
            return Optional.empty();
        }
        Optional<String> deeper = explain(url, e.getCause(), seen);
        return deeper.isPresent() ? deeper : Optional.ofNullable(describe(url, e));
    }

    private static String describe(DatabaseUrl url, Throwable e) {
        String at = url.variable() + ": PostgreSQL at " + url.server();
        DatabaseTimeouts t = url.timeouts();
        String msg = firstLine(e.getMessage());
        if (e instanceof SocketTimeoutException) {
            return msg.toLowerCase(Locale.ROOT).contains("connect")
                    ? at + " did not accept a connection within " + t.connect().toSeconds() + " s"
                    : at + " stopped answering (nothing read for " + t.socket().toSeconds() + " s)";
        }
        if (e instanceof ConnectException) {
            return at + " refused the connection (is it running?)";
        }
        if (e instanceof UnknownHostException) {
            return at + ": unknown host";
        }
        if (e instanceof EOFException || e instanceof SocketException) {
            return at + " closed the connection" + (e.getMessage() == null ? "" : " (" + msg + ")");
        }
        if (!(e instanceof SQLException sql) || sql.getSQLState() == null) {
            return null;
        }
        String state = sql.getSQLState();
        if (msg.contains("Connection attempt timed out")) {
            return at + " did not answer within " + t.login().toSeconds() + " s";
        }
        if ("57014".equals(state) && msg.contains("statement timeout")) {
            return at + " cancelled a statement that ran longer than database.statement-timeout-seconds ("
                    + t.statement().toSeconds() + " s)";
        }
        if (state.startsWith("08")) {
            return at + " is unreachable: " + msg;
        }
        if (state.startsWith("57P")) {
            return at + " is not available: " + msg;
        }
        if (state.startsWith("28")) {
            return at + " refused the login: " + msg;
        }
        if ("3D000".equals(state)) {
            return at + ": " + msg;
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    /**
     * Creates the database named by {@code url} when it does not exist, connecting to the server's
     * {@code postgres} database. Safe when several processes race (a duplicate is ignored). On a managed
     * server where that is not allowed (no access to {@code postgres}, no CREATEDB), it only warns: the
     * database is then expected to exist, and the migration that follows says so clearly if it does not.
     *
     * @param url the database wanted
     * @return true when it was created now
     * @throws UnavailableException naming the variable of {@code url} when the server cannot be reached or refuses
     *                              the login
     */
    public static boolean ensureExists(DatabaseUrl url) {
        String db = url.database();
        if (!db.matches("[A-Za-z0-9_]+")) {
            throw new IllegalArgumentException("database name must be letters, digits and _: " + db);
        }
        try (Connection ignored = connect(url)) {
            return false;
        } catch (SQLException ex) {
            if (!"3D000".equals(ex.getSQLState())) {
                throw unavailable(url, ex); // not "no such database": unreachable, login refused, …
            }
            // the server answered that the database does not exist: try to create it
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

}
