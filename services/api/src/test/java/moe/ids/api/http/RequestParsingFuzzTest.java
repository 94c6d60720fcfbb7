package moe.ids.api.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.helidon.common.uri.UriPath;
import moe.ids.core.error.BadRequestException;
import moe.ids.core.error.NotFoundException;
import moe.ids.core.platform.IdType;
import moe.ids.core.platform.Platform;
import moe.ids.core.platform.Platforms;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes what the API parses from a request: raw paths (platform names, IDs of every platform, Trakt and TMDB forms,
 * dump names), query strings ({@code /redirect}, {@code /api/v2/*}) and the bodies of {@code POST /{platform}} and
 * {@code POST /api/v2/ids}. The contract: bad input ends in a 4xx exception ({@link BadRequestException} or
 * {@link NotFoundException}, which {@link ApiErrors} maps to 400/404; arm-server's {@code number} may also throw its
 * documented {@link IllegalArgumentException}); anything else would be a 500 and is a finding. What does parse must
 * be a well-formed mapping key of the platform asked for.
 */
class RequestParsingFuzzTest {
    private static final int BATCH_LIMIT = 50;
    private static final Pattern INT_ID = Pattern.compile("0|[1-9][0-9]{0,9}");
    private static final Pattern TRAKT = Pattern.compile("trakt/(?:shows|movies)/(0|[1-9][0-9]{0,9})"
            + "(?:/seasons/([1-9][0-9]{0,9}))?");
    private static final Pattern TMDB = Pattern.compile("themoviedb/movie/(0|[1-9][0-9]{0,9})");

    /** The path of a GET: the lookup, dump and fallback routes' parsing. */
    @FuzzTest(maxDuration = "5m")
    void lookupPath(byte[] data) {
        String rawPath = new String(data, StandardCharsets.ISO_8859_1);
        if (!rawPath.startsWith("/")) {
            rawPath = "/" + rawPath;
        }
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '?' || c == '#') {
                return; // not a path the server's request-line parser hands to a route
            }
        }
        String path = rawPath;
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
        } else if (segments.size() == 1 && !segments.getFirst().isEmpty()) {
            clientError(() -> DumpService.target(LookupKeys.decode(segments.getFirst())));
        }
        String last = segments.getLast();
        String id = clientError(() -> LookupKeys.checked(LookupKeys.stripSuffix(LookupKeys.decode(last))));
        if (id != null) {
            everyPlatform(id);
        }
    }

    /** The body of {@code POST /{platform}}: the first line names the platform, the rest is the body. */
    @FuzzTest(maxDuration = "5m")
    void batchBody(byte[] data) {
        int nl = indexOf(data, (byte) '\n');
        String name = new String(data, 0, Math.max(nl, 0), StandardCharsets.UTF_8);
        byte[] body = java.util.Arrays.copyOfRange(data, nl + 1, data.length);
        Platform p = batchPlatform(name);
        List<String> keys = clientError(() -> EntryService.parseBatch(p, body, BATCH_LIMIT));
        if (keys != null) {
            assertTrue(keys.size() <= BATCH_LIMIT, "at most the limit");
            keys.forEach(k -> {
                if (k != null) {
                    assertKey(k, p);
                }
            });
        }
    }

    /** A raw query string, read as {@code /redirect} and the arm-server GET routes read it. */
    @FuzzTest(maxDuration = "5m")
    void query(byte[] data) {
        String raw = new String(data, StandardCharsets.ISO_8859_1);
        Map<String, String> q = clientError(() -> RedirectService.query(raw));
        if (q == null) {
            return;
        }
        RedirectService.Request r = clientError(() -> RedirectService.parse(raw));
        if (r != null) {
            assertNotNull(r.target());
            if (!r.key().impossible()) {
                assertKey(r.key().mappingKey(), r.source());
            }
        }
        clientError(() -> ArmService.include(q.get("include")));
        String key = clientError(() -> ArmService.idsKey(q));
        if (key != null) {
            assertKey(key, null);
        }
        try {
            long n = ArmService.number(q.get("id"));
            assertTrue(n >= 1 && n <= 50_000_000, "arm-server's ID range");
        } catch (IllegalArgumentException documented) {
            // the routes turn it into arm-server's validation error (400)
        }
    }

    /** The body of {@code POST /api/v2/ids}. */
    @FuzzTest(maxDuration = "5m")
    void armBody(byte[] data) {
        ArmService.IdsBody body = clientError(() -> ArmService.idsBody(data));
        if (body != null) {
            assertTrue(!body.keys().isEmpty() && body.keys().size() <= 100, "1 to 100 items");
            assertTrue(!body.single() || body.keys().size() == 1);
            body.keys().forEach(k -> assertKey(k, null));
        }
    }

    /** Every platform's ID parsing on one decoded ID, as a lookup, a batch item and a redirect would do it. */
    private static void everyPlatform(String id) {
        List<Platform> platforms = new ArrayList<>(Platforms.all());
        platforms.add(LookupKeys.platform("kaize_id").orElseThrow());
        platforms.add(LookupKeys.platform("nautiljon_id").orElseThrow());
        List<String> parts = List.of(id.split("/", -1));
        for (Platform p : platforms) {
            LookupKeys.Key key = clientError(() -> switch (p.name()) {
                case "trakt" -> LookupKeys.trakt(parts);
                case "themoviedb" -> LookupKeys.themoviedb(parts);
                default -> LookupKeys.plain(p, id);
            });
            if (key != null && !key.impossible() && !p.redirectOnly()) {
                assertKey(key.mappingKey(), p);
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

    private static Platform batchPlatform(String name) {
        Optional<Platform> named = LookupKeys.platform(name).filter(x -> !x.redirectOnly());
        if (named.isPresent()) {
            return named.get();
        }
        List<Platform> all = new ArrayList<>(Platforms.lookupPlatforms());
        all.add(LookupKeys.platform("kaize_id").orElseThrow());
        all.add(LookupKeys.platform("nautiljon_id").orElseThrow());
        return all.get(Math.floorMod(name.hashCode(), all.size()));
    }

    /**
     * @param key      a mapping key the parsers produced
     * @param platform the lookup platform it must belong to, or null for any
     */
    private static void assertKey(String key, Platform platform) {
        assertNotNull(key);
        int slash = key.indexOf('/');
        assertTrue(slash > 0, key);
        String name = key.substring(0, slash);
        String id = key.substring(slash + 1);
        if (platform != null) {
            assertEquals(platform.name(), name, key);
        }
        switch (name) {
            case "trakt" -> {
                Matcher m = TRAKT.matcher(key);
                assertTrue(m.matches(), key);
                assertTrue(Long.parseLong(m.group(1)) <= Integer.MAX_VALUE, key);
                assertTrue(m.group(2) == null || Long.parseLong(m.group(2)) <= Integer.MAX_VALUE, key);
            }
            case "themoviedb" -> {
                Matcher m = TMDB.matcher(key);
                assertTrue(m.matches(), key);
                assertTrue(Long.parseLong(m.group(1)) <= Integer.MAX_VALUE, key);
            }
            default -> {
                Platform p = LookupKeys.platform(name).orElse(null);
                assertNotNull(p, key);
                assertTrue(!p.redirectOnly(), key);
                if (p.idType() == IdType.INT) {
                    assertTrue(INT_ID.matcher(id).matches() && Long.parseLong(id) <= Integer.MAX_VALUE, key);
                } else {
                    assertEquals(id, LookupKeys.checked(id), key);
                }
            }
        }
    }

    /**
     * Runs one parse step.
     *
     * @return its result, or null when it rejected the input with a 4xx exception
     */
    private static <T> T clientError(java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (BadRequestException | NotFoundException expected) {
            return null;
        }
    }

    private static int indexOf(byte[] data, byte b) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
