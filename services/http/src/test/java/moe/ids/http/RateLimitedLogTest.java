package moe.ids.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimitedLogTest {
    /** Collects lines. */
    private static final class Lines implements System.Logger {
        private final List<String> lines = new ArrayList<>();

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(format);
        }
    }

    @Test
    void oneLinePerKindPerIntervalCountingTheRest() throws InterruptedException {
        Lines out = new Lines();
        RateLimitedLog log = new RateLimitedLog(out, Duration.ofMillis(200));
        assertTrue(log.log(System.Logger.Level.INFO, "400", "rejected {0}", 1));
        for (int i = 0; i < 1000; i++) {
            assertFalse(log.log(System.Logger.Level.INFO, "400", "rejected {0}", i));
        }
        assertTrue(log.log(System.Logger.Level.INFO, "505", "rejected {0}", "other kind"));
        Thread.sleep(250); // the interval itself is what is tested
        assertTrue(log.log(System.Logger.Level.INFO, "400", "rejected {0}", 2));
        assertEquals(List.of("rejected 1", "rejected other kind",
                "rejected 2 (and 1000 more like it since the last such line)"), out.lines);
    }
}
