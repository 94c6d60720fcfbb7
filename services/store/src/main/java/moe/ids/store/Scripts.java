package moe.ids.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The read protocol's Lua scripts, each written once in this package's resources and loaded once per process.
 *
 * <p>{@link #LOOKUP} ({@code lookup.lua}) resolves mapping keys through both tiers in one atomic, read-only call:
 * it reads meta's pointer ({@code version}, {@code gen}, {@code mbuckets}, {@code abuckets}), then each key's
 * tier-1 bucket (the {@link Layout#mappingBucket} hash, computed in the script, or taken from the arguments when
 * the caller's expected generation and bucket count still hold) and the found ID's tier-2 bucket. In the one-hash
 * layout every key is one tier-1 {@code HMGET} and every entry one tier-2 {@code HMGET}. A miss costs one
 * {@code EXISTS} of the bucket it missed in, so that a bucket missing from a non-empty dataset answers an empty
 * string ({@link Layout#lost}: lost data, a 503), never an unknown key (a cacheable 404). The API's pipelined
 * connections ({@link ScriptPipe}) and the blocking {@link RedisReader} both call it.
 *
 * <p>{@link #ENTRIES} ({@code entries.lua}) reads entries by internal ID from tier 2 the same way.
 */
public final class Scripts {
    /** Mapping keys → version, IDs and entries. */
    public static final Script LOOKUP = load("lookup.lua");
    /** Internal IDs → version and entries. */
    public static final Script ENTRIES = load("entries.lua");

    private Scripts() {
    }

    /**
     * One Lua script.
     *
     * @param source its UTF-8 source, as sent with {@code EVAL} / {@code SCRIPT LOAD}
     * @param sha    its SHA-1 in lower-case hex, as {@code EVALSHA} takes it
     */
    public record Script(byte[] source, byte[] sha) {
    }

    private static Script load(String name) {
        try (InputStream in = Scripts.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("script " + name + " is missing from the store module's resources");
            }
            byte[] source = in.readAllBytes();
            return new Script(source, sha1(source));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static byte[] sha1(byte[] script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script))
                    .getBytes(StandardCharsets.US_ASCII);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
