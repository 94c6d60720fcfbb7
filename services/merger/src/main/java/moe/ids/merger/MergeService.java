package moe.ids.merger;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbRow;
import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.core.error.IdsMoeException;
import moe.ids.core.error.UnavailableException;
import moe.ids.db.Db;
import moe.ids.db.OutboxWriter;
import moe.ids.db.Transactions;
import moe.ids.db.snapshot.SnapshotReader;
import moe.ids.merger.merge.MergeInputs;
import moe.ids.merger.merge.MergeReport;
import moe.ids.merger.merge.MergeSettings;
import moe.ids.merger.merge.Merger;
import moe.ids.merger.publish.Differ;
import moe.ids.merger.publish.IdentityResolver;
import moe.ids.merger.publish.PublishedStore;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * One merge run: read every source's last good snapshot, merge, give stable internal IDs, diff against the
 * published state, refuse mass deletions unless forced, and publish the change set (or nothing when nothing
 * changed). A run whose inputs ({@link MergeFingerprint}: every source's last good snapshot, the settings, the merge
 * code) are those of the last completed merge, with nothing published since, is skipped before anything is loaded:
 * it would find nothing changed. Used by the local refresh and the Refresh controller. Its statements go through
 * Helidon DB Client (named in this module's {@code META-INF/ids-moe/db-statements.yaml}); {@link PublishedStore} says
 * which of its own go through the escape hatch.
 */
public final class MergeService {
    private static final System.Logger LOG = System.getLogger(MergeService.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DbClient db;
    private final SnapshotReader snapshots;
    private final PublishedStore published;
    private final Merger merger;
    private final MergeSettings settings;
    private final double maxDeleteShare;
    private final String code;

    /**
     * @param db             PostgreSQL (migrated): DB Client and, for {@link PublishedStore}, its escape hatch
     * @param settings       title-matching thresholds
     * @param maxDeleteShare largest share of the published set one change set may delete without force
     */
    public MergeService(Db db, MergeSettings settings, double maxDeleteShare) {
        this(db, settings, maxDeleteShare, CodeIdentity.merge());
    }

    /**
     * @param db             PostgreSQL (migrated)
     * @param settings       title-matching thresholds
     * @param maxDeleteShare largest share of the published set one change set may delete without force
     * @param code           the identity of the merge code ({@link CodeIdentity#merge()}; tests give others)
     */
    MergeService(Db db, MergeSettings settings, double maxDeleteShare, String code) {
        this.db = db.client();
        this.snapshots = new SnapshotReader(db.client());
        this.published = new PublishedStore(db);
        this.merger = new Merger(settings);
        this.settings = settings;
        this.maxDeleteShare = maxDeleteShare;
        this.code = code;
    }

    /** Reads what {@link #run} reads before it decides to merge or to skip, and drops it ({@link MergeCommand}). */
    void warmUp() {
        MergeFingerprint.of(snapshots.states(), settings, code).sha256();
        published.version();
        published.lastMerge();
    }

    /**
     * @param force merge even when the inputs are those of the last completed merge, and publish even when the
     *              change set deletes more than the allowed share
     * @return what was published, or that the merge was skipped
     * @throws MassDeletionException when the change set would delete too much (a missing
     *                               anime-offline-database snapshot deletes everything, so it is refused too)
     */
    public Outcome run(boolean force) {
        long t0 = System.nanoTime();
        // read before the snapshots: a snapshot accepted meanwhile is merged but not recorded, which costs at most
        // one needless merge later, never a wrong skip
        MergeFingerprint fingerprint = MergeFingerprint.of(snapshots.states(), settings, code);
        String sha = fingerprint.sha256();
        long current = published.version();
        Optional<PublishedStore.LastMerge> last = published.lastMerge();
        if (last.isPresent() && last.get().fingerprint().equals(sha) && last.get().version() == current) {
            if (!force) {
                return skip(last.get(), sha, current, t0);
            }
            LOG.log(System.Logger.Level.INFO, "merge: inputs unchanged since the merge of version {0} at {1}; "
                    + "merging anyway (forced)", last.get().version(), last.get().mergedAt());
        } else if (last.isPresent()) {
            LOG.log(System.Logger.Level.INFO, "merge: {0}", changes(fingerprint, last.get(), current));
        }
        // The published state is read on a thread of its own while the inputs load and merge: reading ~300k rows
        // from PostgreSQL and merging are each a core's work for seconds.
        try (ExecutorService reader = Executors.newSingleThreadExecutor(r -> new Thread(r, "merge-published-state"))) {
            CompletableFuture<PublishedState> state = CompletableFuture.supplyAsync(
                    () -> new PublishedState(published.identity(), published.load()), reader);
            return merge(state, force, sha, fingerprint, t0);
        }
    }

    private Outcome merge(CompletableFuture<PublishedState> state, boolean force, String sha,
                          MergeFingerprint fingerprint, long t0) {
        MergeInputs inputs = load();
        if (inputs.aod().isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "no anime-offline-database snapshot: the merged set is empty");
        }
        long tLoad = System.nanoTime();
        Merger.Result merged = merger.merge(inputs);
        long tMerge = System.nanoTime();
        List<AnimeEntry> entries = merged.entries();
        PublishedState read = published(state);
        PublishedStore.Identity identity = read.identity();
        PublishedStore.Published before = read.published();
        if (before.version() != identity.version()) {
            // the identity keys were read before another merge published: the IDs may be stale
            throw new PublishedStore.ConcurrentPublishException("published version is " + before.version()
                    + ", the identity keys were read at " + identity.version() + "; merge again");
        }
        Map<String, Long> known = identity.keys();
        long[] ids = IdentityResolver.assign(entries, known);
        int fresh = (int) java.util.Arrays.stream(ids).filter(id -> id < 0).count();
        long[] newIds = published.newIds(fresh);
        for (int i = 0, n = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                ids[i] = newIds[n++];
            }
        }
        // each entry's canonical bytes and hash once, on every core: the diff compares the hashes, the publish
        // writes both
        OutboxWriter.Canonical[] canonical = new OutboxWriter.Canonical[entries.size()];
        java.util.stream.IntStream.range(0, canonical.length).parallel().forEach(i -> {
            byte[] json = CanonicalJson.toBytes(entries.get(i));
            canonical[i] = new OutboxWriter.Canonical(json, CanonicalJson.sha256Hex(json));
        });
        String[] hashes = new String[entries.size()];
        Map<Long, OutboxWriter.Canonical> byId = HashMap.newHashMap(entries.size());
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = canonical[i].hash();
            byId.put(ids[i], canonical[i]);
        }
        Map<String, Long> identities = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            for (String key : IdentityResolver.identityKeys(entries.get(i))) {
                identities.put(key, ids[i]);
            }
        }
        // Only keys that are new or now name another anime are written: rewriting the ~8 keys of every anime on each
        // merge cost seconds and left a dead row each. The table holds what was read: the keys, the published state
        // and the publish's own check agree on the version.
        Map<String, Long> added = new HashMap<>();
        Map<String, Long> moved = new HashMap<>();
        identities.forEach((key, id) -> {
            Long was = known.get(key);
            if (was == null) {
                added.put(key, id);
            } else if (!was.equals(id)) {
                moved.put(key, id);
            }
        });
        Map<String, Long> mapping = Differ.mapping(ids, entries);
        ChangeSet cs = Differ.diff(before.version() + 1, before.version(), Instant.now(), before.hashes(),
                before.mapping(), ids, entries, hashes, mapping);
        long tDiff = System.nanoTime();
        Map<String, Object> report = report(merged.report(), cs, before.hashes().size(), sha);
        String reportJson = toJson(report);
        LOG.log(System.Logger.Level.INFO, "merge: {0} anime ({1} new IDs); change set {2}: {3} upserts, {4} deletes, "
                        + "{5} map_set, {6} map_del; load {7} ms, merge {8} ms, diff {9} ms", entries.size(), fresh,
                cs.version(), cs.upsert().size(), cs.delete().size(), cs.mapSet().size(), cs.mapDel().size(),
                ms(tLoad - t0), ms(tMerge - tLoad), ms(tDiff - tMerge));
        LOG.log(System.Logger.Level.INFO, "merge report: {0}", reportJson.length() > 4000
                ? reportJson.substring(0, 4000) + "…" : reportJson);
        int allowed = (int) Math.floor(before.hashes().size() * maxDeleteShare);
        if (!force && !before.hashes().isEmpty() && cs.delete().size() > allowed) {
            published.saveReport(reportJson);
            throw new MassDeletionException("change set would delete " + cs.delete().size() + " of "
                    + before.hashes().size() + " anime (more than " + Math.round(maxDeleteShare * 100)
                    + "%); refused — refresh with force to publish it");
        }
        if (cs.isEmpty()) {
            published.saveUnchanged(reportJson, before.version(), sha, fingerprint.json());
            LOG.log(System.Logger.Level.INFO, "merge: nothing changed; nothing published");
            return new Outcome(before.version(), false, 0, 0, 0, 0, merged.report());
        }
        published.publish(cs, added, moved, reportJson, sha, fingerprint.json(),
                new OutboxWriter.Rows(u -> byId.get(u.id()), before.hashes()::containsKey,
                        before.mapping()::containsKey));
        LOG.log(System.Logger.Level.INFO, "published change set {0} in {1} ms total", cs.version(),
                ms(System.nanoTime() - t0));
        return new Outcome(cs.version(), true, cs.upsert().size(), cs.delete().size(), cs.mapSet().size(),
                cs.mapDel().size(), merged.report());
    }

    /** The published state a merge is diffed against: the identity keys, then the anime and the mapping. */
    private record PublishedState(PublishedStore.Identity identity, PublishedStore.Published published) {
    }

    private static PublishedState published(CompletableFuture<PublishedState> state) {
        try {
            return state.join();
        } catch (CompletionException ex) {
            if (ex.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw ex;
        }
    }

    /** A run with the inputs of the last completed merge: nothing loaded, merged or published; a short report. */
    private Outcome skip(PublishedStore.LastMerge last, String sha, long version, long t0) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("skipped", SKIPPED_REASON);
        report.put("inputs", sha);
        Map<String, Object> same = new LinkedHashMap<>();
        same.put("version", last.version());
        same.put("merged_at", last.mergedAt().toString());
        report.put("same_inputs_as", same);
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("version", null);
        change.put("base", version);
        report.put("change_set", change);
        published.saveReport(toJson(report));
        LOG.log(System.Logger.Level.INFO, "merge: skipped ({0}): every source''s last good snapshot, the settings and "
                        + "the merge code are those of the merge of version {1} at {2}; nothing loaded, merged or "
                        + "published; version {3} stays; {4} ms", SKIPPED_REASON, last.version(), last.mergedAt(),
                version, ms(System.nanoTime() - t0));
        return Outcome.skipped(version);
    }

    /** One line saying why a merge runs although a completed merge is recorded. */
    private static String changes(MergeFingerprint now, PublishedStore.LastMerge last, long current) {
        List<String> what;
        try {
            what = now.changesSince(MergeFingerprint.parse(last.inputs()));
        } catch (IllegalArgumentException ex) {
            what = List.of("the recorded inputs do not read back (" + ex.getMessage() + ")");
        }
        String since = "since the merge of version " + last.version() + " at " + last.mergedAt();
        if (what.isEmpty()) {
            return "inputs unchanged " + since + (last.version() != current ? ", but version " + current
                    + " was published after it" : ", recorded in another form") + "; merging";
        }
        return "inputs changed " + since + ": " + String.join("; ", what);
    }

    /**
     * @return the inputs from the last good snapshots (absent sources are empty)
     */
    public MergeInputs load() {
        return MergeInputs.read(new MergeInputs.RecordReader() {
            @Override
            public <R> List<R> records(String source, Class<R> type) {
                return snapshots.records(source, type).orElse(List.of());
            }
        });
    }

    private Map<String, Object> report(MergeReport r, ChangeSet cs, int publishedBefore, String inputs) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("inputs", inputs);
        out.put("anime", r.anime());
        out.put("counts", r.counts());
        out.put("sources", sources());
        out.put("matching", r.matching());
        out.put("conflicts", r.conflicts());
        out.put("dropped", r.dropped());
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("version", cs.isEmpty() ? null : cs.version());
        change.put("base", cs.base());
        change.put("published_before", publishedBefore);
        change.put("upserts", cs.upsert().size());
        change.put("deletes", cs.delete().size());
        change.put("map_set", cs.mapSet().size());
        change.put("map_del", cs.mapDel().size());
        out.put("change_set", change);
        return out;
    }

    /** Per source: when its last good snapshot was taken, its records, and the result of its latest attempt. */
    private Map<String, Object> sources() {
        Map<String, Object> out = new TreeMap<>();
        try (Stream<DbRow> rows = db.execute().namedQuery("merge-sources")) {
            rows.forEach(r -> {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("updated", r.column(2).get(Timestamp.class).toInstant().toString());
                s.put("records", r.column(3).get(Integer.class));
                s.put("result", r.column(4).get(String.class));
                out.put(r.column(1).get(String.class), s);
            });
        } catch (DbClientException ex) {
            throw new UnavailableException("PostgreSQL: " + Transactions.message(ex), ex);
        }
        return out;
    }

    private static String toJson(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /**
     * The result of a merge.
     *
     * @param version   the published version after the run
     * @param published true when a change set was published
     * @param upserts   entries upserted
     * @param deletes   entries deleted
     * @param mapSets   mapping keys set
     * @param mapDels   mapping keys deleted
     * @param report    the merge report (null when skipped)
     * @param skipped   true when the merge did not run: its inputs were those of the last completed merge
     *                  ({@value MergeService#SKIPPED_REASON}), so it published nothing and {@code version} is the
     *                  current one
     */
    public record Outcome(long version, boolean published, int upserts, int deletes, int mapSets, int mapDels,
                         MergeReport report, boolean skipped) {
        /**
         * The outcome of a merge that ran.
         *
         * @param version   the published version after the run
         * @param published true when a change set was published
         * @param upserts   entries upserted
         * @param deletes   entries deleted
         * @param mapSets   mapping keys set
         * @param mapDels   mapping keys deleted
         * @param report    the merge report
         */
        public Outcome(long version, boolean published, int upserts, int deletes, int mapSets, int mapDels,
                       MergeReport report) {
            this(version, published, upserts, deletes, mapSets, mapDels, report, false);
        }

        /**
         * @param version the current published version
         * @return the outcome of a skipped merge
         */
        public static Outcome skipped(long version) {
            return new Outcome(version, false, 0, 0, 0, 0, null, true);
        }
    }

    /** Why a merge was skipped, as the report, the log and the Refresh status say it. */
    public static final String SKIPPED_REASON = "InputsUnchanged";

    /** A change set that would delete more than the allowed share of the published set. */
    public static final class MassDeletionException extends IdsMoeException {
        /**
         * @param message what would be deleted
         */
        public MassDeletionException(String message) {
            super(message);
        }
    }

}
