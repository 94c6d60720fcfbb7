package moe.ids.scraper;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import moe.ids.testing.RecordTexts;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The scraper's settings as they are logged at start (the HTTP and web settings redact their secrets). */
class ScraperConfigTest {
    @Test
    void theLoggedTextIsTheRecordsGeneratedOneWithEveryComponent() {
        ScraperConfig cfg = ScraperConfig.from(Config.just(ConfigSources.classpath("application.yaml")));
        assertEquals(RecordTexts.generated(cfg), cfg.toString());
        assertEquals(RecordTexts.generated(cfg.web().kaize()), cfg.web().kaize().toString());
    }
}
