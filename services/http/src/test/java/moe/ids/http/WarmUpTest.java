package moe.ids.http;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up steps run beside the caller, in order, past a failing one. */
class WarmUpTest {
    @Test
    void theStepsRunInOrderOnADaemonThreadPastAFailingOne() throws InterruptedException {
        List<String> ran = new CopyOnWriteArrayList<>();
        List<Thread> on = new CopyOnWriteArrayList<>();
        Thread t = WarmUp.start("test-warm-up", () -> {
            on.add(Thread.currentThread());
            ran.add("first");
        }, () -> {
            throw new IllegalStateException("a library that cannot start here");
        }, () -> ran.add("third"));
        t.join(5_000);
        assertEquals(List.of("first", "third"), ran);
        assertTrue(t.isDaemon(), "never keeps the process alive");
        assertNotSame(Thread.currentThread(), on.getFirst());
    }
}
