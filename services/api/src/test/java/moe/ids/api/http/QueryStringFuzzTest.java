package moe.ids.api.http;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static moe.ids.api.http.RequestContract.assertKey;
import static moe.ids.api.http.RequestContract.clientError;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes a raw query string as {@code /redirect} ({@code /rd}) and the arm-server GET routes ({@code /api/v2/ids},
 * {@code /api/v2/imdb|themoviedb|thetvdb}) read it. Contract: {@link RequestContract}, and arm-server's
 * {@code number} throws only its documented {@link IllegalArgumentException} (the routes answer it with a 400).
 */
class QueryStringFuzzTest {

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
}
