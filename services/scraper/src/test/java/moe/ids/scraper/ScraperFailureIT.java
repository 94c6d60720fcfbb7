package moe.ids.scraper;

import com.sun.net.httpserver.HttpServer;
import moe.ids.testing.MainProcess;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.db.Database;
import moe.ids.db.Migrations;
import moe.ids.db.RefreshLock;
import moe.ids.testing.TcpProxy;
import moe.ids.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the scraper's process ends when PostgreSQL fails or another refresh holds the database: one line at ERROR
 * saying why (naming {@code DATABASE_URL} for PostgreSQL), no stack trace, the documented exit code; a run that is
 * a step of the refresh holding the lock goes on under it. The scraper
 * runs as a child JVM like its jar; PostgreSQL is real (a database of its own), behind a proxy the test stops.
 */
class ScraperFailureIT {
    /** Short PostgreSQL waits so that failures come quickly. */
    private static final Map<String, String> QUICK = Map.of("database.login-timeout-seconds", "2",
            "database.pool-timeout-seconds", "3", "scraper.http.max-attempts", "1");
    private static final Duration BOUND = Duration.ofSeconds(60);

    private DatabaseUrl db;

    @BeforeEach
    void database() {
        db = TestDatabases.fresh("scrapefail");
        Migrations.migrate(db);
    }

    @AfterEach
    void drop() {
        TestDatabases.drop(db);
    }

    @Test
    void postgresStoppingMidScrapeEndsInOneLineNamingDatabaseUrl() throws Exception {
        try (TcpProxy postgres = TcpProxy.to("127.0.0.1", port(db))) {
            // the upstream "stops PostgreSQL" when the scraper fetches: the snapshot then cannot be stored
            HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            upstream.createContext("/", exchange -> {
                postgres.stop();
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
            });
            upstream.start();
            try {
                Map<String, String> env = env(through(postgres));
                env.put("UPSTREAM_MIRROR", "http://127.0.0.1:" + upstream.getAddress().getPort());
                MainProcess p = MainProcess.run(Main.class, env, QUICK, BOUND, "run", "--source", "aod");
                assertEquals(1, p.exitCode(), p.toString());
                assertEquals(1, p.errors().size(), p.toString());
                assertTrue(p.errors().getFirst().contains(" SEVERE moe.ids.scraper.Main: scrape failed: DATABASE_URL: "
                        + "PostgreSQL at 127.0.0.1:" + postgres.port() + " "), p.toString());
                assertEquals(List.of(), p.stackLines(), p.toString());
            } finally {
                upstream.stop(0);
            }
        }
    }

    @Test
    void silentDatabaseEndsWithinTheLoginTimeoutInOneLine() throws Exception {
        try (TcpProxy silent = TcpProxy.silent()) {
            MainProcess p = MainProcess.run(Main.class,
                    env("postgres://postgres@127.0.0.1:" + silent.port() + "/ids_moe"), QUICK, BOUND, "run");
            assertEquals(1, p.exitCode(), p.toString());
            assertEquals(1, p.errors().size(), p.toString());
            assertTrue(p.errors().getFirst().endsWith("scrape failed: DATABASE_URL: PostgreSQL at 127.0.0.1:"
                    + silent.port() + " did not answer within 2 s"), p.toString());
            assertEquals(List.of(), p.stackLines(), p.toString());
            assertTrue(p.elapsed().compareTo(Duration.ofSeconds(15)) < 0, p.toString());
        }
    }

    @Test
    void runRefusesWhileARefreshHoldsTheDatabase() throws Exception {
        try (Connection holder = Database.connect(db); Statement st = holder.createStatement()) {
            st.execute("SET application_name = 'test refresh'");
            st.execute("SELECT pg_advisory_lock(" + RefreshLock.KEY + ")");
            MainProcess p = MainProcess.run(Main.class, env(url(db)), QUICK, BOUND, "run", "--source", "aod");
            assertEquals(75, p.exitCode(), p.toString());
            assertEquals(1, p.errors().size(), p.toString());
            assertTrue(p.errors().getFirst().contains("another refresh is running on this database (pid "), p.toString());
            assertTrue(p.errors().getFirst().endsWith(": test refresh); try again when it ends"), p.toString());
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM source_fetch")) {
                rs.next();
                assertEquals(0, rs.getLong(1), "nothing fetched");
            }
        }
    }

    @Test
    void runUnderItsRefreshsLockGoesOnBesideItsHolder() throws Exception {
        try (Connection holder = Database.connect(db); Statement st = holder.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + RefreshLock.KEY + ")");
            int pid;
            try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            Map<String, String> env = env(url(db));
            env.put(RefreshLock.HOLDER_ENV, Integer.toString(pid));
            // nothing answers at the mirror: the source fails (3), but the run went on under the holder's lock
            MainProcess p = MainProcess.run(Main.class, env, QUICK, BOUND, "run", "--source", "aod");
            assertEquals(3, p.exitCode(), p.toString());
            assertTrue(p.lines().stream().anyMatch(l -> l.contains("held for this refresh by PostgreSQL pid " + pid)),
                    p.toString());
            try (ResultSet rs = st.executeQuery("SELECT result FROM source_fetch")) {
                assertTrue(rs.next());
                assertEquals("Failed", rs.getString(1));
            }
        }
    }

    private static Map<String, String> env(String databaseUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", databaseUrl);
        env.put("UPSTREAM_MIRROR", "http://127.0.0.1:9"); // never the internet
        return env;
    }

    /** The test database's location as a DATABASE_URL value, through {@code proxy}. */
    private String through(TcpProxy proxy) {
        return url(db).replaceFirst(":\\d+/", ":" + proxy.port() + "/");
    }

    private static String url(DatabaseUrl url) {
        return url.jdbcUrl() + (url.user() == null ? "" : (url.jdbcUrl().contains("?") ? "&" : "?") + "user=" + url.user())
                + (url.password() == null ? "" : "&password=" + java.net.URLEncoder.encode(url.password(), java.nio.charset.StandardCharsets.UTF_8));
    }

    private static int port(DatabaseUrl url) {
        String server = url.server();
        return Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
    }
}
