package moe.ids.api.http;

import io.helidon.common.uri.UriPath;
import io.helidon.http.PathMatcher;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Raw path splitting and the lookup route's matcher. */
class PathsTest {
    @Test
    void lookupRouteTakesOnlyPathsOfTwoOrMoreSegments() {
        PathMatcher m = Paths.twoOrMoreSegments();
        for (String p : List.of("/mal/1", "/MAL/1.json", "/trakt/shows/1/seasons/2", "/mal/1%2F2", "/mal/1/")) {
            assertEquals(true, m.match(UriPath.create(p)).accepted(), p);
        }
        for (String p : List.of("/", "/status", "/robots.txt", "/mal/", "/myanimelist().json", "/animeapi.tsv")) {
            assertEquals(false, m.match(UriPath.create(p)).accepted(), p);
        }
    }

    @Test
    void splitsRawSegments() {
        assertEquals(List.of("mal", "1%2F2"), Paths.segments("/mal/1%2F2"));
        assertEquals(List.of("trakt", "shows", "1"), Paths.segments("/trakt/shows/1/"));
        assertEquals(List.of("status"), Paths.segments("/status"));
    }
}
