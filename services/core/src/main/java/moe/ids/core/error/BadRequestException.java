package moe.ids.core.error;

/** Input that can never succeed as sent (HTTP 400). */
public class BadRequestException extends IdsMoeException {
    /**
     * @param message client-safe message
     */
    public BadRequestException(String message) {
        super(message);
    }
}
