package moe.ids.db;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The one way around Helidon DB Client: a raw JDBC connection from the <em>same</em> HikariCP pool the service's
 * {@link io.helidon.dbclient.DbClient} uses (same timeouts, same size limit, same metrics). It exists because DB
 * Client runs each statement on a connection it picks and releases itself and offers no access to the driver
 * beneath, so it cannot express:
 * <ul>
 *     <li>a {@code REPEATABLE READ}, read-only transaction read through a cursor (fetch size): DB Client can set
 *     neither. Caller: the ingestor's {@code moe.ids.ingestor.Outbox#published} (full resync).</li>
 *     <li>pgjdbc {@code COPY … FROM STDIN} ({@link OutboxWriter#copy}), which needs {@code PGConnection} and must run in
 *     the same transaction as the statements around it ({@link OutboxWriter#write}).</li>
 *     <li>the session-scoped advisory lock of {@link RefreshLock}, which lives exactly as long as the one connection
 *     the lock keeps for the whole refresh.</li>
 * </ul>
 * The last two are used today by the merger ({@code PublishedStore.publish / load / identity},
 * {@code PostgresBackend.merge}), which has not moved to DB Client yet and still takes connections from its pool
 * directly; when it moves, those are the calls that come through here (see {@code DESIGN.md} beside this class).
 * {@code LISTEN/NOTIFY} listening (the ingestor's {@code Ingestor}) does not come through here: it keeps one
 * dedicated connection outside any pool ({@link Database#connect}), as do the refresh lock of the command-line
 * steps and the migrations.
 */
public final class JdbcEscapeHatch {
    private final HikariConnectionPool pool;

    JdbcEscapeHatch(HikariConnectionPool pool) {
        this.pool = pool;
    }

    /**
     * @return a pooled connection (auto-commit on); close it to give it back
     * @throws SQLException when none can be had within the pool timeout
     */
    public Connection connection() throws SQLException {
        return pool.rawConnection();
    }
}
