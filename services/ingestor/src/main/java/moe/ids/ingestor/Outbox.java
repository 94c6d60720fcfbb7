package moe.ids.ingestor;

import moe.ids.store.Meta;
import moe.ids.store.Published;
import com.fasterxml.jackson.databind.JsonNode;
import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.changeset.ChangeSetCodec;
import moe.ids.core.entry.CanonicalJson;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import moe.ids.db.Db;
import moe.ids.db.JdbcEscapeHatch;
import moe.ids.db.Transactions;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * The ingestor's view of PostgreSQL: the change-set outbox ({@code change_set}), the published state
 * ({@code anime}, {@code published_mapping}) for full resyncs, merge reports, and {@code ingest_state} where the
 * applied version is reported back. Statements go through Helidon DB Client (named {@code outbox-*} in this module's
 * {@code META-INF/ids-moe/db-statements.yaml}); the full resync ({@link #published()}) reads through the
 * {@link JdbcEscapeHatch}, as DB Client can set neither its isolation nor a fetch size. Failures are the driver's
 * {@link SQLException}, as before.
 */
public final class Outbox {
    /** Channel the merger notifies with the new version as payload. */
    public static final String CHANNEL = moe.ids.db.OutboxWriter.CHANNEL;
    /** Channel the ingestor notifies after reporting an applied version (payload {@code consumer:version}). */
    public static final String APPLIED_CHANNEL = "ids_moe_applied";

    private final DbClient db;
    private final JdbcEscapeHatch raw;

    /**
     * @param db pooled PostgreSQL
     */
    public Outbox(Db db) {
        this.db = db.client();
        this.raw = db.escapeHatch();
    }

    /**
     * Head of the outbox.
     *
     * @param version   newest version (0 when the outbox is empty)
     * @param createdAt when it was created (null when empty)
     */
    public record Head(long version, Instant createdAt) {
    }

    /**
     * One outbox row, decoded.
     *
     * @param changeSet the change set
     * @param report    merge report of its version, or null
     */
    public record Entry(ChangeSet changeSet, JsonNode report) {
    }

    /**
     * @return the newest version and its time
     * @throws SQLException when PostgreSQL fails
     */
    public Head head() throws SQLException {
        return sql(() -> db.execute().namedGet("outbox-head")
                .map(r -> new Head(r.column(1).get(Long.class), instant(r, 2)))
                .orElse(new Head(0, null)));
    }

    /**
     * @param base a version
     * @return the change set applying on it, with its report, or empty when the outbox does not hold one
     * @throws SQLException when PostgreSQL fails
     */
    public Optional<Entry> next(long base) throws SQLException {
        return sql(() -> db.execute().namedGet("outbox-next", base).map(r -> {
            long version = r.column(1).get(Long.class);
            String encoding = r.column(2).get(String.class);
            if (!"gzip-json".equals(encoding)) {
                throw new IllegalStateException("change set " + version + " has unknown encoding " + encoding);
            }
            ChangeSet cs = ChangeSetCodec.fromCompressed(r.column(3).get(byte[].class));
            return new Entry(cs, report(db.execute(), version));
        }));
    }

    /**
     * @param version a version
     * @return created_at of that change set, if held
     * @throws SQLException when PostgreSQL fails
     */
    public Optional<Instant> createdAt(long version) throws SQLException {
        return sql(() -> db.execute().namedGet("outbox-created-at", version).map(r -> instant(r, 1)));
    }

    /**
     * Reads anime + published_mapping + max(change_set.version) in one REPEATABLE READ, read-only transaction,
     * re-serialising every entry with {@link CanonicalJson} so Redis gets the exact served bytes. Through the
     * {@link JdbcEscapeHatch}: DB Client can set neither the isolation level nor a fetch size (the cursor that keeps the
     * whole table from being held twice in memory).
     *
     * @return the published state
     * @throws SQLException when PostgreSQL fails
     */
    public Published published() throws SQLException {
        try (Connection c = raw.connection()) {
            boolean auto = c.getAutoCommit();
            int isolation = c.getTransactionIsolation();
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                long version = 0;
                Instant created = null;
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery(
                             "SELECT version, created_at FROM change_set ORDER BY version DESC LIMIT 1")) {
                    if (rs.next()) {
                        version = rs.getLong(1);
                        created = rs.getTimestamp(2).toInstant();
                    }
                }
                JsonNode report = version == 0 ? null : report(c, version);
                List<Long> ids = new ArrayList<>();
                List<String> texts = new ArrayList<>();
                try (Statement st = c.createStatement()) {
                    st.setFetchSize(2000);
                    try (ResultSet rs = st.executeQuery("SELECT id, entry::text FROM anime ORDER BY id")) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                            texts.add(rs.getString(2));
                        }
                    }
                }
                // every entry re-serialised on the other cores while the mapping is read: a full resync of ~35k
                // entries spent most of a second doing it on this thread, row by row
                CompletableFuture<List<Published.IdJson>> entries = CompletableFuture.supplyAsync(() ->
                        IntStream.range(0, ids.size()).parallel().mapToObj(i -> new Published.IdJson(ids.get(i),
                                CanonicalJson.toBytes(CanonicalJson.parse(texts.get(i).getBytes(
                                        StandardCharsets.UTF_8))))).toList());
                List<Published.KeyId> mappings = new ArrayList<>();
                try (Statement st = c.createStatement()) {
                    st.setFetchSize(10_000);
                    try (ResultSet rs = st.executeQuery("SELECT key, anime_id FROM published_mapping")) {
                        while (rs.next()) {
                            mappings.add(new Published.KeyId(rs.getString(1), rs.getLong(2)));
                        }
                    }
                }
                c.commit();
                return new Published(version, created, report, reserialised(entries), mappings);
            } catch (SQLException | RuntimeException ex) {
                c.rollback();
                throw ex;
            } finally {
                c.setReadOnly(false);
                c.setTransactionIsolation(isolation);
                c.setAutoCommit(auto);
            }
        }
    }

    private static List<Published.IdJson> reserialised(CompletableFuture<List<Published.IdJson>> entries) {
        try {
            return entries.join();
        } catch (CompletionException ex) {
            if (ex.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw ex;
        }
    }

    /**
     * Reports an applied version in {@code ingest_state} (never moving it backwards) and notifies
     * {@value #APPLIED_CHANNEL}.
     *
     * @param consumer the ingestor's consumer name
     * @param version  the version Redis holds now
     * @param at       when it was applied
     * @throws SQLException when PostgreSQL fails
     */
    public void reportApplied(String consumer, long version, Instant at) throws SQLException {
        sql(() -> {
            DbExecute ex = db.execute();
            ex.namedInsert("outbox-report-applied", consumer, version, Timestamp.from(at));
            ex.namedGet("outbox-notify-applied", APPLIED_CHANNEL, consumer + ":" + version);
            return null;
        });
    }

    /**
     * @param consumer consumer name
     * @return the version reported for it, 0 when none
     * @throws SQLException when PostgreSQL fails
     */
    public long reportedVersion(String consumer) throws SQLException {
        return sql(() -> db.execute().namedGet("outbox-reported-version", consumer)
                .map(r -> r.column(1).get(Long.class)).orElse(0L));
    }

    /** The report of a version, read by the resync on its REPEATABLE READ connection. */
    private static JsonNode report(Connection c, long version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT report::text FROM merge_report WHERE version = ? ORDER BY id DESC LIMIT 1")) {
            ps.setLong(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Meta.read(rs.getString(1)) : null;
            }
        }
    }

    private static JsonNode report(DbExecute ex, long version) {
        return ex.namedGet("outbox-report", version).map(r -> Meta.read(r.column(1).get(String.class))).orElse(null);
    }

    private static Instant instant(DbRow row, int column) {
        return row.column(column).get(Timestamp.class).toInstant();
    }

    /** Runs DB Client statements, failing with the driver's exception as the plain JDBC code did. */
    private static <T> T sql(Supplier<T> work) throws SQLException {
        try {
            return work.get();
        } catch (DbClientException ex) {
            throw Transactions.sqlCause(ex).orElseThrow(() -> ex);
        }
    }
}
