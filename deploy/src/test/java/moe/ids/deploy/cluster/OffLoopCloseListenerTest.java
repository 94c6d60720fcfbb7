package moe.ids.deploy.cluster;

import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OffLoopCloseListenerTest {
    /** A store listener that, like fabric8's, blocks in its close callbacks until its sender is done. */
    private static final class Blocking extends WebSocketListener {
        final CountDownLatch senderDone = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(2);

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            await();
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
            await();
        }

        private void await() {
            try {
                senderDone.await();
                closed.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void closeAndFailureCallbacksReturnAtOnceAndStillReachTheStoresListener() throws InterruptedException {
        Blocking store = new Blocking();
        WebSocketListener listener = new OffLoopCloseListener(store);

        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            listener.onFailure(null, new IllegalStateException("connection reset"), null);
            listener.onClosed(null, 1000, "bye");
        }, "the event loop would wait for the store's sender");
        assertEquals(2, store.closed.getCount(), "both callbacks still wait for the sender, on their own threads");

        store.senderDone.countDown();
        assertTrue(store.closed.await(10, TimeUnit.SECONDS), "both callbacks reached the store's listener");
    }
}
