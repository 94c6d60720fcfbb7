package moe.ids.db.snapshot;

import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.snapshot.Records;
import moe.ids.db.Database;
import moe.ids.db.Migrations;
import moe.ids.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The read side of the snapshots on real PostgreSQL (a database of its own), on rows written as the scraper writes
 * them: the last good state (of one source and of all) and records, the last success and the latest attempt's result.
 */
class SnapshotReaderIT {
    private static final Instant T1 = Instant.parse("2025-01-01T05:00:00Z");
    private static final Instant T2 = Instant.parse("2025-01-02T05:00:00Z");

    private DatabaseUrl url;
    private HikariDataSource db;

    @BeforeEach
    void database() {
        url = TestDatabases.fresh("snapshotreader");
        Migrations.migrate(url);
        db = Database.pool(url, "snapshotreader", 2);
    }

    @AfterEach
    void drop() {
        db.close();
        TestDatabases.drop(url);
    }

    @Test
    void readsTheLastGoodSnapshotAndTheAttempts() throws Exception {
        SnapshotReader reader = new SnapshotReader(moe.ids.db.Db.clientOver(db));
        assertEquals(Optional.empty(), reader.state("fribb"));
        assertEquals(Optional.empty(), reader.records("fribb", Records.FribbEntry.class));
        assertEquals(Optional.empty(), reader.lastSuccess("fribb"));
        assertEquals(Optional.empty(), reader.lastResult("fribb"));
        assertEquals(Map.of(), reader.states());

        List<Records.FribbEntry> rows = List.of(new Records.FribbEntry(1, List.of(), List.of(), List.of(26209), 72025),
                new Records.FribbEntry(23, List.of("tt0213338"), List.of(), List.of(), 76885));
        long id;
        try (Connection c = db.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO source_snapshot (source, fetched_at, "
                    + "content_sha256, raw_size, raw_encoding, raw, record_count, records_encoding, records) "
                    + "VALUES ('fribb', ?, 'sha', 0, 'identity', ''::bytea, 2, ?, ?) RETURNING id")) {
                ps.setTimestamp(1, Timestamp.from(T1));
                ps.setString(2, RecordsCodec.ENCODING);
                ps.setBytes(3, RecordsCodec.encode(rows));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO source_state (source, snapshot_id, "
                    + "content_sha256, etag, record_count, updated_at) VALUES ('fribb', ?, 'sha', 'W/\"1\"', 2, ?)")) {
                ps.setLong(1, id);
                ps.setTimestamp(2, Timestamp.from(T1));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO source_fetch (source, started_at, duration_ms, "
                    + "result) VALUES ('fribb', ?, 1, 'Changed'), ('fribb', ?, 1, 'Failed')")) {
                ps.setTimestamp(1, Timestamp.from(T1));
                ps.setTimestamp(2, Timestamp.from(T2));
                ps.executeUpdate();
            }
        }

        assertEquals(Optional.of(new SourceState("fribb", id, "sha", "W/\"1\"", null, 2, T1)), reader.state("fribb"));
        assertEquals(Map.of("fribb", reader.state("fribb").orElseThrow()), reader.states());
        assertEquals(Optional.of(rows), reader.records("fribb", Records.FribbEntry.class));
        assertEquals(Optional.of(T1), reader.lastSuccess("fribb"), "the failed attempt is no success");
        assertEquals(Optional.of("Failed"), reader.lastResult("fribb"));
    }
}
