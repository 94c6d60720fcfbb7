package moe.ids.merger.publish;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbRow;
import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.error.UnavailableException;
import moe.ids.db.Db;
import moe.ids.db.JdbcEscapeHatch;
import moe.ids.db.OutboxWriter;
import moe.ids.db.Transactions;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The published state in PostgreSQL ({@code anime}, {@code published_mapping}, {@code identity_key}) and the
 * change-set outbox. {@link #publish} writes the change set, the new published state and the merge report in
 * one transaction ({@link OutboxWriter}), under an advisory lock and a check that nothing was published
 * meanwhile; the ingestors are notified on commit.
 * <p>
 * The inputs of every completed merge go to {@code merge_inputs} with its outcome: in the publish transaction, or
 * with the report of a merge that changed nothing ({@link #saveUnchanged}); {@link #lastMerge} reads the newest.
 * <p>
 * {@link #newIds}, {@link #saveReport}, {@link #saveUnchanged}, {@link #version}, {@link #lastMerge} and
 * {@link #appliedVersion} go through Helidon DB Client (named
 * {@code published-*} in this module's {@code META-INF/ids-moe/db-statements.yaml}). {@link #load} and
 * {@link #identity} (read-only transactions read through a cursor, {@link #load} at {@code REPEATABLE READ}) and
 * {@link #publish} (pgjdbc {@code COPY} in the same transaction as the statements around it) take a connection of
 * the same pool through the {@link JdbcEscapeHatch}, as DB Client can express none of them.
 */
public final class PublishedStore {
    private static final long MERGE_LOCK = 0x6964736d65726765L;

    private final DbClient db;
    private final JdbcEscapeHatch raw;

    /**
     * @param db PostgreSQL (migrated)
     */
    public PublishedStore(Db db) {
        this.db = db.client();
        this.raw = db.escapeHatch();
    }

    /**
     * What is published now.
     *
     * @param version latest change-set version (0 before the first)
     * @param hashes  internal ID → content hash
     * @param mapping mapping key → internal ID
     */
    public record Published(long version, Map<Long, String> hashes, Map<String, Long> mapping) {
    }

    /**
     * The inputs of a completed merge, as recorded in {@code merge_inputs}.
     *
     * @param version     the published version the merge left
     * @param fingerprint SHA-256 of {@code inputs}
     * @param inputs      what the merge read (JSON)
     * @param mergedAt    when it was recorded
     */
    public record LastMerge(long version, String fingerprint, String inputs, Instant mergedAt) {
    }

    /**
     * Reads the published state in one consistent snapshot.
     *
     * @return it
     */
    public Published load() {
        try (Connection c = raw.connection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try (Statement st = c.createStatement()) {
                st.setFetchSize(20_000);
                long version;
                try (ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM change_set")) {
                    rs.next();
                    version = rs.getLong(1);
                }
                Map<Long, String> hashes = new HashMap<>(64_000);
                try (ResultSet rs = st.executeQuery("SELECT id, hash FROM anime")) {
                    while (rs.next()) {
                        hashes.put(rs.getLong(1), rs.getString(2));
                    }
                }
                Map<String, Long> mapping = new HashMap<>(600_000);
                try (ResultSet rs = st.executeQuery("SELECT key, anime_id FROM published_mapping")) {
                    while (rs.next()) {
                        mapping.put(rs.getString(1), rs.getLong(2));
                    }
                }
                c.commit();
                return new Published(version, hashes, mapping);
            } finally {
                c.setReadOnly(false);
                c.setAutoCommit(true);
            }
        } catch (SQLException ex) {
            throw new UnavailableException("PostgreSQL: " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the identity keys and the version they belong to, read from one snapshot of the database
     */
    public Identity identity() {
        try (Connection c = raw.connection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                long version;
                try (ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM change_set")) {
                    rs.next();
                    version = rs.getLong(1);
                }
                st.setFetchSize(20_000);
                Map<String, Long> map = new HashMap<>(400_000);
                try (ResultSet rs = st.executeQuery("SELECT platform, platform_id, anime_id FROM identity_key")) {
                    while (rs.next()) {
                        map.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
                    }
                }
                c.commit();
                return new Identity(version, map);
            } finally {
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                c.setAutoCommit(true);
            }
        } catch (SQLException ex) {
            throw new UnavailableException("PostgreSQL: " + ex.getMessage(), ex);
        }
    }

    /**
     * The identity keys as one published version left them.
     *
     * @param version the published version
     * @param keys    identity key ({@code platform/id}) → internal ID
     */
    public record Identity(long version, Map<String, Long> keys) {
    }

    /**
     * Takes new internal IDs from the sequence (never reused, even if the publish that wanted them fails).
     *
     * @param n how many
     * @return the IDs, increasing
     */
    public long[] newIds(int n) {
        if (n == 0) {
            return new long[0];
        }
        long[] ids = sql(() -> {
            try (Stream<DbRow> rows = db.execute().namedQuery("published-new-ids", n)) {
                return rows.mapToLong(r -> r.column(1).get(Long.class)).toArray();
            }
        });
        java.util.Arrays.sort(ids);
        return ids;
    }

    /**
     * Stores the report of a run that published nothing and recorded no inputs (refused or skipped).
     *
     * @param reportJson the report
     */
    public void saveReport(String reportJson) {
        sql(() -> db.execute().namedInsert("published-save-report", reportJson));
    }

    /**
     * Stores the report of a completed merge that changed nothing, with its inputs, in one transaction.
     *
     * @param reportJson  the report
     * @param version     the published version (unchanged by the merge)
     * @param fingerprint SHA-256 of {@code inputs}
     * @param inputs      what the merge read (JSON)
     */
    public void saveUnchanged(String reportJson, long version, String fingerprint, String inputs) {
        sql(() -> {
            Transactions.run(db, tx -> {
                tx.namedInsert("published-save-report", reportJson);
                tx.namedInsert("published-save-inputs", version, fingerprint, inputs);
            });
            return null;
        });
    }

    /**
     * @return the latest published version (0 before the first change set)
     */
    public long version() {
        return sql(() -> db.execute().namedGet("published-version").map(r -> r.column(1).get(Long.class))
                .orElse(0L));
    }

    /**
     * @return the inputs of the newest completed merge, or empty before the first
     */
    public Optional<LastMerge> lastMerge() {
        return sql(() -> db.execute().namedGet("published-last-merge").map(r -> new LastMerge(
                r.column(1).get(Long.class), r.column(2).get(String.class), r.column(3).get(String.class),
                r.column(4).get(Timestamp.class).toInstant())));
    }

    /**
     * Publishes a change set: outbox row, published state, identity keys, report and the merge's inputs, in one
     * transaction.
     *
     * @param cs          the change set (its base must be the current version)
     * @param added       identity keys ({@code platform/id}) → internal ID that the table does not hold (as read
     *                    with the version this change set applies on), written as they are
     * @param moved       identity keys that now name another anime, updated (the others are left as they are)
     * @param reportJson  merge report
     * @param fingerprint SHA-256 of {@code inputs}
     * @param inputs      what the merge read (JSON), recorded in {@code merge_inputs} with the change set's version
     * @param rows        the upserts' canonical bytes and hashes, and which rows exist, as read with the version
     *                    this change set applies on
     * @throws ConcurrentPublishException when another merge published since {@link #load()}
     */
    public void publish(ChangeSet cs, Map<String, Long> added, Map<String, Long> moved, String reportJson,
                        String fingerprint, String inputs, OutboxWriter.Rows rows) {
        try (Connection c = raw.connection()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT pg_advisory_xact_lock(" + MERGE_LOCK + ")");
                    try (ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM change_set")) {
                        rs.next();
                        if (rs.getLong(1) != cs.base()) {
                            throw new ConcurrentPublishException("published version is " + rs.getLong(1)
                                    + ", this change set applies on " + cs.base() + "; merge again");
                        }
                    }
                }
                // the rows' existence as the merge read it: the version check above, under the merge lock, says the
                // tables still hold it
                OutboxWriter.write(c, cs, reportJson, rows);
                // new keys go straight into the table: the version check above, under the merge lock, says it
                // holds what the merge read, and only a publish writes it (a stray row fails the publish loudly)
                OutboxWriter.copy(c, "COPY identity_key (platform, platform_id, anime_id) FROM STDIN WITH (FORMAT csv)",
                        identityCsv(added));
                upsertIdentities(c, moved);
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO merge_inputs (version, fingerprint, inputs) VALUES (?, ?, ?::jsonb)")) {
                    ps.setLong(1, cs.version());
                    ps.setString(2, fingerprint);
                    ps.setString(3, inputs);
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException ex) {
                c.rollback();
                throw ex;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException ex) {
            throw new UnavailableException("PostgreSQL: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param consumer ingestor name
     * @return the version it reported applied, or 0
     */
    public long appliedVersion(String consumer) {
        return sql(() -> db.execute().namedGet("published-applied-version", consumer)
                .map(r -> r.column(1).get(Long.class)).orElse(0L));
    }

    /** Runs DB Client statements, failing as the plain JDBC code did ({@code PostgreSQL: <driver message>}). */
    private static <T> T sql(Supplier<T> work) {
        try {
            return work.get();
        } catch (DbClientException ex) {
            throw new UnavailableException("PostgreSQL: " + Transactions.message(ex), ex);
        }
    }

    private static void upsertIdentities(Connection c, Map<String, Long> identities) throws SQLException {
        if (identities.isEmpty()) {
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE identity_in (platform TEXT, platform_id TEXT, anime_id BIGINT) ON COMMIT DROP");
        }
        OutboxWriter.copy(c, "COPY identity_in (platform, platform_id, anime_id) FROM STDIN WITH (FORMAT csv)",
                identityCsv(identities));
        try (Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO identity_key (platform, platform_id, anime_id) SELECT platform, platform_id, "
                    + "anime_id FROM identity_in ON CONFLICT (platform, platform_id) DO UPDATE SET "
                    + "anime_id = EXCLUDED.anime_id, seen_at = now()");
        }
    }

    /** Identity keys as CSV rows {@code "platform","id",animeId}. */
    private static StringBuilder identityCsv(Map<String, Long> identities) {
        StringBuilder csv = new StringBuilder(identities.size() * 32);
        identities.forEach((key, id) -> {
            int slash = key.indexOf('/');
            csv.append('"').append(key, 0, slash).append("\",\"")
                    .append(key.substring(slash + 1).replace("\"", "\"\"")).append("\",").append(id).append('\n');
        });
        return csv;
    }

    /** Another merge published while this one was computing; nothing was written. */
    public static final class ConcurrentPublishException extends moe.ids.core.error.IdsMoeException {
        /**
         * @param message what happened
         */
        public ConcurrentPublishException(String message) {
            super(message);
        }
    }

}
