package moe.ids.api;

import io.helidon.config.Config;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dumps are built into files of a directory of the API's own under {@code api.dump-dir}: one directory per API,
 * the files of a replaced version deleted, the directory gone with the API, and directories of processes that no
 * longer run cleared away, as a crashed container's are in a pod's scratch volume.
 */
class DumpFilesIT {
    private static final TreeMap<Long, AnimeEntry> DATA = Fixture.data(50);

    @TempDir
    Path root;

    private Http start(Fixture f) {
        f.load(1, DATA);
        f.api = Main.Api.start(f.config(f.redisUrl, ApiConfig.DEFAULT_REDIS_PIPES, 0).withDumpDir(root),
                Config.empty());
        return new Http(f.base());
    }

    private List<Path> children(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private List<Path> dumps(Path dir) throws IOException {
        return children(dir).stream().filter(p -> p.getFileName().toString().endsWith(".gz")).toList();
    }

    private Path ownDirectory() throws IOException {
        List<Path> dirs = children(root).stream()
                .filter(p -> p.getFileName().toString().startsWith("ids-moe-dumps-" + ProcessHandle.current().pid()
                        + "-"))
                .toList();
        assertEquals(1, dirs.size(), "one directory of this API's: " + children(root));
        return dirs.getFirst();
    }

    @Test
    void dumpFilesLiveInADirectoryOfTheApisOwnThatGoesWithIt() throws IOException {
        try (Fixture f = new Fixture()) {
            Http http = start(f);
            assertEquals(List.of(), children(root), "nothing is made before a dump is asked for");
            assertEquals(200, http.get("/animeapi.json").status());
            assertEquals(1, dumps(ownDirectory()).size(), "one file per dump built");

            f.api.close();
            f.api = null;
            assertEquals(List.of(), children(root));
        }
    }

    @Test
    void aNewVersionDeletesTheFilesOfTheOneItReplaces() throws IOException {
        try (Fixture f = new Fixture()) {
            Http http = start(f);
            String v1 = http.get("/animeapi.tsv").text();
            TreeMap<Long, AnimeEntry> changed = new TreeMap<>(DATA);
            changed.remove(changed.firstKey());
            f.load(2, changed);

            String v2 = http.get("/animeapi.tsv").text();
            assertEquals(v1.lines().count() - 1, v2.lines().count(), "the new version is served");
            List<Path> files = children(ownDirectory());
            assertTrue(files.stream().allMatch(p -> p.getFileName().toString().startsWith("s2-")),
                    "the old version's files are deleted: " + files);
            List<Path> dumps = dumps(ownDirectory());
            assertEquals(1, dumps.size(), dumps.toString());
            assertTrue(dumps.getFirst().getFileName().toString().contains("-v2-"), dumps.toString());
        }
    }

    @Test
    void aDumpFileRemovedBySomethingElseIsBuiltAgain() throws IOException {
        // a cleaner of temporary files may remove the files, or the whole directory, of a version served for days
        try (Fixture f = new Fixture()) {
            Http http = start(f);
            String first = http.get("/mal.json").text();
            Path dir = ownDirectory();
            for (Path p : children(dir)) {
                Files.delete(p);
            }
            Http.Res again = http.get("/mal.json");
            assertEquals(200, again.status(), again.text());
            assertEquals(first, again.text());

            for (Path p : children(dir)) {
                Files.delete(p);
            }
            Files.delete(dir);
            Http.Res third = http.get("/mal.json", "Accept-Encoding", "gzip");
            assertEquals(200, third.status(), third.text());
            assertEquals(1, dumps(ownDirectory()).size());
            assertEquals(200, http.get("/anilist.json").status(), "a dump not built before");
            assertEquals(200, http.get("/api/v2/imdb?id=tt1").status());
        }
    }

    @Test
    void directoriesOfProcessesThatNoLongerRunAreDeletedOthersKept() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        ProcessHandle parent = ProcessHandle.current().parent().orElseThrow();
        long parentStart = parent.info().startInstant().orElseThrow().toEpochMilli();
        Path dead = Files.createDirectories(root.resolve("ids-moe-dumps-" + ended.pid() + "-5-a"));
        Files.writeString(dead.resolve("s1-v1-mal.json.gz"), "x");
        // this process's PID with another start time: a container that crashed before a restart reused its PID
        Path reused = Files.createDirectory(root.resolve("ids-moe-dumps-" + ProcessHandle.current().pid() + "-5-b"));
        Path running = Files.createDirectory(root.resolve("ids-moe-dumps-" + parent.pid() + "-" + parentStart + "-c"));
        Path unrelated = Files.createDirectory(root.resolve("ids-moe-dumps-of-someone"));

        try (Fixture f = new Fixture()) {
            assertEquals(200, start(f).get("/animeapi.json").status());
            assertFalse(Files.exists(dead), "a process that ended");
            assertFalse(Files.exists(reused), "a PID reused by another process");
            assertTrue(Files.isDirectory(running), "a process that runs");
            assertTrue(Files.isDirectory(unrelated), "a name of another form");
            ownDirectory();
        }
    }

    @Test
    void withoutAWritableDirectoryDumpsAnswer503AndLookupsStillWork() throws IOException {
        Path notADirectory = Files.writeString(root.resolve("file"), "x");
        try (Fixture f = new Fixture()) {
            f.load(1, DATA);
            f.api = Main.Api.start(f.config(f.redisUrl, ApiConfig.DEFAULT_REDIS_PIPES, 0)
                    .withDumpDir(notADirectory.resolve("dumps")), Config.empty());
            Http http = new Http(f.base());
            Http.Res dump = http.get("/animeapi.json");
            assertEquals(503, dump.status(), dump.text());
            assertEquals("application/json", dump.header("content-type"));
            assertEquals(503, http.get("/api/v2/imdb?id=tt1").status());
            assertEquals(200, http.get("/mal/" + DATA.firstEntry().getValue().myanimelist()).status());
        }
    }
}
