package moe.ids.api.http;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static moe.ids.api.http.RequestContract.assertKey;
import static moe.ids.api.http.RequestContract.clientError;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the body of arm-server's {@code POST /api/v2/ids}. Contract: {@link RequestContract}; 1 to 100 keys, one for
 * a single object.
 */
class ArmBodyFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void armBody(byte[] data) {
        ArmService.IdsBody body = clientError(() -> ArmService.idsBody(data));
        if (body != null) {
            assertTrue(!body.keys().isEmpty() && body.keys().size() <= 100, "1 to 100 items");
            assertTrue(!body.single() || body.keys().size() == 1);
            body.keys().forEach(k -> assertKey(k, null));
        }
    }
}
