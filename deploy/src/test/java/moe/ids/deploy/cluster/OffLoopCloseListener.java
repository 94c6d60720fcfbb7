package moe.ids.deploy.cluster;

import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

/**
 * A watch's WebSocket listener whose close and failure callbacks run off the server's event loop.
 *
 * <p>fabric8's mock answers a watch with a listener that, when the socket closes or fails, waits (up to a
 * minute) for its own sender thread to finish; that sender waits (up to 30 s) for a write the event loop must
 * carry out. Called on the event loop, as the mock server calls it, the two wait on each other: a pod killed
 * while an event to its watch is in flight (a merger leader killed by a test) freezes every request to the
 * stand-in API server for 30 s. Running those two callbacks on their own thread keeps the loop free; the rest
 * is delegated as is.
 */
final class OffLoopCloseListener extends WebSocketListener {
    private final WebSocketListener delegate;

    /** @param delegate the store's listener; its close and failure callbacks run on a new virtual thread each */
    OffLoopCloseListener(WebSocketListener delegate) {
        this.delegate = delegate;
    }

    private static void offLoop(Runnable callback) {
        Thread.ofVirtual().name("watch-close").start(callback);
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
        delegate.onBeforeAccept(webSocket, response);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        delegate.onOpen(webSocket, response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        delegate.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
        delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
        delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onPing(WebSocket webSocket, byte[] bytes) {
        delegate.onPing(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        delegate.onClosing(webSocket, code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        offLoop(() -> delegate.onClosed(webSocket, code, reason));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
        offLoop(() -> delegate.onFailure(webSocket, failure, response));
    }
}
