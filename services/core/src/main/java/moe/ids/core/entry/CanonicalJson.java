package moe.ids.core.entry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The canonical JSON of an {@link AnimeEntry}: keys in {@link AnimeEntry#KEYS} order, {@code null} for
 * unknown, compact, UTF-8 with non-ASCII written raw. These are the exact bytes Redis stores and the API
 * serves; their SHA-256 is the entry's content hash for change detection.
 */
public final class CanonicalJson {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private CanonicalJson() {
    }

    /**
     * @param e the entry
     * @return canonical bytes
     */
    public static byte[] toBytes(AnimeEntry e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /**
     * Writes the entry as one JSON object to a generator (used by the change-set codec and dumps).
     *
     * @param g generator positioned where a value may start
     * @param e the entry
     * @throws IOException from the generator
     */
    public static void write(JsonGenerator g, AnimeEntry e) throws IOException {
        g.writeStartObject();
            str(g, "title", e.title());
            num(g, "anidb", e.anidb());
            num(g, "anilist", e.anilist());
            num(g, "animenewsnetwork", e.animenewsnetwork());
            str(g, "animeplanet", e.animeplanet());
            num(g, "anisearch", e.anisearch());
            num(g, "annict", e.annict());
            str(g, "imdb", e.imdb());
            str(g, "kaize", e.kaize());
            num(g, "kaize_id", e.kaizeId());
            num(g, "kitsu", e.kitsu());
            num(g, "livechart", e.livechart());
            num(g, "myanimelist", e.myanimelist());
            str(g, "nautiljon", e.nautiljon());
            num(g, "nautiljon_id", e.nautiljonId());
            str(g, "notify", e.notifyMoe());
            num(g, "otakotaku", e.otakotaku());
            num(g, "shikimori", e.shikimori());
            num(g, "shoboi", e.shoboi());
            num(g, "silveryasha", e.silveryasha());
            num(g, "simkl", e.simkl());
            num(g, "themoviedb", e.themoviedb());
            num(g, "trakt", e.trakt());
            str(g, "trakt_type", e.traktType());
            num(g, "trakt_season", e.traktSeason());
            num(g, "thetvdb", e.thetvdb());
            num(g, "themoviedb_tv", e.themoviedbTv());
        g.writeEndObject();
    }

    /**
     * @param json canonical (or any key order) JSON object of an entry
     * @return the entry
     * @throws IllegalArgumentException when the JSON is not an entry
     */
    public static AnimeEntry parse(byte[] json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            p.nextToken();
            return read(p);
        } catch (IOException ex) {
            throw new IllegalArgumentException("not an entry: " + ex.getMessage(), ex);
        }
    }

    /**
     * Reads one entry object; the parser must be on its START_OBJECT and is left on its END_OBJECT.
     *
     * @param p parser
     * @return the entry
     * @throws IOException on malformed JSON or a value of the wrong type
     */
    public static AnimeEntry read(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new IOException("entry must be a JSON object, found " + p.currentToken());
        }
        AnimeEntry.Builder b = AnimeEntry.builder(null);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken t = p.nextToken();
            if (!AnimeEntry.KEYS.contains(key)) {
                throw new IOException("unknown entry key: " + key);
            }
            if (t == JsonToken.VALUE_NULL) {
                b.set(key, null);
            } else if (AnimeEntry.STRING_KEYS.contains(key)) {
                if (t != JsonToken.VALUE_STRING) {
                    throw new IOException(key + " must be a string");
                }
                b.set(key, p.getText());
            } else {
                if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                    throw new IOException(key + " must be a 32-bit integer");
                }
                b.set(key, p.getIntValue());
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException ex) {
            throw new IOException(ex.getMessage(), ex);
        }
    }

    /**
     * @param e the entry
     * @return lower-case hex SHA-256 of its canonical bytes
     */
    public static String hash(AnimeEntry e) {
        return sha256Hex(toBytes(e));
    }

    /**
     * @param bytes any bytes
     * @return lower-case hex SHA-256
     */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void str(JsonGenerator g, String key, String v) throws IOException {
        if (v == null) {
            g.writeNullField(key);
        } else {
            g.writeStringField(key, v);
        }
    }

    private static void num(JsonGenerator g, String key, Integer v) throws IOException {
        if (v == null) {
            g.writeNullField(key);
        } else {
            g.writeNumberField(key, v.intValue());
        }
    }
}
