package moe.ids.api.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import moe.ids.core.platform.Platform;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static moe.ids.api.http.RequestContract.assertKey;
import static moe.ids.api.http.RequestContract.clientError;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the body of {@code POST /{platform}}: the input's first line names the platform (an unknown name picks one
 * by its hash), the rest is the body. Contract: {@link RequestContract}; at most the batch limit of keys, each a key
 * of that platform.
 */
class BatchBodyFuzzTest {
    private static final int BATCH_LIMIT = 50;

    @FuzzTest(maxDuration = "5m")
    void batchBody(byte[] data) {
        int nl = RequestContract.indexOf(data, (byte) '\n');
        String name = new String(data, 0, Math.max(nl, 0), StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOfRange(data, nl + 1, data.length);
        Platform p = platform(name);
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

    private static Platform platform(String name) {
        List<Platform> all = RequestContract.lookupPlatforms();
        return LookupKeys.platform(name).filter(x -> !x.redirectOnly())
                .orElseGet(() -> all.get(Math.floorMod(name.hashCode(), all.size())));
    }
}
