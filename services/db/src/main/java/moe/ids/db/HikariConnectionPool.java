package moe.ids.db;

import com.zaxxer.hikari.HikariDataSource;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.jdbc.CloseableJdbcConnectionPool;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The JDBC provider's connection pool ({@link io.helidon.dbclient.jdbc.JdbcConnectionPool}, handed to
 * {@link io.helidon.dbclient.jdbc.JdbcClientBuilder#connectionPool}) backed by a HikariCP pool from
 * {@link Database#pool}, so every connection DB Client uses carries the timeouts of the {@code DATABASE_URL}
 * ({@link moe.ids.core.config.DatabaseTimeouts}). Closing the DB Client closes the pool.
 */
final class HikariConnectionPool implements CloseableJdbcConnectionPool {
    private final HikariDataSource pool;

    HikariConnectionPool(HikariDataSource pool) {
        this.pool = pool;
    }

    /**
     * @return a pooled connection; closing it gives it back
     * @throws DbClientException caused by the driver's {@link SQLException} when none can be had within the pool
     *                           timeout (so {@link Database#explain} still finds what went wrong)
     */
    @Override
    public Connection connection() {
        try {
            return pool.getConnection();
        } catch (SQLException ex) {
            throw new DbClientException("no connection from pool " + pool.getPoolName() + ": " + ex.getMessage(), ex);
        }
    }

    /** The escape hatch's way in: the same pool, with its checked exception. */
    Connection rawConnection() throws SQLException {
        return pool.getConnection();
    }

    HikariDataSource dataSource() {
        return pool;
    }

    @Override
    public String dbType() {
        return "jdbc:postgresql";
    }

    @Override
    public String name() {
        return pool.getPoolName();
    }

    @Override
    public String type() {
        return "hikari";
    }

    @Override
    public void close() {
        pool.close();
    }
}
