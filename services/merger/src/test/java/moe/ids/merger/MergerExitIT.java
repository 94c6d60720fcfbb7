package moe.ids.merger;

import moe.ids.testing.MainProcess;
import moe.ids.testing.TcpProxy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the merger's process ends on a fatal error: one line at ERROR saying why (naming {@code DATABASE_URL} when
 * PostgreSQL is the cause), no stack trace, exit 1 — for {@code merge} (the local refresh's step), the local
 * refresh's lock holder, {@code serve} and a bad setting. The
 * merger runs as a child JVM like its jar; the "PostgreSQL" accepts connections and never answers.
 */
class MergerExitIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    /** A 2 s login timeout, so the silent server fails quickly; a free HTTP port for serve. */
    private static final Map<String, String> QUICK = Map.of("database.login-timeout-seconds", "2", "server.port", "0");

    @Test
    void mergeRefreshLockAndServeOnASilentDatabaseEndInOneLineNamingDatabaseUrl() throws Exception {
        try (TcpProxy silent = TcpProxy.silent()) {
            Map<String, String> env = Map.of("DATABASE_URL", "postgres://postgres@127.0.0.1:" + silent.port() + "/ids_moe",
                    "UPSTREAM_MIRROR", "http://127.0.0.1:9");
            String why = "DATABASE_URL: PostgreSQL at 127.0.0.1:" + silent.port() + " did not answer within 2 s";
            Map<String, String> prefixes = Map.of("merge", "merge: ", "refresh lock", "refresh: ", "serve", "merger: ");
            for (String command : List.of("merge", "refresh lock", "serve")) {
                MainProcess p = MainProcess.run(Main.class, env, QUICK, BOUND, command.split(" "));
                assertEquals(1, p.exitCode(), command + ": " + p);
                assertEquals(1, p.errors().size(), command + ": " + p);
                assertTrue(p.errors().getFirst().endsWith(prefixes.get(command) + why), command + ": " + p);
                assertEquals(List.of(), p.stackLines(), command + ": " + p);
                assertTrue(p.elapsed().compareTo(Duration.ofSeconds(15)) < 0, command + ": " + p);
            }
        }
    }

    @Test
    void badSettingEndsInOneLineNamingIt() throws Exception {
        MainProcess p = MainProcess.run(Main.class, Map.of(), Map.of("merger.max-delete-share", "2"), BOUND, "serve");
        assertEquals(1, p.exitCode(), p.toString());
        assertEquals(1, p.errors().size(), p.toString());
        assertTrue(p.errors().getFirst().endsWith("merger: merger.max-delete-share must be between 0 and 1 (got 2.0)"),
                p.toString());
        assertEquals(List.of(), p.stackLines(), p.toString());
    }
}
