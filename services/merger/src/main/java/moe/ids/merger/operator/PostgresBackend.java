package moe.ids.merger.operator;

import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import moe.ids.core.error.UnavailableException;
import moe.ids.db.Db;
import moe.ids.db.JdbcEscapeHatch;
import moe.ids.db.RefreshLock;
import moe.ids.db.Transactions;
import moe.ids.merger.MergeService;
import moe.ids.merger.publish.PublishedStore;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The controller's pipeline steps on PostgreSQL: scrape results, {@link MergeService} (under the database's
 * {@link RefreshLock}, exclusive, not waiting: while another refresh holds it the merge fails and is retried), ingest
 * state. The results are read through Helidon DB Client (the named statement {@code refresh-source-result}); the
 * lock of the merge lives on a connection of the same pool taken through the {@link JdbcEscapeHatch}.
 */
public final class PostgresBackend implements RefreshBackend {
    private final Db db;
    private final MergeService merger;
    private final PublishedStore published;
    private final String consumer;

    /**
     * @param db       PostgreSQL
     * @param merger   the merge service
     * @param consumer ingestor name whose applied version counts
     */
    public PostgresBackend(Db db, MergeService merger, String consumer) {
        this.db = db;
        this.merger = merger;
        this.published = new PublishedStore(db);
        this.consumer = consumer;
    }

    @Override
    public List<RefreshStatus.SourceStatus> results(Instant since, List<String> sources) {
        List<RefreshStatus.SourceStatus> out = new ArrayList<>();
        Timestamp from = Timestamp.from(since);
        try {
            DbExecute exec = db.client().execute();
            for (String source : sources) {
                Optional<DbRow> row = exec.namedGet("refresh-source-result", source, from);
                if (row.isPresent()) {
                    DbRow r = row.get();
                    // a NULL records or duration_ms reads as 0, as ResultSet.getInt / getLong did
                    Integer records = r.column(2).get(Integer.class);
                    Long duration = r.column(3).get(Long.class);
                    out.add(new RefreshStatus.SourceStatus(source, r.column(1).get(String.class),
                            records == null ? 0 : records, duration == null ? 0L : duration,
                            r.column(4).get(String.class)));
                } else {
                    out.add(new RefreshStatus.SourceStatus(source, "Failed", null, null,
                            "no attempt recorded since the refresh started (the scraper pod did not finish)"));
                }
            }
        } catch (DbClientException ex) {
            throw new UnavailableException("PostgreSQL: " + Transactions.message(ex), ex);
        }
        return out;
    }

    @Override
    public MergeService.Outcome merge(boolean force) {
        // exclusive for the merge and publish; a refresh running here (e.g. a local one) makes it Retrying
        try (RefreshLock lock = RefreshLock.acquire(db.escapeHatch()::connection, RefreshLock.Mode.EXCLUSIVE,
                "merger controller merge", Duration.ZERO)) {
            return merger.run(force);
        }
    }

    @Override
    public long appliedVersion() {
        return published.appliedVersion(consumer);
    }
}
