package moe.ids.db;

import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.changeset.ChangeSetCodec;
import moe.ids.core.entry.CanonicalJson;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Writes one change set the way the ingestor reads it: the outbox row ({@code change_set},
 * gzip JSON), the published state it leads to ({@code anime} rows as canonical JSON + hash,
 * {@code published_mapping}), the merge report, and {@code NOTIFY ids_moe_change_set '<version>'} — all on
 * the caller's connection, inside the caller's transaction, so they commit (or not) together.
 */
public final class OutboxWriter {
    /** Channel the ingestor listens on. */
    public static final String CHANNEL = "ids_moe_change_set";
    /** Encoding of {@code change_set.payload}. */
    public static final String ENCODING = "gzip-json";

    private OutboxWriter() {
    }

    /**
     * One upserted entry as its row stores it.
     *
     * @param json its canonical JSON bytes ({@link CanonicalJson#toBytes})
     * @param hash their lower-case hex SHA-256 ({@link CanonicalJson#sha256Hex})
     */
    public record Canonical(byte[] json, String hash) {
        /**
         * @param json canonical bytes
         * @param hash their hash
         */
        public Canonical {
            Objects.requireNonNull(json, "json");
            Objects.requireNonNull(hash, "hash");
        }

        /**
         * @param u an upsert
         * @return its canonical bytes and hash, computed
         */
        public static Canonical of(ChangeSet.Upsert u) {
            byte[] json = CanonicalJson.toBytes(u.entry());
            return new Canonical(json, CanonicalJson.sha256Hex(json));
        }
    }

    /**
     * What the change set's writer already knows about its rows, so that nothing is computed or deleted twice.
     *
     * @param canonical an upsert's canonical bytes and hash (a merge hashes every entry to diff it)
     * @param published whether an upserted ID has a row now, which is deleted before the new one is copied
     * @param mapped    whether a {@code map_set} key has a row now, deleted likewise
     */
    public record Rows(Function<ChangeSet.Upsert, Canonical> canonical, LongPredicate published,
                       Predicate<String> mapped) {
        /** Every row computed from its upsert, every upserted ID and set key deleted first. */
        public static final Rows COMPUTED = new Rows(Canonical::of, id -> true, key -> true);
    }

    /**
     * @param c          a connection with auto-commit off
     * @param cs         the change set
     * @param reportJson merge report JSON, or null for none
     * @throws SQLException on failure (the caller rolls back)
     */
    public static void write(Connection c, ChangeSet cs, String reportJson) throws SQLException {
        write(c, cs, reportJson, Rows.COMPUTED);
    }

    /**
     * @param c          a connection with auto-commit off
     * @param cs         the change set
     * @param reportJson merge report JSON, or null for none
     * @param known      the rows as the caller has them; a row it says is absent is not deleted first, and the
     *                   copy fails on the table's key when it is there after all
     * @throws SQLException on failure (the caller rolls back)
     */
    public static void write(Connection c, ChangeSet cs, String reportJson, Rows known) throws SQLException {
        // the payload (every entry serialized again, compressed) is built on a thread of its own while the rows are
        // copied: PostgreSQL takes the rows on one core, the payload the other; the row goes in last
        ExecutorService encoder = Executors.newSingleThreadExecutor(r -> new Thread(r, "change-set-encoder"));
        try {
            Future<byte[]> payload = encoder.submit(() -> ChangeSetCodec.toCompressed(cs));
            rows(c, cs, known);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO change_set (version, base, created_at, "
                    + "encoding, payload, upserts, deletes, map_sets, map_dels) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, cs.version());
                ps.setLong(2, cs.base());
                ps.setTimestamp(3, Timestamp.from(cs.createdAt()));
                ps.setString(4, ENCODING);
                ps.setBytes(5, done(payload));
                ps.setInt(6, cs.upsert().size());
                ps.setInt(7, cs.delete().size());
                ps.setInt(8, cs.mapSet().size());
                ps.setInt(9, cs.mapDel().size());
                ps.executeUpdate();
            }
        } finally {
            encoder.shutdownNow();
        }
        if (reportJson != null) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO merge_report (version, report) VALUES (?, ?::jsonb)")) {
                ps.setLong(1, cs.version());
                ps.setString(2, reportJson);
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, CHANNEL);
            ps.setString(2, Long.toString(cs.version()));
            ps.execute();
        }
    }

    private static byte[] done(Future<byte[]> payload) throws SQLException {
        try {
            return payload.get();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while encoding the change set", ex);
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new SQLException("encoding the change set failed: " + ex.getCause(), ex.getCause());
        }
    }

    /** The published state's rows: anime upserted and deleted, mapping keys set and deleted. */
    private static void rows(Connection c, ChangeSet cs, Rows known) throws SQLException {
        deleteAny(c, "DELETE FROM anime WHERE id = ANY(?)", "bigint", Stream.concat(cs.delete().stream(),
                cs.upsert().stream().map(ChangeSet.Upsert::id).filter(known.published()::test)).toArray(Long[]::new));
        // each row's CSV on every core: a first publish writes ~35k of them
        List<ChangeSet.Upsert> upserts = cs.upsert();
        String[] rows = new String[upserts.size()];
        IntStream.range(0, rows.length).parallel().forEach(i -> {
            Canonical row = known.canonical().apply(upserts.get(i));
            rows[i] = upserts.get(i).id() + ",\"" + new String(row.json(), StandardCharsets.UTF_8).replace("\"", "\"\"") + "\","
                    + row.hash() + "\n";
        });
        StringBuilder anime = new StringBuilder(upserts.size() * 600);
        for (String row : rows) {
            anime.append(row);
        }
        copy(c, "COPY anime (id, entry, hash) FROM STDIN WITH (FORMAT csv)", anime);
        deleteAny(c, "DELETE FROM published_mapping WHERE key = ANY(?)", "text", Stream.concat(cs.mapDel().stream(),
                cs.mapSet().keySet().stream().filter(known.mapped())).toArray(String[]::new));
        StringBuilder mapping = new StringBuilder(cs.mapSet().size() * 32);
        cs.mapSet().forEach((k, id) -> mapping.append('"').append(k.replace("\"", "\"\"")).append("\",").append(id)
                .append('\n'));
        copy(c, "COPY published_mapping (key, anime_id) FROM STDIN WITH (FORMAT csv)", mapping);
    }

    /**
     * {@code COPY … FROM STDIN} of CSV text on a (possibly pooled) PostgreSQL connection.
     *
     * @param c   connection
     * @param sql the COPY statement
     * @param csv rows; nothing happens when empty
     * @throws SQLException on failure
     */
    public static void copy(Connection c, String sql, CharSequence csv) throws SQLException {
        if (csv.isEmpty()) {
            return;
        }
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(csv.toString()));
        } catch (IOException ex) {
            throw new SQLException("COPY failed: " + ex.getMessage(), ex);
        }
    }

    private static void deleteAny(Connection c, String sql, String type, Object[] values) throws SQLException {
        if (values.length == 0) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf(type, values));
            ps.executeUpdate();
        }
    }
}
