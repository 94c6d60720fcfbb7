package moe.ids.merger;

import io.helidon.config.Config;
import moe.ids.db.Database;
import moe.ids.db.Fatal;
import moe.ids.db.Migrations;
import moe.ids.db.RefreshLock;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * {@code refresh lock}: holds the database's {@link RefreshLock} for a refresh made of separate programs
 * ({@code bin/ids-moe refresh}), so that the scrape and the merge of one refresh run as one, never beside another
 * refresh. Creates the database when missing and applies the schema, takes the lock exclusive (while another
 * refresh holds it, waiting up to {@code merger.refresh-lock-wait-seconds}, then refusing), prints
 * {@code IDS_MOE_REFRESH_LOCK_HOLDER=<pid>} on standard output (the PostgreSQL pid of the session holding it, what
 * the launcher passes on to the steps in {@value RefreshLock#HOLDER_ENV}) and holds it until its standard input
 * ends: the launcher closes it when the merge is done, and a launcher that dies closes it too. Exit code 0 after
 * releasing it, 75 when another refresh holds the database (one line naming the holder; nothing was changed), 1
 * with one line saying why otherwise.
 */
final class RefreshLockCommand {
    private static final System.Logger LOG = System.getLogger(RefreshLockCommand.class.getName());

    private RefreshLockCommand() {
    }

    /**
     * @param config root config
     * @param cfg    merger settings
     * @param in     held until it ends (the process's standard input)
     * @param out    where the holder's pid is printed (the process's standard output)
     * @return process exit code
     */
    static int run(Config config, MergerConfig cfg, InputStream in, PrintStream out) {
        try {
            Database.ensureExists(cfg.database());
            Migrations.migrate(cfg.database());
            try (RefreshLock lock = RefreshLock.acquire(() -> Database.connect(cfg.database()),
                    RefreshLock.Mode.EXCLUSIVE, "merger refresh", MergeCommand.lockWait(config))) {
                int pid = lock.holderPid();
                LOG.log(System.Logger.Level.INFO, "refresh lock held by PostgreSQL pid {0} until the refresh ends",
                        Integer.toString(pid));
                out.println(RefreshLock.HOLDER_ENV + "=" + pid);
                out.flush();
                try {
                    in.transferTo(OutputStream.nullOutputStream());
                } catch (IOException ex) {
                    LOG.log(System.Logger.Level.DEBUG, "standard input failed: " + ex.getMessage());
                }
            }
            return 0;
        } catch (RuntimeException ex) {
            return Fatal.report(LOG, "refresh", ex, cfg.database());
        }
    }
}
