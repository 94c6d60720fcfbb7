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
    void oneLinePerKindPerIntervalCountingTheRest() {
        Lines out = new Lines();
        long[] now = {1_000};
        RateLimitedLog log = new RateLimitedLog(out, Duration.ofMillis(200), () -> now[0]);
        assertTrue(log.log(System.Logger.Level.INFO, "400", "rejected {0}", 1));
        for (int i = 0; i < 1000; i++) {
            assertFalse(log.log(System.Logger.Level.INFO, "400", "rejected {0}", i));
        }
        assertTrue(log.log(System.Logger.Level.INFO, "505", "rejected {0}", "other kind"));
        now[0] += Duration.ofMillis(199).toNanos();
        assertFalse(log.log(System.Logger.Level.INFO, "400", "rejected {0}", 0));
        now[0] += Duration.ofMillis(2).toNanos();
        assertTrue(log.log(System.Logger.Level.INFO, "400", "rejected {0}", 2));
        assertEquals(List.of("rejected 1", "rejected other kind",
                "rejected 2 (and 1001 more like it since the last such line)"), out.lines);
    }
}
