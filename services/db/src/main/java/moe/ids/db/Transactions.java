package moe.ids.db;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbTransaction;

import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Running work in one DB Client transaction, and reading its failures the way plain JDBC code did.
 */
public final class Transactions {
    private Transactions() {
    }

    /**
     * Runs {@code work} in one transaction: commits when it returns, rolls back when it throws (and rethrows).
     *
     * @param db   the client
     * @param work the statements, on the transaction
     * @param <T>  result type
     * @return what {@code work} returned
     * @throws DbClientException when a statement or the commit fails (cause: the driver's {@link SQLException})
     */
    public static <T> T inTransaction(DbClient db, Function<DbTransaction, T> work) {
        DbTransaction tx = db.transaction();
        T result;
        try {
            result = work.apply(tx);
        } catch (RuntimeException | Error ex) {
            rollback(tx, ex);
            throw ex;
        }
        tx.commit();
        return result;
    }

    /**
     * {@link #inTransaction(DbClient, Function)} without a result.
     *
     * @param db   the client
     * @param work the statements
     */
    public static void run(DbClient db, Consumer<DbTransaction> work) {
        inTransaction(db, tx -> {
            work.accept(tx);
            return null;
        });
    }

    /**
     * A failed statement of a DB Client transaction has already given its connection back (the pool rolled it
     * back), so rolling back can fail too; that failure is kept as suppressed, never thrown over the first.
     */
    private static void rollback(DbTransaction tx, Throwable cause) {
        try {
            tx.rollback();
        } catch (RuntimeException ex) {
            cause.addSuppressed(ex);
        }
    }

    /**
     * @param ex a failure of DB Client
     * @return the outermost {@link SQLException} in its chain (what plain JDBC code caught), if any
     */
    public static Optional<SQLException> sqlCause(Throwable ex) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable e = ex; e != null && seen.add(e); e = e.getCause()) {
            if (e instanceof SQLException sql) {
                return Optional.of(sql);
            }
        }
        return Optional.empty();
    }

    /**
     * The message plain JDBC code put after {@code "PostgreSQL: "}: the driver's, when DB Client wraps one.
     *
     * @param ex a failure of DB Client
     * @return the message of its {@link SQLException}, else its own
     */
    public static String message(Throwable ex) {
        return sqlCause(ex).map(Throwable::getMessage).orElse(ex.getMessage());
    }
}
