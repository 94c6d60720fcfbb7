package moe.ids.core.config;

import io.helidon.config.Config;
import moe.ids.core.error.ConfigException;

import java.time.Duration;

/**
 * How long a service waits for PostgreSQL ({@code database.*-timeout-seconds}); every connection of the project
 * gets them ({@code moe.ids.db.Database}). The server cancels a statement at the statement timeout, so the
 * socket timeout only has to catch a server that stopped answering altogether: it must be longer than the
 * statement timeout, or the client would drop a query the server is still legitimately running.
 *
 * @param connect   TCP connect ({@code connectTimeout} of the driver)
 * @param login     connect, TLS and login together ({@code loginTimeout}): the bound when the server accepts the
 *                  connection and then says nothing
 * @param statement one statement on the server ({@code statement_timeout}); zero = no limit
 * @param socket    one read from the server ({@code socketTimeout}); zero = no limit
 * @param pool      longest wait for a connection of a service's pool ({@code connectionTimeout} of HikariCP)
 */
public record DatabaseTimeouts(Duration connect, Duration login, Duration statement, Duration socket, Duration pool) {
    /** The defaults of the scraper and the ingestor: 10 s to connect and log in, 5 min per statement. */
    public static final DatabaseTimeouts DEFAULT = new DatabaseTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10),
            Duration.ofMinutes(5), Duration.ofMinutes(6), Duration.ofSeconds(30));

    /**
     * @throws ConfigException when the socket timeout does not outlast the statement timeout
     */
    public DatabaseTimeouts {
        if (connect.isNegative() || login.isNegative() || statement.isNegative() || socket.isNegative()
                || pool.isNegative()) {
            throw new ConfigException("database.*-timeout-seconds must not be negative");
        }
        if (!socket.isZero() && (statement.isZero() || socket.compareTo(statement) <= 0)) {
            throw new ConfigException("database.socket-timeout-seconds (" + socket.toSeconds()
                    + ") must be longer than database.statement-timeout-seconds (" + statement.toSeconds()
                    + ", 0 = no limit), or 0: else the client gives up on a statement the server is still running");
        }
    }

    /**
     * @param config root config
     * @param base   the defaults of the service
     * @return {@code database.connect-timeout-seconds}, {@code login-…}, {@code statement-…}, {@code socket-…} and
     *         {@code pool-timeout-seconds}, each defaulting to {@code base}
     * @throws ConfigException when one is not a whole number of seconds in range
     */
    public static DatabaseTimeouts from(Config config, DatabaseTimeouts base) {
        return new DatabaseTimeouts(
                seconds(config, "connect", base.connect(), 1, 600),
                seconds(config, "login", base.login(), 1, 600),
                seconds(config, "statement", base.statement(), 0, 86_400),
                seconds(config, "socket", base.socket(), 0, 90_000),
                seconds(config, "pool", base.pool(), 1, 3_600));
    }

    private static Duration seconds(Config config, String name, Duration fallback, int min, int max) {
        return Duration.ofSeconds(Settings.intIn(config, "database." + name + "-timeout-seconds",
                (int) fallback.toSeconds(), min, max));
    }

    @Override
    public String toString() {
        return "connect " + connect.toSeconds() + " s, login " + login.toSeconds() + " s, statement "
                + statement.toSeconds() + " s, socket " + socket.toSeconds() + " s, pool " + pool.toSeconds() + " s";
    }
}
