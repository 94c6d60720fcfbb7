package moe.ids.core.snapshot;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A step started ahead of its turn runs on "go" only. */
class StepGateTest {
    private static InputStream input(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withoutTheVariableAStepStartsAtOnceWithoutReadingItsInput() {
        InputStream never = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("read without a gate");
            }
        };
        assertTrue(StepGate.await("merge", null, never).go());
    }

    @Test
    void goStartsTheStep() {
        StepGate.Turn turn = StepGate.await("merge", "stdin", input("go\n"));
        assertTrue(turn.go());
        assertEquals("77", turn.holder("77"), "no holder named: the one known otherwise");
    }

    @Test
    void aTurnMayNameTheRefreshLocksHolder() {
        StepGate.Turn turn = StepGate.await("scrape", "stdin", input("go 4242\n"));
        assertTrue(turn.go());
        assertEquals("4242", turn.holder(null));
    }

    @Test
    void anyOtherLineEndsTheStepWithNothingDone() {
        assertFalse(StepGate.await("merge", "stdin", input("skip\n")).go());
    }

    @Test
    void theEndOfTheInputEndsTheStepWithNothingDone() {
        assertFalse(StepGate.await("merge", "stdin", input("")).go());
    }
}
