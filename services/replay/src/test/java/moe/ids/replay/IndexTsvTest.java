package moe.ids.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndexTsvTest {

    private static final Path DIR = Path.of("root", "b");

    @Test
    void parsesColumnsAndRepeatedHeaders() {
        IndexRow row = IndexTsv.parseLine("GET\thttps://kaize.io/login\t200\ttext/html; charset=UTF-8\t"
                + "../blobs/kaize/login.html\tETag: \"abc\" | Last-Modified: Mon, 27 Jan 2025 05:19:14 GMT"
                + " | Set-Cookie: XSRF-TOKEN=x%3D; path=/ | Set-Cookie: kaize_session=y; httponly", DIR);

        assertThat(row.method(), is("GET"));
        assertThat(row.url(), is("https://kaize.io/login"));
        assertThat(row.status(), is(200));
        assertThat(row.contentType(), is("text/html; charset=UTF-8"));
        assertThat(row.file(), is(Path.of("root", "blobs", "kaize", "login.html")));
        assertThat(row.key(), is("GET https://kaize.io/login"));
        assertThat(row.header("last-modified"), is(Optional.of("Mon, 27 Jan 2025 05:19:14 GMT")));
        assertThat(row.responseHeaders().stream().filter(h -> h.name().equals("Set-Cookie"))
                           .map(IndexRow.HeaderField::value).toList(),
                   contains("XSRF-TOKEN=x%3D; path=/", "kaize_session=y; httponly"));
        assertTrue(row.hasValidators());
        assertThat(row.seq(), is(0));
        assertThat(row.fault(), is(Optional.empty()));
    }

    @Test
    void fixtureHeadersAreInstructionsNotResponseHeaders() {
        IndexRow row = IndexTsv.parseLine("GET\thttps://kaize.io/anime/top?page=2\t429\ttext/html\tkaize/429.html\t"
                + "Retry-After: 2 | X-Fixture-Fault: kaize-429-then-200 | X-Fixture-Seq: 1", DIR);

        assertThat(row.fault(), is(Optional.of("kaize-429-then-200")));
        assertThat(row.seq(), is(1));
        assertThat(row.responseHeaders(), contains(new IndexRow.HeaderField("Retry-After", "2")));
        assertThat(row.isPattern(), is(false));
        assertThat(row.hasValidators(), is(false));
    }

    @Test
    void patternRowAndEmptyHeaders() {
        IndexRow pattern = IndexTsv.parseLine("GET\thttps://otakotaku.com/api/anime/view/{id}\t200\t"
                + "application/json; charset=utf-8\totakotaku/otakotaku-api.jsonl\tX-Fixture-Pattern: jsonl-by-id", DIR);
        IndexRow plain = IndexTsv.parseLine("POST\thttps://kaize.io/login\t302\ttext/html\tx.html\t", DIR);
        IndexRow fiveColumns = IndexTsv.parseLine("POST\thttps://kaize.io/login\t302\ttext/html\tx.html", DIR);

        assertTrue(pattern.isPattern());
        assertThat(pattern.responseHeaders(), is(empty()));
        assertThat(plain.headers(), is(empty()));
        assertThat(fiveColumns, is(plain));
    }

    @Test
    void rejectsMalformedLines() {
        assertThrows(IllegalArgumentException.class, () -> IndexTsv.parseLine("GET\thttps://x/\t200", DIR));
        assertThrows(IllegalArgumentException.class,
                     () -> IndexTsv.parseLine("GET\thttps://x/\tOK\ttext/plain\tf\t", DIR));
        assertThrows(IllegalArgumentException.class, () -> IndexTsv.parseHeaders("no colon here"));
    }

    @Test
    void readsFileRelativeToItsFolder(@TempDir Path tmp) throws IOException {
        Path index = tmp.resolve("faults").resolve("index.tsv");
        Files.createDirectories(index.getParent());
        Files.writeString(index, IndexTsv.HEADER + "\nGET\thttps://h/p?q=1\t200\ttext/plain\t../b/x.txt\t\n");

        List<IndexRow> rows = IndexTsv.read(index);

        assertThat(rows, hasSize(1));
        assertThat(rows.getFirst().file(), is(tmp.resolve("b").resolve("x.txt").toAbsolutePath()));
        assertThat(rows.getFirst().url(), is("https://h/p?q=1"));

        Files.writeString(index, "not a header\n");
        assertThrows(IllegalArgumentException.class, () -> IndexTsv.read(index));
    }

    @Test
    void recordedIndexesParseAndPointAtExistingFiles() throws IOException {
        Optional<Path> upstream = ReplayServer.locateUpstream();
        Assumptions.assumeTrue(upstream.isPresent(), "recorded upstream not found at ../shared/upstream");
        for (String[] expected : new String[][] {{"a", "1770"}, {"b", "1771"}, {"faults", "14"}}) {
            List<IndexRow> rows = IndexTsv.read(upstream.get().resolve(expected[0]).resolve("index.tsv"));
            assertThat(expected[0], rows, hasSize(Integer.parseInt(expected[1])));
            rows.forEach(r -> assertTrue(Files.isRegularFile(r.file()), r.file().toString()));
        }
    }
}
