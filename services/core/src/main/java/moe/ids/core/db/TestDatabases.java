package moe.ids.core.db;

import moe.ids.core.config.DatabaseUrl;

import java.util.Locale;
import java.util.UUID;

/**
 * Per-run databases for integration tests, so runs never collide: {@code TEST_DATABASE_URL} (default
 * {@code postgres://postgres@127.0.0.1:5432/postgres}) names the server, each call creates a new database
 * {@code ids_moe_t_{purpose}_{random}} there. Callers drop it with {@link Database#drop}.
 */
public final class TestDatabases {
    private TestDatabases() {
    }

    /**
     * @param purpose short lower-case word naming the test
     * @return the location of a new, empty database
     */
    public static DatabaseUrl fresh(String purpose) {
        String server = System.getenv().getOrDefault("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres");
        String name = ("ids_moe_t_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 8))
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        DatabaseUrl url = DatabaseUrl.parse("TEST_DATABASE_URL", server).withDatabase(name);
        Database.ensureExists(url);
        return url;
    }
}
