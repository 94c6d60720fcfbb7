package moe.ids.store;

import java.util.Objects;

/**
 * The key prefix every key of one installation starts with (default {@code ids:}), so several installations or
 * test runs can share one Redis; {@link Layout} builds the keys under it.
 *
 * @param prefix key prefix, e.g. {@code ids:}
 */
public record RedisKeys(String prefix) {
    /** Default prefix. */
    public static final String DEFAULT_PREFIX = "ids:";

    /** Validates the prefix. */
    public RedisKeys {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("redis key prefix must not contain blanks or controls: " + prefix);
        }
    }

    /**
     * @return the metadata hash key
     */
    public String meta() {
        return prefix + "meta";
    }
}
