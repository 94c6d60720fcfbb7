package moe.ids.ingestor;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import moe.ids.testing.RecordTexts;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ingestor's settings as they are logged at start. */
class IngestorConfigTest {
    @Test
    void theLoggedTextIsTheRecordsGeneratedOneWithEveryComponent() {
        IngestorConfig cfg = IngestorConfig.from(Config.just(ConfigSources.classpath("application.yaml")));
        assertEquals(RecordTexts.generated(cfg), cfg.toString());
        assertEquals(RecordTexts.generated(cfg.tuning()), cfg.tuning().toString());
    }
}
