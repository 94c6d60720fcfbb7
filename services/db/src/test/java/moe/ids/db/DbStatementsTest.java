package moe.ids.db;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Named statements gathered from every module's file on the class path. */
class DbStatementsTest {
    private static Path module(Path dir, String yaml) throws IOException {
        Path file = dir.resolve("META-INF/ids-moe/db-statements.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return dir;
    }

    private static URLClassLoader loader(Path... dirs) throws IOException {
        URL[] urls = new URL[dirs.length];
        for (int i = 0; i < dirs.length; i++) {
            urls[i] = dirs[i].toUri().toURL();
        }
        return new URLClassLoader(urls, null);
    }

    @Test
    void theSameFileFoundTwiceIsOneCopy(@TempDir Path tmp) throws IOException {
        String yaml = "statements:\n  ping: \"SELECT 1\"\n";
        try (URLClassLoader l = loader(module(tmp.resolve("a"), yaml), module(tmp.resolve("b"), yaml))) {
            assertTrue(Db.statements(l).statement("ping").contains("SELECT 1"));
        }
    }

    @Test
    void aNameGivenOtherSqlElsewhereIsRefused(@TempDir Path tmp) throws IOException {
        try (URLClassLoader l = loader(module(tmp.resolve("a"), "statements:\n  ping: \"SELECT 1\"\n"),
                module(tmp.resolve("b"), "statements:\n  ping: \"SELECT 2\"\n"))) {
            IllegalStateException ex = assertThrows(IllegalStateException.class, () -> Db.statements(l));
            assertTrue(ex.getMessage().contains("ping"), ex.getMessage());
        }
    }
}
