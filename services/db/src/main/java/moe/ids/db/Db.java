package moe.ids.db;

import com.zaxxer.hikari.HikariDataSource;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbStatements;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import io.helidon.dbclient.jdbc.JdbcConnectionPool;
import io.helidon.dbclient.jdbc.JdbcParametersConfig;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.health.ReadinessCheck;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A service's PostgreSQL: a Helidon {@link DbClient} (JDBC provider) whose connection pool is HikariCP
 * ({@link HikariConnectionPool}, built by {@link Database#pool} with the timeouts of the {@code DATABASE_URL}), the
 * {@link JdbcEscapeHatch} into the same pool, and a readiness check. Close it on shutdown (closes the pool).
 * <p>
 * Statements are named in configuration, as Helidon's examples do: every module that talks to PostgreSQL ships
 * {@value #STATEMENTS} with a {@code statements} node (name → SQL), and the client knows the statements of all of
 * them on the class path. A name defined twice is an error, so one module cannot silently change another's SQL.
 */
public final class Db implements AutoCloseable {
    /** Where each module keeps its named statements (class path resource). */
    public static final String STATEMENTS = "META-INF/ids-moe/db-statements.yaml";
    /** The named statement the readiness check runs. */
    public static final String PING = "ping";

    private final HikariConnectionPool pool;
    private final DbClient client;
    private final JdbcEscapeHatch escapeHatch;

    private Db(HikariConnectionPool pool) {
        this.pool = pool;
        this.client = client(pool);
        this.escapeHatch = new JdbcEscapeHatch(pool);
    }

    private static DbClient client(JdbcConnectionPool pool) {
        return JdbcClientBuilder.create()
                .statements(statements())
                // bind String and byte[] as the driver's setString / setBytes (the defaults stream values above 1 KiB)
                .parametersSetter(JdbcParametersConfig.builder().useStringBinding(false).useByteArrayBinding(false)
                        .build())
                .connectionPool(pool)
                .build();
    }

    /**
     * Opens the pool ({@link Database#pool}: it connects now, so an unreachable server fails here) and the client.
     *
     * @param url     where
     * @param name    pool name (shows in logs and metrics)
     * @param maxSize largest pool size
     * @return the database; close it on shutdown
     * @throws moe.ids.core.error.UnavailableException naming the variable of {@code url} when PostgreSQL cannot be
     *                                                 reached
     */
    public static Db open(DatabaseUrl url, String name, int maxSize) {
        return new Db(new HikariConnectionPool(Database.pool(url, name, maxSize)));
    }

    /**
     * A client over a pool opened elsewhere (tests that also read the tables directly); closing the client closes it.
     *
     * @param pool a pool from {@link Database#pool}
     * @return the database
     */
    public static Db over(HikariDataSource pool) {
        return new Db(new HikariConnectionPool(pool));
    }

    /**
     * A DB Client, with the named statements, over a pool that stays its owner's (closing the client leaves it open):
     * for tests and callers that hold a pool from {@link Database#pool} and no {@code Db}.
     *
     * @param pool a pool from {@link Database#pool}
     * @return the client
     */
    public static DbClient clientOver(DataSource pool) {
        return client(() -> {
            try {
                return pool.getConnection();
            } catch (SQLException ex) {
                throw new DbClientException("no connection from the pool: " + ex.getMessage(), ex);
            }
        });
    }

    /**
     * @return the DB Client; its named statements are those of {@value #STATEMENTS}
     */
    public DbClient client() {
        return client;
    }

    /**
     * @return raw connections from the same pool, for what DB Client cannot express (see {@link JdbcEscapeHatch})
     */
    public JdbcEscapeHatch escapeHatch() {
        return escapeHatch;
    }

    /**
     * A readiness check that runs the named statement {@value #PING} through the DB Client, as Helidon's
     * {@code DbClientHealthCheck} does with a named query (that module is not used here); DOWN with the error when
     * no connection can be had or the statement fails.
     *
     * @param name check name
     * @return the check
     */
    public ReadinessCheck readiness(String name) {
        return new ReadinessCheck(name, () -> client.execute().namedGet(PING).isPresent());
    }

    /** Closes the client and its pool. */
    @Override
    public void close() {
        client.close();
    }

    /**
     * The named statements of every module on the class path, each name once. The same file may be found twice (a
     * module's jar and a copy of it in another module's {@code libs/}, both on a test class path): a name given the
     * same SQL again is that copy; a name given other SQL is refused.
     */
    static DbStatements statements() {
        return statements(Db.class.getClassLoader());
    }

    static DbStatements statements(ClassLoader loader) {
        Map<String, String> all = new TreeMap<>();
        Map<String, URL> from = new TreeMap<>();
        try {
            for (URL url : Collections.list(loader.getResources(STATEMENTS))) {
                Config config = Config.just(ConfigSources.url(url).mediaType(MediaTypes.APPLICATION_X_YAML));
                Map<String, String> named = config.get("statements").detach().asMap().orElse(Map.of());
                named.forEach((key, sql) -> {
                    URL before = from.putIfAbsent(key, url);
                    if (before != null && !before.equals(url) && !sql.equals(all.get(key))) {
                        throw new IllegalStateException("statement " + key + " is named in both " + before
                                + " and " + url);
                    }
                    all.put(key, sql);
                });
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot list " + STATEMENTS, ex);
        }
        DbStatements.Builder b = DbStatements.builder();
        all.forEach(b::addStatement);
        return b.build();
    }
}
