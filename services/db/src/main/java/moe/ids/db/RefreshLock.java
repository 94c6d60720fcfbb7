package moe.ids.db;

import moe.ids.core.error.ConfigException;
import moe.ids.core.error.RefreshBusyException;
import moe.ids.core.error.UnavailableException;

import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Optional;

/**
 * The refresh lock of a database: a PostgreSQL advisory lock (released when its connection closes), held on a connection of its own for a
 * whole refresh, so two refreshes never scrape, merge or publish on one database at once (they broke each other's
 * crawls and change sets). A refresh or a merge (the local refresh's holder, the merger's {@code merge}, the
 * controller's merge step) takes it {@link Mode#EXCLUSIVE exclusive}; a scraper run takes it
 * {@link Mode#SHARED shared}, so the pods of one scraper Job run side by side but never beside a refresh or a
 * merge. The lock ends with its connection, so a refresh that dies (killed, connection lost) releases it.
 * <p>
 * A refresh made of separate programs ({@code bin/ids-moe refresh}: scraper, merger, ingestor) holds it in a
 * process of its own for all of its steps and names that session's PostgreSQL pid to them in
 * {@value #HOLDER_ENV}; a step {@linkplain #acquire(ConnectionSource, Mode, String, Duration, String) started so}
 * runs under its refresh's lock when that session does hold it exclusive, and takes the lock itself otherwise.
 */
public final class RefreshLock implements AutoCloseable {
    /** The key: "idsmoerf" — the project's name, as the migration lock uses, and "rf" — as a number. */
    public static final long KEY = 0x6964736d6f657266L;
    /**
     * The environment variable through which a refresh made of separate programs names the PostgreSQL pid of the
     * session holding its lock to its steps.
     */
    public static final String HOLDER_ENV = "IDS_MOE_REFRESH_LOCK_HOLDER";

    private static final System.Logger LOG = System.getLogger(RefreshLock.class.getName());
    private static final Duration POLL = Duration.ofSeconds(1);

    /** How the lock is held. */
    public enum Mode {
        /** Nothing else may hold it: a refresh (scrape, merge, publish) or a merge. */
        EXCLUSIVE,
        /** Others may hold it shared at the same time: one scraper of several. */
        SHARED
    }

    /** Opens the connection the lock lives on (a dedicated one, or one borrowed from a pool). */
    @FunctionalInterface
    public interface ConnectionSource {
        /**
         * @return a connection; the lock closes it when released
         * @throws SQLException when PostgreSQL cannot be reached
         */
        Connection open() throws SQLException;
    }

    /** The lock's own connection; null when the lock is its refresh's, held by another session. */
    private final Connection connection;
    private final Mode mode;
    private final String previousName;
    /** The PostgreSQL pid of the session holding the lock of the refresh this step is part of, or 0. */
    private final int refreshHolder;

    private RefreshLock(Connection connection, Mode mode, String previousName, int refreshHolder) {
        this.connection = connection;
        this.mode = mode;
        this.previousName = previousName;
        this.refreshHolder = refreshHolder;
    }

    /**
     * Takes the lock for one step of a refresh: when {@code holder} names a PostgreSQL session that holds the lock
     * exclusive on this database, the step is part of that session's refresh and runs under its lock (nothing is
     * taken); otherwise (no holder named, or that session does not hold it) as
     * {@link #acquire(ConnectionSource, Mode, String, Duration)}.
     *
     * @param source where the lock's connection comes from
     * @param mode   exclusive or shared, when the step takes the lock itself
     * @param what   what takes it (see {@link #acquire(ConnectionSource, Mode, String, Duration)})
     * @param wait   longest wait for a holder to finish; zero refuses at once
     * @param holder the value of {@value #HOLDER_ENV} (a PostgreSQL pid), or null when not set
     * @return the lock; close it to release it (the refresh's lock stays with its holder)
     * @throws RefreshBusyException when another refresh holds the lock (see
     *                              {@link #acquire(ConnectionSource, Mode, String, Duration)})
     * @throws UnavailableException when PostgreSQL fails
     * @throws ConfigException      when {@code holder} is not a pid
     */
    public static RefreshLock acquire(ConnectionSource source, Mode mode, String what, Duration wait, String holder) {
        if (holder == null || holder.isBlank()) {
            return acquire(source, mode, what, wait);
        }
        int pid;
        try {
            pid = Integer.parseInt(holder.strip());
        } catch (NumberFormatException ex) {
            throw new ConfigException(HOLDER_ENV + " must be the PostgreSQL pid of the session holding the refresh "
                    + "lock (got " + holder + ")");
        }
        try (Connection c = source.open()) {
            if (holdsExclusive(c, pid)) {
                LOG.log(System.Logger.Level.INFO, "refresh lock: held for this refresh by PostgreSQL pid {0}",
                        Integer.toString(pid));
                return new RefreshLock(null, Mode.EXCLUSIVE, null, pid);
            }
        } catch (SQLException ex) {
            throw new UnavailableException("cannot take the refresh lock: " + ex.getMessage(), ex);
        }
        LOG.log(System.Logger.Level.INFO, "refresh lock: PostgreSQL pid {0} ({1}) does not hold it; taking it",
                Integer.toString(pid), HOLDER_ENV);
        return acquire(source, mode, what, wait);
    }

