package moe.ids.api.http;

import moe.ids.core.error.BadRequestException;
import moe.ids.core.error.NotFoundException;
import moe.ids.core.platform.IdType;
import moe.ids.core.platform.Platform;
import moe.ids.core.platform.Platforms;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract the request-parsing fuzz targets check: bad input ends in a 4xx exception ({@link BadRequestException}
 * or {@link NotFoundException}, which {@link ApiErrors} maps to 400/404; anything else would be a 500 and is a
 * finding), and what does parse is a well-formed mapping key of the platform asked for.
 */
final class RequestContract {
    private static final Pattern INT_ID = Pattern.compile("0|[1-9][0-9]{0,9}");
    private static final Pattern TRAKT = Pattern.compile("trakt/(?:shows|movies)/(0|[1-9][0-9]{0,9})"
            + "(?:/seasons/([1-9][0-9]{0,9}))?");
    private static final Pattern TMDB = Pattern.compile("themoviedb/movie/(0|[1-9][0-9]{0,9})");

    private RequestContract() {
    }

    /**
     * Runs one parse step.
     *
     * @param step the step
     * @param <T>  its result type
     * @return its result, or null when it rejected the input with a 4xx exception
     */
    static <T> T clientError(Supplier<T> step) {
        try {
            return step.get();
        } catch (BadRequestException | NotFoundException expected) {
            return null;
        }
    }

    /**
     * @return the platforms a lookup or batch may name: the registry's lookup platforms and the numeric companions
     */
    static List<Platform> lookupPlatforms() {
        List<Platform> all = new ArrayList<>(Platforms.lookupPlatforms());
        all.add(LookupKeys.platform("kaize_id").orElseThrow());
        all.add(LookupKeys.platform("nautiljon_id").orElseThrow());
        return all;
    }

    /**
     * @param key      a mapping key a parser produced
     * @param platform the lookup platform it must belong to, or null for any
     */
    static void assertKey(String key, Platform platform) {
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
                assertFalse(p.redirectOnly(), key);
                if (p.idType() == IdType.INT) {
                    assertTrue(INT_ID.matcher(id).matches() && Long.parseLong(id) <= Integer.MAX_VALUE, key);
                } else {
                    assertEquals(id, LookupKeys.checked(id), key);
                }
            }
        }
    }

    /**
     * @param data bytes
     * @param b    the byte looked for
     * @return its first index, or -1
     */
    static int indexOf(byte[] data, byte b) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
