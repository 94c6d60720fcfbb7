package moe.ids.merger;

import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.snapshot.Records;
import moe.ids.db.Db;
import moe.ids.merger.merge.MergeSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static moe.ids.merger.MergeDatabase.BEBOP;
import static moe.ids.merger.MergeDatabase.TRIGUN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A merge writes the identity keys that are new, and leaves the rows of keys it found as they were (each row's
 * {@code xmin}, the transaction that wrote it, stays the same). On real PostgreSQL, a database of its own.
 */
class IdentityKeysIT {
    private MergeDatabase base;
    private HikariDataSource pool;
    private Db db;

    @BeforeEach
    void start() {
        base = MergeDatabase.fresh("identitykeys");
        pool = base.pool();
        db = base.db();
    }

    @AfterEach
    void stop() {
        base.close();
    }

    @Test
    void aMergeWritesNewKeysAndLeavesTheOthersUntouched() throws Exception {
        StoredSnapshots.accept(pool, "aod", List.of(BEBOP));
        MergeService merge = new MergeService(db, MergeSettings.DEFAULTS, 0.05, "code");
        assertTrue(merge.run(false).published());
        Map<String, String> first = rows();
        assertTrue(first.containsKey("myanimelist/1"), first.toString());

        StoredSnapshots.accept(pool, "aod", List.of(BEBOP, TRIGUN));
        assertEquals(2, merge.run(false).version());
        Map<String, String> second = rows();
        assertTrue(second.containsKey("myanimelist/6"), "Trigun's keys are added: " + second);
        second.keySet().retainAll(first.keySet());
        assertEquals(first, second, "Cowboy Bebop's rows are not written again");
    }

    @Test
    void aKeyThatNowNamesAnotherAnimeIsMoved() throws Exception {
        StoredSnapshots.accept(pool, "aod", List.of(BEBOP));
        MergeService merge = new MergeService(db, MergeSettings.DEFAULTS, 0.05, "code");
        merge.run(false);
        String bebop = rows().get("myanimelist/1").split(", ")[0];
        assertEquals(bebop, rows().get("title/Cowboy Bebop").split(", ")[0]);

        // Bebop's IDs under another title keep its internal ID; its old title now belongs to another anime
        Records.AodAnime renamed = new Records.AodAnime("Cowboy Bebop (TV)", "TV", 26, 1998, 23, 1, null, null, null,
                1, null, 1, null, null, List.of());
        Records.AodAnime namesake = new Records.AodAnime("Cowboy Bebop", "Movie", 1, 2001, 999, 999, null, null,
                null, 999, null, 999, null, null, List.of());
        StoredSnapshots.accept(pool, "aod", List.of(renamed, namesake));
        merge.run(false);
        Map<String, String> now = rows();
        assertEquals(bebop, now.get("myanimelist/1").split(", ")[0]);
        String other = now.get("myanimelist/999").split(", ")[0];
        assertTrue(!other.equals(bebop), now.toString());
        assertEquals(other, now.get("title/Cowboy Bebop").split(", ")[0], "the title moved to the namesake");
    }

    /** identity key → "anime ID, xmin" */
    private Map<String, String> rows() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT platform, platform_id, anime_id, xmin::text FROM identity_key")) {
            while (rs.next()) {
                out.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3) + ", " + rs.getString(4));
            }
        }
        return out;
    }
}
