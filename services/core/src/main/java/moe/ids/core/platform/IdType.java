package moe.ids.core.platform;

/** How a platform writes its IDs. */
public enum IdType {
    /** Decimal integer, printed in plain notation. */
    INT,
    /** Case-sensitive string (slug, hash, {@code tt…}). */
    STRING
}
