package moe.ids.scraper.http;

import moe.ids.core.error.IdsMoeException;

/** An upstream request that failed after its retries (I/O error or an error status). */
public class UpstreamException extends IdsMoeException {
    private final int status;

    /**
     * @param message what failed, naming the URL
     * @param status  last HTTP status, or 0 for an I/O error
     * @param cause   underlying error, may be null
     */
    public UpstreamException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /**
     * @return last HTTP status, or 0 for an I/O error
     */
    public int status() {
        return status;
    }
}
