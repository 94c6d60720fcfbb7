package moe.ids.scraper.web;

import moe.ids.core.error.IdsMoeException;

/** A page that could not be used (error status, malformed or incomplete content); it is retried, then reported. */
public class PageException extends IdsMoeException {
    /**
     * @param message what is wrong with the page
     */
    public PageException(String message) {
        super(message);
    }
}
