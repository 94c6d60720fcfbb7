package moe.ids.core.error;

/** Configuration that cannot work; the message names the variable or key. Fails start-up. */
public class ConfigException extends IdsMoeException {
    /**
     * @param message names the setting and what is wrong with it
     */
    public ConfigException(String message) {
        super(message);
    }
}
