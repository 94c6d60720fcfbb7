package moe.ids.core.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A record's text written out by hand reads as the generated one. */
class RecordTextTest {
    private record Sample(int port, String name, Duration timeout, String none) {
    }

    @Test
    void readsAsTheGeneratedText() {
        Sample s = new Sample(8080, "x", Duration.ofSeconds(5), null);
        assertEquals(s.toString(), RecordText.of("Sample", "port", 8080, "name", "x", "timeout", Duration.ofSeconds(5),
                "none", null));
        assertEquals("Empty[]", RecordText.of("Empty"));
    }

    @Test
    void aNameWithoutItsValueIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RecordText.of("Sample", "port"));
    }
}