    /**
     * Takes the lock, waiting up to {@code wait} while another refresh holds it.
     *
     * @param source where the lock's connection comes from
     * @param mode   exclusive or shared
     * @param what   what takes it, e.g. {@code merger refresh}; shown to a refresh that finds it held (as the
     *               connection's {@code application_name}, with this process's pid and host)
     * @param wait   longest wait for a holder to finish; zero refuses at once
     * @return the lock; close it to release it
     * @throws RefreshBusyException when another refresh still holds it after {@code wait}; the message names the
     *                              holder, e.g. {@code another refresh is running on this database (pid 4242 since
     *                              …: ids-moe merger refresh, pid 77 on host)}
     * @throws UnavailableException when PostgreSQL fails
     */
    public static RefreshLock acquire(ConnectionSource source, Mode mode, String what, Duration wait) {
        Connection c;
        try {
            c = source.open();
        } catch (SQLException ex) {
            throw new UnavailableException("cannot take the refresh lock: " + ex.getMessage(), ex);
        }
        String previous = null;
        try {
            previous = setName(c, holderName(what));
            long deadline = System.nanoTime() + wait.toNanos();
            boolean told = false;
            while (true) {
                if (tryLock(c, mode)) {
                    LOG.log(System.Logger.Level.DEBUG, "refresh lock taken ({0})", mode);
                    return new RefreshLock(c, mode, previous, 0);
                }
                Optional<String> holder = holder(c);
                if (holder.isEmpty() && tryLock(c, mode)) { // released between the two looks
                    return new RefreshLock(c, mode, previous, 0);
                }
                String who = holder.orElse("holder not visible to this user");
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new RefreshBusyException("another refresh is running on this database (" + who + ")"
                            + (wait.isZero() ? "" : "; waited " + wait.toSeconds() + " s") + "; try again when it ends");
                }
                if (!told) {
                    LOG.log(System.Logger.Level.INFO, "another refresh is running on this database ({0}); waiting up to "
                            + "{1} s for it to end", who, wait.toSeconds());
                    told = true;
                }
                Thread.sleep(Math.min(POLL.toMillis(), Math.max(1, left / 1_000_000)));
            }
        } catch (SQLException ex) {
            abort(c);
            throw new UnavailableException("cannot take the refresh lock: " + ex.getMessage(), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            abort(c);
            throw new UnavailableException("interrupted while waiting for the refresh lock", ex);
        } catch (RefreshBusyException ex) {
            try {
                setName(c, previous);
                c.close();
            } catch (SQLException closing) {
                abort(c);
            }
            throw ex;
        } catch (RuntimeException ex) {
            abort(c);
            throw ex;
        }
    }

    /**
     * @param c any connection to the database
     * @return who holds the lock, e.g. {@code pid 4242 since …: ids-moe merger refresh, pid 77 on
     *         host}, or empty when nobody (visible to this user) does
     * @throws SQLException when PostgreSQL fails
     */
    public static Optional<String> holder(Connection c) throws SQLException {
        String sql = "SELECT l.pid, a.backend_start, a.application_name FROM pg_locks l "
                + "LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
                + "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid = ?::bigint::oid "
                + "AND l.objid = ?::bigint::oid AND l.pid <> pg_backend_pid() "
                + "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                + "ORDER BY a.backend_start NULLS LAST LIMIT 1";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, KEY >>> 32);
            ps.setLong(2, KEY & 0xffff_ffffL);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Timestamp since = rs.getTimestamp(2);
                String app = rs.getString(3);
                return Optional.of("pid " + rs.getInt(1) + (since == null ? "" : " since " + since.toInstant())
                        + (app == null || app.isBlank() ? "" : ": " + app));
            }
        }
    }

    /**
     * @return the PostgreSQL pid of the session holding this lock: this lock's connection, or the holder of the
     *         refresh whose lock this step runs under (what to name in {@value #HOLDER_ENV})
     * @throws UnavailableException when PostgreSQL fails
     */
    public int holderPid() {
        if (connection == null) {
            return refreshHolder;
        }
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException ex) {
            throw new UnavailableException("PostgreSQL: " + ex.getMessage(), ex);
        }
    }

    /** Releases the lock and closes (or gives back) its connection; a refresh's lock stays with its holder. */
    @Override
    public void close() {
        if (connection == null) {
            return;
        }
        try (Statement st = connection.createStatement()) {
            st.execute(mode == Mode.SHARED ? "SELECT pg_advisory_unlock_shared(" + KEY + ")"
                    : "SELECT pg_advisory_unlock(" + KEY + ")");
            setName(connection, previousName);
            connection.close();
        } catch (SQLException ex) {
            // the connection is broken, and with it the lock is gone; make sure a pool does not keep it
            LOG.log(System.Logger.Level.DEBUG, "releasing the refresh lock failed: " + ex.getMessage());
            abort(connection);
        }
    }

    /** True when the session {@code pid} holds the lock exclusive on the database of {@code c}. */
    private static boolean holdsExclusive(Connection c, int pid) throws SQLException {
        String sql = "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND mode = 'ExclusiveLock' "
                + "AND objsubid = 1 AND classid = ?::bigint::oid AND objid = ?::bigint::oid AND pid = ? "
                + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, KEY >>> 32);
            ps.setLong(2, KEY & 0xffff_ffffL);
            ps.setInt(3, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean tryLock(Connection c, Mode mode) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(mode == Mode.SHARED
                ? "SELECT pg_try_advisory_lock_shared(" + KEY + ")" : "SELECT pg_try_advisory_lock(" + KEY + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Sets {@code application_name}, returning the previous one (restored when a pooled connection goes back). */
    private static String setName(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT current_setting('application_name'), set_config('application_name', ?, false)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String holderName(String what) {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException ex) {
                host = "?";
            }
        }
        String name = "ids-moe " + what + ", pid " + ProcessHandle.current().pid() + " on " + host;
        return name.length() <= 63 ? name : name.substring(0, 63); // PostgreSQL keeps 63 bytes
    }

    private static void abort(Connection c) {
        try {
            c.abort(Runnable::run);
        } catch (SQLException | RuntimeException ignored) {
            // already gone
        }
    }
}
