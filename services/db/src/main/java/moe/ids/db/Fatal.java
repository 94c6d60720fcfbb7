package moe.ids.db;

import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.error.IdsMoeException;
import moe.ids.core.error.RefreshBusyException;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * How a command-line entry point ends on an error it cannot handle: one line at ERROR saying why (naming the
 * variable when PostgreSQL cannot be reached, e.g. {@code DATABASE_URL: PostgreSQL at 127.0.0.1:5999 did not
 * answer within 10 s}), the stack trace only at DEBUG, and the documented exit code.
 */
public final class Fatal {
    /** Exit code of a fatal error. */
    public static final int EXIT = 1;

    private Fatal() {
    }

    /**
     * Logs the failure and picks the exit code.
     *
     * @param log  the entry point's logger
     * @param what what failed, the line's prefix (e.g. {@code refresh})
     * @param ex   the failure
     * @param db   the PostgreSQL the command used, or null when not known yet
     * @return {@link RefreshBusyException#EXIT} when another refresh holds the database, else {@link #EXIT}
     */
    public static int report(System.Logger log, String what, Throwable ex, DatabaseUrl db) {
        log.log(System.Logger.Level.ERROR, what + ": " + reason(ex, db));
        log.log(System.Logger.Level.DEBUG, "stack trace of the failure above", ex);
        return ex instanceof RefreshBusyException ? RefreshBusyException.EXIT : EXIT;
    }

    /**
     * @param ex a failure
     * @param db the PostgreSQL in use, or null
     * @return one line saying why: PostgreSQL being unreachable (naming its variable), else the message of the
     *         outermost project exception in the chain (written for people), else the innermost cause's type and
     *         message
     */
    public static String reason(Throwable ex, DatabaseUrl db) {
        if (db != null) {
            var line = Database.explain(db, ex);
            if (line.isPresent()) {
                return line.get();
            }
        }
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Throwable root = ex;
        for (Throwable e = ex; e != null && seen.add(e); e = e.getCause()) {
            if (e instanceof IdsMoeException && e.getMessage() != null) {
                return oneLine(e.getMessage());
            }
            root = e;
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + oneLine(root.getMessage()));
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
