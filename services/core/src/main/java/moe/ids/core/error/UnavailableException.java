package moe.ids.core.error;

/** A backing store (Redis, PostgreSQL) or upstream cannot be used right now (HTTP 503). */
public class UnavailableException extends IdsMoeException {
    /**
     * @param message client-safe message
     * @param cause   underlying cause
     */
    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
