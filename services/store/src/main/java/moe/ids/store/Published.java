package moe.ids.store;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/**
 * A whole published dataset at one version, as {@link RedisStore#load} writes it into a new generation.
 *
 * @param version   the change-set version it is the state of (0 when none)
 * @param createdAt when that version was created, or null
 * @param report    its merge report, or null
 * @param entries   internal ID → canonical JSON bytes, in ID order
 * @param mappings  mapping key → internal ID
 */
public record Published(long version, Instant createdAt, JsonNode report, List<IdJson> entries,
                        List<KeyId> mappings) {
    /**
     * One entry.
     *
     * @param id   internal ID
     * @param json canonical bytes
     */
    public record IdJson(long id, byte[] json) {
    }

    /**
     * One mapping.
     *
     * @param key mapping key
     * @param id  internal ID
     */
    public record KeyId(String key, long id) {
    }
}
