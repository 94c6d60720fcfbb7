package moe.ids.core.changeset;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Encodes change sets as the JSON document the outbox stores
 * ({@code {version, base, created_at, upsert:[{id, entry}], delete:[id], map_set:{key:id}, map_del:[key]}}),
 * gzip-compressed for the outbox. Streaming Jackson, so 100k-entry sets stay cheap.
 */
public final class ChangeSetCodec {
    /** Format marker written as {@code format}; a decoder refuses other values. */
    public static final int FORMAT = 1;

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private ChangeSetCodec() {
    }

    /**
     * @param cs change set
     * @return its JSON, UTF-8
     */
    public static byte[] toJson(ChangeSet cs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + cs.upsert().size() * 400);
        write(cs, out);
        return out.toByteArray();
    }

    /**
     * @param cs change set
     * @return gzip of its JSON (what the outbox stores)
     */
    public static byte[] toCompressed(ChangeSet cs) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + cs.upsert().size() * 100);
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 1 << 16)) {
            write(cs, gz);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    /**
     * @param json JSON as written by {@link #toJson}
     * @return the change set
     * @throws IllegalArgumentException when the document is malformed
     */
    public static ChangeSet fromJson(byte[] json) {
        return read(new ByteArrayInputStream(json));
    }

    /**
     * @param gzip bytes as written by {@link #toCompressed}
     * @return the change set
     * @throws IllegalArgumentException when the document is malformed
     */
    public static ChangeSet fromCompressed(byte[] gzip) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip), 1 << 16)) {
            return read(in);
        } catch (IOException ex) {
            throw new IllegalArgumentException("change set is not valid gzip: " + ex.getMessage(), ex);
        }
    }

    private static void write(ChangeSet cs, OutputStream out) {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("format", FORMAT);
            g.writeNumberField("version", cs.version());
            g.writeNumberField("base", cs.base());
            g.writeStringField("created_at", cs.createdAt().toString());
            g.writeArrayFieldStart("upsert");
            for (ChangeSet.Upsert u : cs.upsert()) {
                g.writeStartObject();
                g.writeNumberField("id", u.id());
                g.writeFieldName("entry");
                CanonicalJson.write(g, u.entry());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("delete");
            for (long id : cs.delete()) {
                g.writeNumber(id);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("map_set");
            for (Map.Entry<String, Long> e : cs.mapSet().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("map_del");
            for (String key : cs.mapDel()) {
                g.writeString(key);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static ChangeSet read(InputStream in) {
        try (JsonParser p = FACTORY.createParser(in)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, "change set");
            Long version = null;
            Long base = null;
            Instant created = null;
            List<ChangeSet.Upsert> upsert = new ArrayList<>();
            List<Long> delete = new ArrayList<>();
            Map<String, Long> mapSet = new LinkedHashMap<>();
            List<String> mapDel = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "format" -> {
                        if (p.getIntValue() != FORMAT) {
                            throw new IOException("unsupported change-set format " + p.getText());
                        }
                    }
                    case "version" -> version = longValue(p, t, field);
                    case "base" -> base = longValue(p, t, field);
                    case "created_at" -> created = Instant.parse(p.getValueAsString());
                    case "upsert" -> {
                        expect(t, JsonToken.START_ARRAY, field);
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            upsert.add(readUpsert(p));
                        }
                    }
                    case "delete" -> {
                        expect(t, JsonToken.START_ARRAY, field);
                        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                            delete.add(longValue(p, t, field));
                        }
                    }
                    case "map_set" -> {
                        expect(t, JsonToken.START_OBJECT, field);
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String key = p.currentName();
                            mapSet.put(key, longValue(p, p.nextToken(), field));
                        }
                    }
                    case "map_del" -> {
                        expect(t, JsonToken.START_ARRAY, field);
                        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                            expect(t, JsonToken.VALUE_STRING, field);
                            mapDel.add(p.getText());
                        }
                    }
                    default -> throw new IOException("unknown change-set field " + field);
                }
            }
            if (version == null || base == null || created == null) {
                throw new IOException("change set lacks version, base or created_at");
            }
            return new ChangeSet(version, base, created, upsert, delete, mapSet, mapDel);
        } catch (IOException | RuntimeException ex) {
            throw new IllegalArgumentException("malformed change set: " + ex.getMessage(), ex);
        }
    }

    private static ChangeSet.Upsert readUpsert(JsonParser p) throws IOException {
        Long id = null;
        AnimeEntry entry = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "id" -> id = longValue(p, t, field);
                case "entry" -> entry = CanonicalJson.read(p);
                default -> throw new IOException("unknown upsert field " + field);
            }
        }
        if (id == null || entry == null) {
            throw new IOException("upsert lacks id or entry");
        }
        return new ChangeSet.Upsert(id, entry);
    }

    private static long longValue(JsonParser p, JsonToken t, String field) throws IOException {
        expect(t, JsonToken.VALUE_NUMBER_INT, field);
        return p.getLongValue();
    }

    private static void expect(JsonToken actual, JsonToken expected, String what) throws IOException {
        if (actual != expected) {
            throw new IOException(what + ": expected " + expected + ", found " + actual);
        }
    }
}
