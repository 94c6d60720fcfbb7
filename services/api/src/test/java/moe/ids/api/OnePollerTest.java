package moe.ids.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Main#onePoller()}: one JDK read poller unless the command line chose a number. */
class OnePollerTest {
    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty("jdk.readPollers");
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty("jdk.readPollers");
        } else {
            System.setProperty("jdk.readPollers", saved);
        }
    }

    @Test
    void setsOneWhenNotGiven() {
        System.clearProperty("jdk.readPollers");
        Main.onePoller();
        assertEquals("1", System.getProperty("jdk.readPollers"));
    }

    @Test
    void keepsWhatWasGiven() {
        System.setProperty("jdk.readPollers", "4");
        Main.onePoller();
        assertEquals("4", System.getProperty("jdk.readPollers"));
    }
}
