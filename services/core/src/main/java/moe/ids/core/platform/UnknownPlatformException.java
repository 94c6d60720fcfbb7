package moe.ids.core.platform;

import moe.ids.core.error.NotFoundException;

/** A platform name, code or alias that the registry does not know. */
public class UnknownPlatformException extends NotFoundException {
    private final String name;

    /**
     * @param name the name as given by the caller
     */
    public UnknownPlatformException(String name) {
        super("Platform " + name + " not found, please check if it is a valid platform");
        this.name = name;
    }

    /**
     * @return the name as given by the caller
     */
    public String name() {
        return name;
    }
}
