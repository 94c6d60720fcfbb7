package moe.ids.merger;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import moe.ids.testing.RecordTexts;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The merger's settings as they are logged at start. */
class MergerConfigTest {
    @Test
    void theLoggedTextIsTheRecordsGeneratedOneWithEveryComponent() {
        MergerConfig cfg = MergerConfig.from(Config.just(ConfigSources.classpath("application.yaml")));
        assertEquals(RecordTexts.generated(cfg), cfg.toString());
        assertEquals(RecordTexts.generated(cfg.mergeSettings()), cfg.mergeSettings().toString());
    }
}
