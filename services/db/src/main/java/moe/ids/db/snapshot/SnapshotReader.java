package moe.ids.db.snapshot;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbRow;
import moe.ids.core.error.UnavailableException;
import moe.ids.db.Transactions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The read side of the source snapshots in PostgreSQL: a source's last good snapshot ({@code source_state} and
 * the {@code source_snapshot} it points at) and its attempts ({@code source_fetch}). The merger reads its inputs
 * here; the scraper, which writes them, reads its validators and schedule here too. Statements go through Helidon DB
 * Client, named {@code snapshot-*} in the db module's {@code META-INF/ids-moe/db-statements.yaml}.
 */
public final class SnapshotReader {
    private final DbClient db;

    /**
     * @param db PostgreSQL (migrated)
     */
    public SnapshotReader(DbClient db) {
        this.db = db;
    }

    /**
     * @param source source name
     * @return its last good state, or empty before the first accepted fetch
     */
    public Optional<SourceState> state(String source) {
        return read(() -> db.execute().namedGet("snapshot-state", source).map(SnapshotReader::state));
    }

    /**
     * @return the last good state of every source that has one, by source name (one statement)
     */
    public Map<String, SourceState> states() {
        return read(() -> {
            try (Stream<DbRow> rows = db.execute().namedQuery("snapshot-states")) {
                Map<String, SourceState> out = new TreeMap<>();
                rows.map(SnapshotReader::state).forEach(state -> out.put(state.source(), state));
                return out;
            }
        });
    }

    /** A row of {@code snapshot-state} or {@code snapshot-states} (the same columns). */
    private static SourceState state(DbRow r) {
        return new SourceState(r.column(1).get(String.class), r.column(2).get(Long.class),
                r.column(3).get(String.class), r.column(4).get(String.class), r.column(5).get(String.class),
                r.column(6).get(Integer.class), r.column(7).get(Timestamp.class).toInstant());
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
        Optional<byte[]> stored = read(() -> db.execute().namedGet("snapshot-records", source)
                .map(r -> r.column(1).get(byte[].class)));
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(RecordsCodec.decode(stored.get(), type));
        } catch (IOException ex) {
            throw new UncheckedIOException("stored records of " + source + " do not read back as " + type, ex);
        }
    }

    /**
     * @param source source name
     * @return when its last successful attempt (Changed or Unchanged) started, or empty when there was none
     */
    public Optional<Instant> lastSuccess(String source) {
        return read(() -> db.execute().namedGet("snapshot-last-success", source)
                .map(r -> r.column(1).get(Timestamp.class)).map(Timestamp::toInstant));
    }

    /**
     * @param source source name
     * @return the result of its latest attempt ({@code Changed}, {@code Unchanged}, {@code Failed} or
     *         {@code Skipped}), or empty when it was never attempted
     */
    public Optional<String> lastResult(String source) {
        return read(() -> db.execute().namedGet("snapshot-last-result", source).map(r -> r.column(1).get(String.class)));
    }

    private static <T> T read(Supplier<T> work) {
        try {
            return work.get();
        } catch (DbClientException ex) {
            throw new UnavailableException("PostgreSQL: " + Transactions.message(ex), ex);
        }
    }
}
