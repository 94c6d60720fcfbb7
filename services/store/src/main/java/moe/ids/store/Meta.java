package moe.ids.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code {prefix}meta} hash: which generation is served, at which change-set version, and what
 * {@code /status} shows. Hash fields: {@code version}, {@code gen}, {@code mbuckets}, {@code abuckets},
 * {@code applied_at} and {@code created_at} (ISO-8601 instants), {@code counts} (JSON object platform → n plus
 * {@code total}), {@code sources} (JSON object name → {updated, records, result}).
 *
 * @param version        applied change-set version (0 = the empty published state)
 * @param generation     served generation (key namespace {@code {prefix}g{gen}:})
 * @param mappingBuckets tier-1 bucket count of that generation
 * @param entryBuckets   tier-2 bucket count of that generation
 * @param appliedAt      when this version was applied
 * @param createdAt      when the merger created this version (null for version 0)
 * @param counts         entries per platform and {@code total}
 * @param sources        per-source freshness from the merge report (may be empty)
 */
public record Meta(long version, long generation, int mappingBuckets, int entryBuckets, Instant appliedAt,
                   Instant createdAt, Map<String, Long> counts, Map<String, Source> sources) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Copies the maps. */
    public Meta {
        counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    }

    /**
     * Freshness of one source, as the merge report gives it.
     *
     * @param updated ISO instant of the last good fetch, or null
     * @param records records in it, or null
     * @param result  Changed, Unchanged, Failed or Skipped, or null
     */
    public record Source(String updated, Long records, String result) {
    }

    /**
     * @param hash the meta hash as read (may be empty)
     * @return the meta, or empty when no generation is served
     */
    public static Optional<Meta> fromHash(Map<String, String> hash) {
        if (hash == null || hash.get(Layout.F_VERSION) == null || hash.get(Layout.F_GEN) == null) {
            return Optional.empty();
        }
        return Optional.of(new Meta(
                Long.parseLong(hash.get(Layout.F_VERSION)),
                Long.parseLong(hash.get(Layout.F_GEN)),
                Integer.parseInt(hash.get(Layout.F_MBUCKETS)),
                Integer.parseInt(hash.get(Layout.F_ABUCKETS)),
                instant(hash.get("applied_at")),
                instant(hash.get("created_at")),
                countsFromJson(hash.get("counts")),
                sourcesFromJson(hash.get("sources"))));
    }

    /**
     * @return the hash fields to write
     */
    public Map<String, String> toHash() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(Layout.F_VERSION, Long.toString(version));
        h.put(Layout.F_GEN, Long.toString(generation));
        h.put(Layout.F_MBUCKETS, Integer.toString(mappingBuckets));
        h.put(Layout.F_ABUCKETS, Integer.toString(entryBuckets));
        h.put("applied_at", appliedAt.toString());
        if (createdAt != null) {
            h.put("created_at", createdAt.toString());
        }
        h.put("counts", write(JSON.valueToTree(counts)));
        ObjectNode src = JSON.createObjectNode();
        sources.forEach((name, s) -> {
            ObjectNode o = src.putObject(name);
            o.put("updated", s.updated());
            o.put("records", s.records());
            o.put("result", s.result());
        });
        h.put("sources", write(src));
        return h;
    }

    /**
     * @return total entries (the {@code total} count, else 0)
     */
    public long total() {
        return counts.getOrDefault("total", 0L);
    }

    /**
     * @param report a merge report ({@code {"counts": {...}, "sources": {...}}})
     * @return its counts, empty when it has none
     */
    static Map<String, Long> countsFromReport(JsonNode report) {
        return report == null ? Map.of() : countsFromNode(report.get("counts"));
    }

    /**
     * @param report a merge report
     * @return its sources, empty when it has none
     */
    static Map<String, Source> sourcesFromReport(JsonNode report) {
        return report == null ? Map.of() : sourcesFromNode(report.get("sources"));
    }

    private static Map<String, Long> countsFromJson(String json) {
        return json == null ? Map.of() : countsFromNode(read(json));
    }

    private static Map<String, Source> sourcesFromJson(String json) {
        return json == null ? Map.of() : sourcesFromNode(read(json));
    }

    private static Map<String, Long> countsFromNode(JsonNode n) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            n.properties().forEach(e -> {
                if (e.getValue().canConvertToLong()) {
                    out.put(e.getKey(), e.getValue().asLong());
                }
            });
        }
        return out;
    }

    private static Map<String, Source> sourcesFromNode(JsonNode n) {
        Map<String, Source> out = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            n.properties().forEach(e -> {
                JsonNode s = e.getValue();
                out.put(e.getKey(), new Source(
                        text(s.get("updated")),
                        s.hasNonNull("records") && s.get("records").canConvertToLong() ? s.get("records").asLong() : null,
                        text(s.get("result"))));
            });
        }
        return out;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }

    /**
     * @param json a merge report or other JSON text stored beside the data
     * @return it parsed
     */
    public static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("malformed JSON: " + ex.getOriginalMessage(), ex);
        }
    }

    private static String write(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
