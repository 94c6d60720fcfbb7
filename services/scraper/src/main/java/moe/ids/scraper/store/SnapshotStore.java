package moe.ids.scraper.store;

import com.github.luben.zstd.Zstd;
import moe.ids.core.error.UnavailableException;
import moe.ids.db.snapshot.RecordsCodec;
import moe.ids.db.snapshot.SnapshotReader;
import moe.ids.db.snapshot.SourceState;
import moe.ids.scraper.source.SourceResult;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbExecute;
import moe.ids.db.Transactions;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The scraper's side of the source snapshots in PostgreSQL: every attempt in {@code source_fetch}; accepted content
 * in {@code source_snapshot} (raw bytes zstd-compressed, normalized records as {@link RecordsCodec} stores them)
 * with {@code source_state} pointing at the last good one. Accepting is one transaction, so a crash leaves the
 * previous snapshot. Reads go through the shared {@link SnapshotReader}, what the merger reads with. Statements go
 * through Helidon DB Client, named {@code snapshot-*} in this module's {@code META-INF/ids-moe/db-statements.yaml}.
 */
public final class SnapshotStore {
    private static final int ZSTD_LEVEL = 9;

    private final DbClient db;
    private final SnapshotReader reader;
    private final int keep;

    /**
     * @param db   PostgreSQL
     * @param keep snapshots kept per source (at least 1)
     */
    public SnapshotStore(DbClient db, int keep) {
        this.db = db;
        this.reader = new SnapshotReader(db);
        this.keep = Math.max(1, keep);
    }

    /**
     * @param source source name
     * @return its last good state, or empty before the first accepted fetch
     */
    public Optional<SourceState> state(String source) {
        return reader.state(source);
    }

    /**
     * Stores accepted content and moves the source's last good pointer to it, in one transaction, then
     * prunes snapshots beyond the newest {@code keep}.
     *
     * @param accepted what to store
     * @param result   the attempt to record with it
     * @param started  when the attempt started
     * @return the new snapshot's id
     */
    public long accept(Accepted accepted, SourceResult result, Instant started) {
        byte[] raw = "identity".equals(accepted.rawEncoding()) ? accepted.raw() : Zstd.compress(accepted.raw(), ZSTD_LEVEL);
        byte[] records = RecordsCodec.encode(accepted.records());
        try {
            return Transactions.inTransaction(db, tx -> {
                long id = tx.namedGet("snapshot-insert", accepted.source(), Timestamp.from(started), accepted.etag(),
                                accepted.lastModified(), accepted.contentSha256(), (long) accepted.raw().length,
                                "identity".equals(accepted.rawEncoding()) ? "identity" : "zstd", raw,
                                accepted.records().size(), RecordsCodec.ENCODING, records)
                        .orElseThrow().column(1).get(Long.class);
                tx.namedInsert("snapshot-state-upsert", accepted.source(), id, accepted.contentSha256(),
                        accepted.etag(), accepted.lastModified(), accepted.records().size(), Timestamp.from(started));
                insertFetch(tx, result, started, accepted.etag(), accepted.lastModified(), accepted.contentSha256(), id);
                tx.namedDelete("snapshot-prune", accepted.source(), accepted.source(), keep);
                return id;
            });
        } catch (DbClientException ex) {
            throw unavailable(ex);
        }
    }

    /**
     * Records an attempt that stored nothing (Unchanged, Failed, Skipped).
     *
     * @param result  the attempt
     * @param started when it started
     * @param etag    validator seen, or null
     * @param lastModified validator seen, or null
     * @param sha256  content hash seen, or null
     */
    public void recordAttempt(SourceResult result, Instant started, String etag, String lastModified, String sha256) {
        try {
            insertFetch(db.execute(), result, started, etag, lastModified, sha256, null);
        } catch (DbClientException ex) {
            throw unavailable(ex);
        }
    }

    /**
     * @param source source name
     * @return when its last successful attempt (Changed or Unchanged) started, or empty when there was none
     */
    public Optional<Instant> lastSuccess(String source) {
        return reader.lastSuccess(source);
    }

    /**
     * Reads the normalized records of a source's last good snapshot.
     *
     * @param source source name
     * @param type   record type the source produces
     * @param <R>    record type
     * @return the records, or empty when the source has no good snapshot
     */
    public <R> Optional<List<R>> records(String source, Class<R> type) {
        return reader.records(source, type);
    }

    private static void insertFetch(DbExecute ex, SourceResult r, Instant started, String etag, String lastModified,
                                    String sha256, Long snapshotId) {
        ex.namedInsert("snapshot-fetch-insert", r.source(), Timestamp.from(started), r.durationMs(),
                r.httpStatus() == 0 ? null : r.httpStatus(), etag, lastModified, sha256, r.bytes(), r.records(),
                r.result().name(), r.result() == moe.ids.scraper.source.Outcome.Failed
                        || r.result() == moe.ids.scraper.source.Outcome.Skipped ? r.message() : null, snapshotId);
    }

    private static UnavailableException unavailable(DbClientException ex) {
        return new UnavailableException("PostgreSQL: " + Transactions.message(ex), ex);
    }

    /**
     * Content accepted for storage.
     *
     * @param source        source name
     * @param raw           fetched bytes
     * @param rawEncoding   {@code identity} (store as is) or {@code zstd} (compress)
     * @param contentSha256 SHA-256 of {@code raw}
     * @param etag          validator, or null
     * @param lastModified  validator, or null
     * @param records       normalized records
     */
    public record Accepted(String source, byte[] raw, String rawEncoding, String contentSha256, String etag,
                           String lastModified, List<?> records) {
    }
}
