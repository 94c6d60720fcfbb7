package moe.ids.api;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import moe.ids.core.error.ConfigException;
import moe.ids.testing.RecordTexts;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API's settings: the near cache's byte budget, and the entry count it replaced refused with a way out. */
class ApiConfigTest {
    private static ApiConfig from(Map<String, String> settings) {
        return ApiConfig.from(Config.just(ConfigSources.create(settings)));
    }

    @Test
    void theShippedFileSetsABudgetInBytes() {
        ApiConfig cfg = ApiConfig.from(Config.just(ConfigSources.classpath("application.yaml")));
        assertEquals(ApiConfig.DEFAULT_NEAR_CACHE_BYTES, cfg.nearCacheBytes());
        assertEquals(16L << 20, from(Map.of()).nearCacheBytes(), "the default without a file");
    }

    @Test
    void aBudgetOfZeroDisablesAndANegativeOneIsRefused() {
        assertEquals(0, from(Map.of("api.near-cache-bytes", "0")).nearCacheBytes());
        assertEquals(8_388_608, from(Map.of("api.near-cache-bytes", "8388608")).nearCacheBytes());
        ConfigException ex = assertThrows(ConfigException.class,
                () -> from(Map.of("api.near-cache-bytes", "-1")));
        assertTrue(ex.getMessage().contains("api.near-cache-bytes"), ex.getMessage());
    }

    @Test
    void theOldEntryCountIsRefusedWithWhatToSetInstead() {
        for (String value : new String[]{"100000", "0"}) {
            ConfigException ex = assertThrows(ConfigException.class,
                    () -> from(Map.of("api.near-cache-size", value)));
            assertTrue(ex.getMessage().startsWith("api.near-cache-size (" + value + ") is no longer read"),
                    ex.getMessage());
            assertTrue(ex.getMessage().contains("set api.near-cache-bytes"), ex.getMessage());
        }
        // also when the new setting is given beside it: the old one must be removed, not ignored
        assertThrows(ConfigException.class, () -> from(Map.of("api.near-cache-size", "1000",
                "api.near-cache-bytes", "1048576")));
    }

    @Test
    void theLoggedTextIsTheRecordsGeneratedOneWithEveryComponent() {
        ApiConfig cfg = ApiConfig.from(Config.just(ConfigSources.classpath("application.yaml")));
        assertEquals(RecordTexts.generated(cfg), cfg.toString());
    }
}
