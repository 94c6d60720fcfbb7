package moe.ids.merger;

import io.helidon.config.Config;
import moe.ids.core.snapshot.StepGate;
import moe.ids.db.Database;
import moe.ids.db.Db;
import moe.ids.db.Fatal;
import moe.ids.db.Migrations;
import moe.ids.db.RefreshLock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * {@code refresh lock}: holds the database's {@link RefreshLock} for a refresh made of separate programs
 * ({@code bin/ids-moe refresh}), so that the scrape and the merge of one refresh run as one, never beside another
 * refresh. Creates the database when missing and applies the schema, takes the lock exclusive (while another
 * refresh holds it, waiting up to {@code merger.refresh-lock-wait-seconds}, then refusing), prints
 * {@code IDS_MOE_REFRESH_LOCK_HOLDER=<pid>} on standard output (the PostgreSQL pid of the session holding it, what
 * the launcher passes on to the steps in {@value RefreshLock#HOLDER_ENV}) and holds it until its standard input
 * ends: the launcher closes it when the merge is done, and a launcher that dies closes it too.
 *
 * <p>Meanwhile it is also the refresh's merge step: each line {@code merge [--source NAME]... [--force]} on its
 * standard input runs one merge under the lock it holds, as {@code merge} would ({@link MergeCommand}), and writes
 * that merge's exit code to the file {@value StepGate#RESULT_ENV} names. The holder is a merger already started,
 * with its pool open, so a refresh boots one JVM less and its merge starts the moment the scrape ends, where a merge
 * program of its own would compete with the scrape for the CPU while it boots and could still be booting when a
 * quick scrape ends. Any other line is logged and ignored. Exit code 0 after releasing the lock, 75 when another
 * refresh holds the database (one line naming the holder; nothing was changed), 1 with one line saying why
 * otherwise.
 */
final class RefreshLockCommand {
    private static final System.Logger LOG = System.getLogger(RefreshLockCommand.class.getName());

    private RefreshLockCommand() {
    }

    /**
     * @param config root config
     * @param cfg    merger settings
     * @param in     held until it ends (the process's standard input), read for merge requests
     * @param out    where the holder's pid is printed (the process's standard output)
     * @param result the value of {@value StepGate#RESULT_ENV}: where a requested merge's exit code is written, or
     *               null
     * @return process exit code
     */
    static int run(Config config, MergerConfig cfg, InputStream in, PrintStream out, String result) {
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
                // opened and warmed up while the scrape runs, for the merge the refresh asks for after it
                try (Db db = Db.open(cfg.database(), "merge", 4)) {
                    MergeCommand.warmUp(cfg, db);
                    serve(cfg, db, in, result);
                }
            }
            return 0;
        } catch (RuntimeException ex) {
            return Fatal.report(LOG, "refresh", ex, cfg.database());
        }
    }

    /** Runs the merges asked for on {@code in}, under the held lock, until it ends. */
    private static void serve(MergerConfig cfg, Db db, InputStream in, String result) {
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        while (true) {
            String line;
            try {
                line = lines.readLine();
            } catch (IOException ex) {
                LOG.log(System.Logger.Level.DEBUG, "standard input failed: " + ex.getMessage());
                return;
            }
            if (line == null) {
                return;
            }
            List<String> words = Arrays.asList(line.strip().split("\\s+"));
            if (words.getFirst().equals("merge")) {
                StepGate.report(MergeCommand.runHeld(cfg, db, words.subList(1, words.size())), result);
            } else if (!line.isBlank()) {
                LOG.log(System.Logger.Level.WARNING, "refresh lock: {0} is not understood (use merge [--source "
                        + "NAME]... [--force]); ignored", line.strip());
            }
        }
    }
}
