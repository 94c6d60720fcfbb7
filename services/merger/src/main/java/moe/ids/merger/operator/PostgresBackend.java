package moe.ids.merger.operator;

import moe.ids.db.RefreshLock;
import moe.ids.core.error.UnavailableException;
import moe.ids.merger.MergeService;
import moe.ids.merger.publish.PublishedStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The controller's pipeline steps on PostgreSQL: scrape results, {@link MergeService} (under the database's
 * {@link RefreshLock}, exclusive, not waiting: while another refresh holds it the merge fails and is retried), ingest
 * state.
 */
public final class PostgresBackend implements RefreshBackend {
    private final DataSource db;
    private final MergeService merger;
    private final PublishedStore published;
    private final String consumer;

    /**
     * @param db       PostgreSQL
     * @param merger   the merge service
     * @param consumer ingestor name whose applied version counts
     */
    public PostgresBackend(DataSource db, MergeService merger, String consumer) {
        this.db = db;
        this.merger = merger;
        this.published = new PublishedStore(db);
        this.consumer = consumer;
    }

    @Override
    public List<RefreshStatus.SourceStatus> results(Instant since, List<String> sources) {
        List<RefreshStatus.SourceStatus> out = new ArrayList<>();
        String sql = "SELECT result, records, duration_ms, error FROM source_fetch WHERE source = ? AND started_at >= ? "
                + "ORDER BY id DESC LIMIT 1";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (String source : sources) {
                ps.setString(1, source);
                ps.setTimestamp(2, Timestamp.from(since));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        String result = rs.getString(1);
                        String error = rs.getString(4);
                        out.add(new RefreshStatus.SourceStatus(source, result, rs.getInt(2), rs.getLong(3), error));
                    } else {
                        out.add(new RefreshStatus.SourceStatus(source, "Failed", null, null,
                                "no attempt recorded since the refresh started (the scraper pod did not finish)"));
                    }
                }
            }
        } catch (SQLException ex) {
            throw new UnavailableException("PostgreSQL: " + ex.getMessage(), ex);
        }
        return out;
    }

    @Override
    public MergeService.Outcome merge(boolean force) {
        // exclusive for the merge and publish; a refresh running here (e.g. a local one) makes it Retrying
        try (RefreshLock lock = RefreshLock.acquire(db::getConnection, RefreshLock.Mode.EXCLUSIVE,
                "merger controller merge", Duration.ZERO)) {
            return merger.run(force);
        }
    }

    @Override
    public long appliedVersion() {
        return published.appliedVersion(consumer);
    }
}
