package moe.ids.db;

import moe.ids.core.config.DatabaseUrl;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * Waits for {@code NOTIFY}s on one channel over a dedicated connection outside the pool (DB Client has no LISTEN,
 * and a pooled connection would lose the subscription when returned). The connection is opened on first use and
 * again after a failure; {@link #close()} may be called from another thread to end a wait.
 */
public final class Listener implements AutoCloseable {
    private final DatabaseUrl url;
    private final String channel;
    private volatile Connection connection;

    /**
     * @param url     where to listen
     * @param channel the channel, a plain identifier
     */
    public Listener(DatabaseUrl url, String channel) {
        if (!channel.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("channel must be a plain identifier: " + channel);
        }
        this.url = url;
        this.channel = channel;
    }

    /**
     * @param atMost how long to wait
     * @return the payload of the last notification that arrived, or empty when none did in time
     * @throws SQLException when the connection cannot be opened or fails (it is closed; the next call reopens it)
     */
    public Optional<String> await(Duration atMost) throws SQLException {
        try {
            PGNotification[] got = listening().unwrap(PGConnection.class).getNotifications((int) atMost.toMillis());
            return got == null || got.length == 0 ? Optional.empty() : Optional.ofNullable(got[got.length - 1]
                    .getParameter());
        } catch (SQLException ex) {
            close();
            throw ex;
        }
    }

    private Connection listening() throws SQLException {
        Connection c = connection;
        if (c == null || c.isClosed()) {
            c = Database.connect(url);
            try (Statement st = c.createStatement()) {
                st.execute("LISTEN " + channel);
            }
            connection = c;
        }
        return c;
    }

    /** Closes the connection (a wait in progress ends with an exception). */
    @Override
    public void close() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
    }
}
