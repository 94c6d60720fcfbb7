package moe.ids.core.redis;

import java.util.Objects;

/**
 * The Redis key scheme, in one place. Tier 1 {@code {prefix}m:{mapping key}} → internal ID;
 * tier 2 {@code {prefix}a:{internal id}} → the entry's canonical JSON; {@code {prefix}meta} → applied version,
 * time, counts and source freshness. The prefix (default {@code ids:}) lets several installations or test runs
 * share one Redis.
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
     * @param mappingKey e.g. {@code myanimelist/1} (see {@link moe.ids.core.entry.MappingKeys})
     * @return the tier-1 key
     */
    public String mapping(String mappingKey) {
        return prefix + "m:" + mappingKey;
    }

    /**
     * @param internalId the anime's internal ID
     * @return the tier-2 key
     */
    public String anime(long internalId) {
        return prefix + "a:" + internalId;
    }

    /**
     * @return the metadata hash key
     */
    public String meta() {
        return prefix + "meta";
    }

    /**
     * @return a SCAN/KEYS pattern matching every key of this scheme
     */
    public String all() {
        return prefix + "*";
    }
}
