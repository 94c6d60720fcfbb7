package moe.ids.merger;

import io.helidon.config.Config;
import moe.ids.core.config.Settings;
import moe.ids.core.error.BadRequestException;
import moe.ids.core.error.IdsMoeException;
import moe.ids.core.snapshot.RunArgs;
import moe.ids.core.snapshot.SourceNames;
import moe.ids.core.snapshot.StepGate;
import moe.ids.db.Database;
import moe.ids.db.Db;
import moe.ids.db.Fatal;
import moe.ids.db.Migrations;
import moe.ids.db.RefreshLock;
import moe.ids.db.snapshot.SnapshotReader;

import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code merge [--source NAME]... [--force]}: one merge in the foreground, the merger's step of the local refresh
 * ({@code bin/ids-moe refresh} runs the scraper, this command and the ingestor's one-shot sync as separate
 * programs, as the Refresh controller runs its steps on Kubernetes). It merges every source's last good snapshot
 * and publishes the change set ({@link MergeService}) under the database's {@link RefreshLock}: the lock of the
 * refresh it is a step of when {@value RefreshLock#HOLDER_ENV} names that refresh's holder, else its own
 * (exclusive; while another refresh holds it, it waits up to {@code merger.refresh-lock-wait-seconds}, then
 * refuses). The named sources (all when none is named) are those the scrape before it fetched: when the latest
 * attempt of every one of them that was ever attempted failed, nothing is merged. A merge whose inputs are those of
 * the last completed merge is skipped ({@link MergeService}). {@code --force} merges even then and publishes a change
 * set that deletes more than the allowed share. Exit code 0 on success, 3 when the latest attempt of some of the
 * named sources failed (their last good snapshots were merged), 75 when another refresh holds the database
 * (nothing was changed), 64 on a bad argument, 1 with one line saying why otherwise.
 */
final class MergeCommand {
    private static final System.Logger LOG = System.getLogger(MergeCommand.class.getName());

    private MergeCommand() {
    }

    /**
     * @param config root config
     * @param cfg    merger settings
     * @param args   {@code [--source NAME]... [--force]}
     * @param holder the value of {@value RefreshLock#HOLDER_ENV}, or null
     * @param gate   the value of {@value StepGate#ENV}, or null: with {@code stdin}, the merge waits for its turn
     *               on {@code in} once it is started up (schema checked, pool open), then takes or joins the lock
     *               (the turn may name the holder), and ends with 0 when not given its turn
     * @param in     standard input
     * @return process exit code
     */
    static int run(Config config, MergerConfig cfg, List<String> args, String holder, String gate, InputStream in) {
        Request request = Request.parse(args);
        if (request == null) {
            return 64;
        }
        try {
            Database.ensureExists(cfg.database());
            Migrations.migrate(cfg.database());
            try (Db db = Db.open(cfg.database(), "merge", 4)) {
                StepGate.Turn turn = StepGate.await("merge", gate, in);
                if (!turn.go()) {
                    return 0;
                }
                try (RefreshLock lock = RefreshLock.acquire(() -> Database.connect(cfg.database()),
                        RefreshLock.Mode.EXCLUSIVE, "merger merge", lockWait(config), turn.holder(holder))) {
                    return merge(db, cfg, request.sources(), request.force());
                }
            }
        } catch (RuntimeException ex) {
            return Fatal.report(LOG, "merge", ex, cfg.database());
        }
    }

    /**
     * A merge that starts its work at once ({@code run} without a gate).
     *
     * @param config root config
     * @param cfg    merger settings
     * @param args   {@code [--source NAME]... [--force]}
     * @param holder the value of {@value RefreshLock#HOLDER_ENV}, or null
     * @return process exit code
     */
    static int run(Config config, MergerConfig cfg, List<String> args, String holder) {
        return run(config, cfg, args, holder, null, InputStream.nullInputStream());
    }

    /**
     * One merge under the refresh lock its caller holds ({@link RefreshLockCommand}): the exit codes of
     * {@code run}, 75 apart.
     *
     * @param cfg  merger settings
     * @param db   the merger's database client
     * @param args {@code [--source NAME]... [--force]}
     * @return exit code
     */
    static int runHeld(MergerConfig cfg, Db db, List<String> args) {
        Request request = Request.parse(args);
        if (request == null) {
            return 64;
        }
        try {
            return merge(db, cfg, request.sources(), request.force());
        } catch (RuntimeException ex) {
            return Fatal.report(LOG, "merge", ex, cfg.database());
        }
    }

    /**
     * The read-only start of a merge run once, its results dropped: the latest results of every source, the
     * inputs' fingerprint with the merge code's identity, the last merge. Run by the refresh's lock holder while the
     * scrape runs, it loads the classes, statements and code identity a merge needs then rather than after the scrape
     * (in a refresh with nothing changed, where the merge is skipped, that start was most of the merge step). Never
     * fails: a problem here is the merge's to report.
     *
     * @param cfg merger settings
     * @param db  the merger's database client
     */
    static void warmUp(MergerConfig cfg, Db db) {
        try {
            latestResults(db, SourceNames.ALL);
            new MergeService(db, cfg.mergeSettings(), cfg.maxDeleteShare()).warmUp();
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.DEBUG, "merge warm-up: " + ex);
        }
    }

    /** Merge and publish, under the refresh lock. */
    private static int merge(Db db, MergerConfig cfg, List<String> sources, boolean force) {
        Map<String, String> latest = latestResults(db, sources);
        long failed = latest.values().stream().filter("Failed"::equals).count();
        boolean changed = latest.values().stream().anyMatch("Changed"::equals);
        if (!latest.isEmpty() && failed == latest.size()) {
            throw new IdsMoeException("every source failed; nothing to merge");
        }
        LOG.log(System.Logger.Level.INFO, "merge: sources={0} force={1}",
                sources.size() == SourceNames.ALL.size() ? "all" : sources, force);
        MergeService.Outcome merged = new MergeService(db, cfg.mergeSettings(), cfg.maxDeleteShare()).run(force);
        LOG.log(System.Logger.Level.INFO, "merge: {0} sources ({1} failed, {2}), version {3} {4}", sources.size(),
                failed, changed ? "some changed" : "none changed", merged.version(), merged.published() ? "published"
                        : merged.skipped() ? "unchanged (merge skipped: " + MergeService.SKIPPED_REASON + ")"
                        : "unchanged");
        return failed > 0 ? 3 : 0;
    }

    /** The result of each source's latest scrape attempt, for the sources ever attempted. */
    private static Map<String, String> latestResults(Db db, List<String> sources) {
        SnapshotReader snapshots = new SnapshotReader(db.client());
        Map<String, String> latest = new LinkedHashMap<>();
        for (String source : sources) {
            snapshots.lastResult(source).ifPresent(result -> latest.put(source, result));
        }
        return latest;
    }

    /** A merge's arguments: the named sources (every source when none is named) and {@code --force}. */
    private record Request(List<String> sources, boolean force) {
        /** The arguments parsed, or null after logging why they are bad. */
        static Request parse(List<String> args) {
            try {
                RunArgs parsed = RunArgs.parse(args);
                return new Request(SourceNames.select(parsed.sources()), parsed.force());
            } catch (BadRequestException ex) {
                LOG.log(System.Logger.Level.ERROR, "merge: {0}; usage: merge {1}", ex.getMessage(), RunArgs.USAGE);
                return null;
            }
        }
    }

    /**
     * @param config root config
     * @return how long a refresh or a merge waits for another refresh on the same database before refusing
     *         ({@code merger.refresh-lock-wait-seconds}, default 0: refuse at once)
     */
    static Duration lockWait(Config config) {
        return Duration.ofSeconds(Settings.intIn(config, "merger.refresh-lock-wait-seconds", 0, 0, 86_400));
    }
}
