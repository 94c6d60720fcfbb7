package moe.ids.merger;

import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.snapshot.Records;
import moe.ids.db.Database;
import moe.ids.db.Db;
import moe.ids.db.Migrations;
import moe.ids.testing.TestDatabases;

import java.util.List;

/**
 * A migrated PostgreSQL database of a test's own, with a pool and a DB Client over it; closing drops it. Also the
 * two anime the merge tests store as snapshots.
 *
 * @param url  the database
 * @param pool its pool
 * @param db   DB Client over the pool
 */
record MergeDatabase(DatabaseUrl url, HikariDataSource pool, Db db) implements AutoCloseable {
    static final Records.AodAnime BEBOP = new Records.AodAnime("Cowboy Bebop", "TV", 26, 1998, 23, 1, null,
            null, null, 1, null, 1, null, null, List.of());
    static final Records.AodAnime TRIGUN = new Records.AodAnime("Trigun", "TV", 26, 1998, 307, 6, null, null,
            null, 6, null, 6, null, null, List.of());

    /**
     * @param name what the database is named after
     * @return a fresh, migrated database
     */
    static MergeDatabase fresh(String name) {
        DatabaseUrl url = TestDatabases.fresh(name);
        Migrations.migrate(url);
        HikariDataSource pool = Database.pool(url, name, 4);
        return new MergeDatabase(url, pool, Db.over(pool));
    }

    @Override
    public void close() {
        pool.close();
        TestDatabases.drop(url);
    }
}
