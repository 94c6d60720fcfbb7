package moe.ids.db;

import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MigrationsTest {
    @Test
    void latestIsTheVersionOfTheNewestMigrationFile() throws Exception {
        URL dir = Migrations.class.getClassLoader().getResource("db/migration");
        Pattern file = Pattern.compile("V(\\d+)__.*\\.sql");
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            int newest = files.map(f -> file.matcher(f.getFileName().toString())).filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1))).max().orElse(0);
            assertEquals(newest, Migrations.LATEST);
        }
    }
}
