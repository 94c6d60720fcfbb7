package moe.ids.db;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The one way around Helidon DB Client: a raw JDBC connection from the <em>same</em> HikariCP pool the service's
 * {@link io.helidon.dbclient.DbClient} uses (same timeouts, same size limit, same metrics). It exists because DB
 * Client runs each statement on a connection it picks and releases itself and offers no access to the driver
 * beneath, so it cannot express:
 * <ul>
 *     <li>reading a large table through a cursor (a fetch size, which pgjdbc honours only outside auto-commit), and a
 *     read-only {@code REPEATABLE READ} transaction where one snapshot must cover several tables: DB Client can set
 *     none of these. Callers: the ingestor's {@code moe.ids.ingestor.Outbox#published} (full resync: both), the
 *     merger's {@code PublishedStore.load} (the published state: both) and {@code PublishedStore.identity} (the
 *     identity keys: the cursor).</li>
 *     <li>pgjdbc {@code COPY … FROM STDIN} ({@link OutboxWriter#copy}), which needs {@code PGConnection} and must run in
 *     the same transaction as the statements around it ({@link OutboxWriter#write}). Caller: the merger's
 *     {@code PublishedStore.publish}, which runs the whole publish (its advisory lock, the version check,
 *     {@link OutboxWriter#write} and the {@code COPY} of the identity keys) on one such connection.</li>
 *     <li>the session-scoped advisory lock of {@link RefreshLock}, which lives exactly as long as the one connection
 *     the lock keeps for the whole merge. Caller: the merger's {@code PostgresBackend.merge} (the controller's merge
 *     step).</li>
 * </ul>
 * Nothing else comes through here (see {@code DESIGN.md} beside this class). {@code LISTEN/NOTIFY} listening (the
 * ingestor's {@code Ingestor}) does not either: it keeps one dedicated connection outside any pool
 * ({@link Database#connect}), as do the refresh lock of the command-line steps and the migrations.
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
