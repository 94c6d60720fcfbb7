package moe.ids.core.error;

/** Something asked for does not exist (HTTP 404). */
public class NotFoundException extends IdsMoeException {
    /**
     * @param message client-safe message
     */
    public NotFoundException(String message) {
        super(message);
    }
}
