package moe.ids.scraper.source;

import moe.ids.core.error.IdsMoeException;

/** Upstream content that does not have the expected shape; the message says what is wrong. */
public class InvalidSourceException extends IdsMoeException {
    /**
     * @param message what is wrong with the document
     */
    public InvalidSourceException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong with the document
     * @param cause   parser error
     */
    public InvalidSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
