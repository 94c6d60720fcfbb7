package moe.ids.core.error;

/**
 * Another refresh holds the database's refresh lock ({@code moe.ids.db.RefreshLock}); nothing was changed. The
 * command-line refresh and scraper exit with {@link #EXIT}; the Refresh controller retries later.
 */
public class RefreshBusyException extends UnavailableException {
    /** Exit code when the refresh was refused: 75, EX_TEMPFAIL of sysexits.h ("try again later"). */
    public static final int EXIT = 75;

    /**
     * @param message names the holder, e.g. {@code another refresh is running on this database (pid 4242 since …)}
     */
    public RefreshBusyException(String message) {
        super(message, null);
    }
}
