package moe.ids.api.http;

import moe.ids.core.entry.MappingKeys;
import moe.ids.core.platform.IdType;
import moe.ids.core.platform.Platform;
import moe.ids.core.platform.Platforms;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns what a client typed into a mapping key (pure functions, no I/O): platform names, codes and aliases
 * case-insensitively, IDs percent-decoded exactly once ({@code +} stays {@code +}), {@code .json}/{@code .html}
 * suffixes dropped, integer IDs in plain decimal ({@code 007} → {@code 7}), the Shikimori letter prefix stripped,
 * Trakt {@code show(s)|movie(s)/{id}[/season(s)/{n}]} and TMDB {@code movie/{id}} forms. An ID that cannot exist
 * on its platform (letters for an integer platform) resolves to {@link Key#impossible()} and is answered 404
 * without asking Redis.
 */
public final class LookupKeys {
    /** Longest ID accepted (bytes after decoding). */
    public static final int MAX_ID_LENGTH = 256;
    private static final int MAX_INT_DIGITS = 10;

    private LookupKeys() {
    }

    /**
     * A resolved lookup.
     *
     * @param mappingKey the tier-1 key, or null when the ID cannot exist
     * @param message    builds the 404 message (only when needed)
     */
    public record Key(String mappingKey, java.util.function.Supplier<String> message) {
        /**
         * @return the 404 message
         */
        public String notFound() {
            return message.get();
        }

        /**
         * @return true when Redis need not be asked
         */
        public boolean impossible() {
            return mappingKey == null;
        }
    }

    /**
     * The platforms a lookup or batch may name: the registry's lookup platforms plus the numeric companions
     * {@code kaize_id} and {@code nautiljon_id} (mapping keys of their own, as in the original API).
     *
     * @param raw the name as typed (already decoded)
     * @return canonical name and ID type, or empty when unknown
     */
    public static Optional<Platform> platform(String raw) {
        String s = raw.strip().toLowerCase(Locale.ROOT);
        if (s.equals("kaize_id") || s.equals("nautiljon_id")) {
            return Optional.of(new Platform(s, "", List.of(), IdType.INT, "{id}", Optional.empty()));
        }
        return Platforms.find(s);
    }

    /**
     * The registry platform whose pages a lookup platform's entries are shown on: {@code kaize_id} and
     * {@code nautiljon_id} have no page template of their own (their pages are addressed by the slug), so a redirect
     * from them defaults to {@code kaize} and {@code nautiljon}.
     *
     * @param lookup a platform from {@link #platform}
     * @return the registry platform
     */
    public static Platform pagePlatform(Platform lookup) {
        return switch (lookup.name()) {
            case "kaize_id" -> Platforms.resolve("kaize");
            case "nautiljon_id" -> Platforms.resolve("nautiljon");
            default -> lookup;
        };
    }

    /**
     * @param platform platform (not trakt/themoviedb)
     * @param id       decoded ID
     * @return the key
     */
    public static Key plain(Platform platform, String id) {
        java.util.function.Supplier<String> msg = () -> "Platform " + platform.name() + " with ID " + id + " not found";
        String norm = id;
        if (platform.name().equals("shikimori")) {
            int i = 0;
            while (i < norm.length() && Character.isLetter(norm.charAt(i)) && norm.charAt(i) < 128) {
                i++;
            }
            norm = norm.substring(i);
        }
        if (platform.idType() == IdType.INT) {
            norm = integer(norm);
            if (norm == null) {
                return new Key(null, msg);
            }
        }
        return new Key(MappingKeys.plain(platform.name(), norm), msg);
    }

    /**
     * Trakt: {@code [type, id]} or {@code [type, id, season|seasons, n]}; type {@code show(s)} or
     * {@code movie(s)}.
     *
     * @param parts decoded path segments after the platform
     * @return the key
     * @throws ApiException.Invalid on a malformed form, a non-integer ID or season, or season 0
     */
    public static Key trakt(List<String> parts) {
        if (parts.size() < 2 || parts.size() == 3 || parts.size() > 4) {
            throw new ApiException.Invalid("Invalid request", "Invalid Trakt URL format, expected "
                    + "/trakt/{shows|movies}/{id}[/seasons/{n}]");
        }
        String type = switch (parts.get(0).toLowerCase(Locale.ROOT)) {
            case "show", "shows" -> "shows";
            case "movie", "movies" -> "movies";
            default -> throw new ApiException.Invalid("Invalid request", "Trakt media type must be shows or movies");
        };
        String id = integer(parts.get(1));
        if (id == null) {
            throw new ApiException.Invalid("Invalid Trakt ID", "Trakt ID for " + type + "/" + parts.get(1)
                    + " is not an `int`. Please convert the slug to `int` ID using Trakt API to proceed");
        }
        if (parts.size() == 2) {
            return new Key(MappingKeys.trakt(type, Long.parseLong(id), null),
                    () -> "Media type " + type + " with ID " + id + " not found");
        }
        String word = parts.get(2).toLowerCase(Locale.ROOT);
        if (!word.equals("season") && !word.equals("seasons")) {
            throw new ApiException.Invalid("Invalid request", "Invalid Trakt URL format, expected "
                    + "/trakt/{shows|movies}/{id}[/seasons/{n}]");
        }
        if (type.equals("movies")) {
            throw new ApiException.Invalid("Invalid season ID", "Movies have no seasons");
        }
        String season = integer(parts.get(3));
        if (season == null) {
            throw new ApiException.Invalid("Invalid season ID", "Season ID must be a positive integer");
        }
        if (season.equals("0")) {
            throw new ApiException.Invalid("Invalid season ID", "Season ID cannot be 0");
        }
        return new Key(MappingKeys.trakt(type, Long.parseLong(id), Integer.parseInt(season)),
                () -> "Media type " + type + " with ID " + id + " and season ID " + season + " not found");
    }

    /**
     * TMDB: {@code [movie, id]} or just {@code [id]} (a movie).
     *
     * @param parts decoded path segments after the platform
     * @return the key
     * @throws ApiException.Invalid for {@code tv}, seasons and malformed forms
     */
    public static Key themoviedb(List<String> parts) {
        if (parts.size() == 1) {
            return movie(parts.get(0));
        }
        String type = parts.get(0).toLowerCase(Locale.ROOT);
        if (type.equals("tv") || parts.size() > 2 && parts.get(2).toLowerCase(Locale.ROOT).startsWith("season")) {
            throw new ApiException.Invalid("Invalid request", "Currently, only `movie` are supported");
        }
        if (parts.size() != 2 || !(type.equals("movie") || type.equals("movies"))) {
            throw new ApiException.Invalid("Invalid request", "Invalid TMDB URL format, expected "
                    + "/themoviedb/movie/{id}");
        }
        return movie(parts.get(1));
    }

    private static Key movie(String raw) {
        String id = integer(raw);
        java.util.function.Supplier<String> msg = () -> "Media type movie with ID " + raw + " not found";
        return id == null ? new Key(null, msg) : new Key(MappingKeys.themoviedbMovie(Long.parseLong(id)), msg);
    }

    /**
     * @param s text
     * @return plain decimal form of a non-negative 32-bit integer, or null when {@code s} is not one
     */
    public static String integer(String s) {
        if (s.isEmpty() || s.length() > MAX_INT_DIGITS + 8) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        long v = Long.parseLong(s);
        return v > Integer.MAX_VALUE ? null : Long.toString(v);
    }

    /**
     * Decodes one percent-encoded path segment (or query value) once: {@code %XX} sequences as UTF-8, {@code +}
     * kept. Rejects malformed escapes, invalid UTF-8, control characters and over-long IDs.
     *
     * @param raw raw text
     * @return decoded text
     * @throws ApiException.Invalid when it cannot be a valid ID
     */
    public static String decode(String raw) {
        if (raw.length() > MAX_ID_LENGTH * 3) {
            throw tooLong();
        }
        String out;
        if (raw.indexOf('%') < 0) {
            out = raw;
        } else {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c == '%') {
                    if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
                            || Character.digit(raw.charAt(i + 2), 16) < 0) {
                        throw new ApiException.Invalid("Invalid request", "Malformed percent-encoding in the ID");
                    }
                    bytes.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
                    i += 2;
                } else if (c < 128) {
                    bytes.write(c);
                } else {
                    byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                    bytes.write(b, 0, b.length);
                }
            }
            try {
                out = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
            } catch (CharacterCodingException ex) {
                throw new ApiException.Invalid("Invalid request", "The ID is not valid UTF-8");
            }
        }
        return checked(out);
    }

    /**
     * @param id decoded ID
     * @return the ID
     * @throws ApiException.Invalid when empty, too long or containing control characters
     */
    public static String checked(String id) {
        if (id.isEmpty()) {
            throw new ApiException.Invalid("Invalid platform ID", "The ID is empty");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw tooLong();
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new ApiException.Invalid("Invalid request", "The ID contains control characters");
            }
        }
        return id;
    }

    /**
     * @param id decoded last segment
     * @return the ID without one trailing {@code .json}, then one {@code .html}
     */
    public static String stripSuffix(String id) {
        String s = id;
        if (s.endsWith(".json")) {
            s = s.substring(0, s.length() - 5);
        }
        if (s.endsWith(".html")) {
            s = s.substring(0, s.length() - 5);
        }
        return s;
    }

    private static ApiException.Invalid tooLong() {
        return new ApiException.Invalid("Invalid request", "The ID is longer than " + MAX_ID_LENGTH + " characters");
    }
}
