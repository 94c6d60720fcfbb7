package moe.ids.http;

/** A service's web server could not start (a port taken, an address not on this host, …); the message says which. */
public final class ServerStartException extends RuntimeException {
    /**
     * @param message what failed, naming the setting
     */
    public ServerStartException(String message) {
        super(message);
    }
}
