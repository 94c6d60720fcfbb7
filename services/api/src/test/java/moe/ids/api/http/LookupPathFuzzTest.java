package moe.ids.api.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.helidon.common.uri.UriPath;
import moe.ids.core.platform.Platform;
import moe.ids.core.platform.Platforms;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static moe.ids.api.http.RequestContract.assertKey;
import static moe.ids.api.http.RequestContract.clientError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Fuzzes the raw path of a GET as the lookup, dump and fallback routes parse it: platform names, codes and aliases,
 * IDs decoded once, Trakt and TMDB forms, dump names. The last segment is also parsed as an ID of every platform.
 * Contract: {@link RequestContract}; besides, the routes agree on the path's segments.
 */
class LookupPathFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void lookupPath(byte[] data) {
        String rawPath = new String(data, StandardCharsets.ISO_8859_1);
        String path = rawPath.startsWith("/") ? rawPath : "/" + rawPath;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '?' || c == '#') {
                return; // not a path the server's request-line parser hands to a route
            }
        }
        List<String> segments = Paths.segments(path);
        String inner = path.substring(1);
        assertEquals(inner.endsWith("/") ? inner.substring(0, inner.length() - 1) : inner,
                String.join("/", segments), "segments rejoin to the path");
        FallbackService.allow(path); // answers for any path, never throws
        if (validPath(path)) {
            assertEquals(segments.size() >= 2, Paths.twoOrMoreSegments().match(UriPath.create(path)).accepted(),
                    "the lookup route takes the paths of two or more segments");
        }
        if (segments.size() >= 2) {
            LookupKeys.Key key = clientError(() -> EntryService.lookupKey(path));
            if (key != null && !key.impossible()) {
                assertKey(key.mappingKey(), null);
                assertNotNull(key.notFound());
            }
        } else if (!segments.getFirst().isEmpty()) {
            clientError(() -> DumpService.target(LookupKeys.decode(segments.getFirst())));
        }
        String last = segments.getLast();
        String id = clientError(() -> LookupKeys.checked(LookupKeys.stripSuffix(LookupKeys.decode(last))));
        if (id != null) {
            everyPlatform(id);
        }
    }

    /** Every platform's ID parsing on one decoded ID, as a lookup, a batch item and a redirect would do it. */
    private static void everyPlatform(String id) {
        List<String> parts = List.of(id.split("/", -1));
        for (Platform p : RequestContract.lookupPlatforms()) {
            LookupKeys.Key key = clientError(() -> switch (p.name()) {
                case "trakt" -> LookupKeys.trakt(parts);
                case "themoviedb" -> LookupKeys.themoviedb(parts);
                default -> LookupKeys.plain(p, id);
            });
            if (key != null && !key.impossible()) {
                assertKey(key.mappingKey(), p);
            }
        }
        for (Platform p : Platforms.all()) {
            if (p.redirectOnly()) {
                clientError(() -> LookupKeys.plain(p, id)); // never looked up, but must not break either
            }
        }
    }

    /** The server answers 400 itself to a path that is not valid percent-encoded URI syntax. */
    private static boolean validPath(String path) {
        try {
            UriPath.create(path).validate();
            return true;
        } catch (IllegalArgumentException rejectedBeforeRouting) {
            return false;
        }
    }
}
