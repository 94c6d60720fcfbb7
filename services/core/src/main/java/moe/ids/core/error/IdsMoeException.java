package moe.ids.core.error;

/**
 * Base of the few named unchecked exceptions of the project. Each subclass maps to one HTTP status
 * in the API's single error mapper; the message is safe to show to a client.
 */
public class IdsMoeException extends RuntimeException {
    /**
     * @param message client-safe message
     */
    public IdsMoeException(String message) {
        super(message);
    }

    /**
     * @param message client-safe message
     * @param cause   underlying cause (not shown to clients)
     */
    public IdsMoeException(String message, Throwable cause) {
        super(message, cause);
    }
}
