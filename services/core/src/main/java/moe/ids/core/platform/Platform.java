package moe.ids.core.platform;

import java.util.List;
import java.util.Optional;

/**
 * One platform of the registry ({@link Platforms}).
 *
 * @param name        canonical lower-case name, e.g. {@code myanimelist}
 * @param code        two-letter code, e.g. {@code ma}
 * @param aliases     every other accepted spelling (lower case)
 * @param idType      how the platform writes IDs
 * @param urlTemplate page URL with one {@code {id}} placeholder
 * @param builtFrom   for redirect-only targets, the platform whose ID fills the template; empty otherwise
 */
public record Platform(String name, String code, List<String> aliases, IdType idType, String urlTemplate,
                       Optional<String> builtFrom) {

    /** Validates the record. */
    public Platform {
        aliases = List.copyOf(aliases);
        if (!urlTemplate.contains("{id}")) {
            throw new IllegalArgumentException("template of " + name + " has no {id}");
        }
    }

    /**
     * @return true for targets that have no data of their own (kurozora, letterboxd, myanili)
     */
    public boolean redirectOnly() {
        return builtFrom.isPresent();
    }

    /**
     * The page URL of an ID on this platform. String IDs are percent-encoded except for the characters
     * that platforms use verbatim in slugs, so no user text can add a path, query, host or header line.
     *
     * @param id the platform's own ID (for redirect-only targets: the ID on {@link #builtFrom()})
     * @return absolute https URL
     */
    public String pageUrl(String id) {
        return urlTemplate.replace("{id}", encodeSegment(id));
    }

    /**
     * @param id integer ID
     * @return absolute https URL, the ID in plain decimal notation
     */
    public String pageUrl(long id) {
        return urlTemplate.replace("{id}", Long.toString(id));
    }

    /**
     * Percent-encodes one path segment: unreserved characters and the sub-delimiters slugs use
     * ({@code + - _ . ~ ! ' ( ) * , ; : @ = &}) stay, everything else (including {@code / ? # %}, spaces,
     * controls and non-ASCII) is UTF-8 percent-encoded.
     *
     * @param raw segment text
     * @return encoded segment
     */
    public static String encodeSegment(String raw) {
        StringBuilder out = new StringBuilder(raw.length() + 8);
        for (byte b : raw.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "+-_.~!'()*,;:@=&".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
