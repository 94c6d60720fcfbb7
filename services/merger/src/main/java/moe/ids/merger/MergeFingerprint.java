package moe.ids.merger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.core.snapshot.SourceNames;
import moe.ids.db.snapshot.SourceState;
import moe.ids.merger.merge.MergeSettings;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a merge's result depends on besides the published state it is diffed against: the last good snapshot it
 * reads of every source (its {@code source_snapshot} id and content SHA-256, or none), the merge settings, and the
 * identity of the merge code ({@link CodeIdentity}). Two merges with equal fingerprints over the same published state
 * give the same change set, so a merge whose fingerprint equals that of the last completed merge is skipped
 * ({@link MergeService}). {@link #json()} is the form stored in {@code merge_inputs.inputs}; {@link #sha256()} is
 * the SHA-256 of exactly that text.
 *
 * @param sources  per source of {@link SourceNames#ALL}, in that order: its last good snapshot, or null when it has
 *                 none
 * @param settings the merge settings, as their record writes itself (every component, so a new one counts too)
 * @param code     the identity of the merge code
 */
public record MergeFingerprint(Map<String, Snapshot> sources, String settings, String code) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A source's last good snapshot.
     *
     * @param id            its {@code source_snapshot} row (never reused: a new accepted snapshot is a new row)
     * @param contentSha256 SHA-256 of its raw content
     */
    public record Snapshot(long id, String contentSha256) {
    }

    /**
     * @param sources  as above; copied
     * @param settings as above
     * @param code     as above
     */
    public MergeFingerprint {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(code, "code");
        sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    }

    /**
     * @param states   the last good state of every source that has one ({@code SnapshotReader.states})
     * @param settings the merge settings
     * @param code     the identity of the merge code
     * @return the fingerprint of a merge that reads them
     */
    public static MergeFingerprint of(Map<String, SourceState> states, MergeSettings settings, String code) {
        Map<String, Snapshot> sources = new LinkedHashMap<>();
        for (String source : SourceNames.ALL) {
            SourceState s = states.get(source);
            sources.put(source, s == null ? null : new Snapshot(s.snapshotId(), s.contentSha256()));
        }
        return new MergeFingerprint(sources, settings.toString(), code);
    }

    /**
     * @return the stored form: {@code {"sources":{"aod":{"snapshot":12,"sha256":"…"},"kaize":null,…},
     *         "settings":"MergeSettings[…]","code":"…"}}, sources in {@link SourceNames#ALL} order
     */
    public String json() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode sourceNodes = root.putObject("sources");
        sources.forEach((name, snapshot) -> {
            if (snapshot == null) {
                sourceNodes.putNull(name);
            } else {
                sourceNodes.putObject(name).put("snapshot", snapshot.id()).put("sha256", snapshot.contentSha256());
            }
        });
        root.put("settings", settings);
        root.put("code", code);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @return hex SHA-256 of {@link #json()}
     */
    public String sha256() {
        return CanonicalJson.sha256Hex(json().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param json a stored form ({@link #json()})
     * @return the fingerprint it describes
     * @throws IllegalArgumentException when it is not one
     */
    public static MergeFingerprint parse(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            Map<String, Snapshot> sources = new LinkedHashMap<>();
            root.required("sources").properties().forEach(e -> sources.put(e.getKey(), e.getValue().isNull() ? null
                    : new Snapshot(e.getValue().required("snapshot").asLong(),
                    e.getValue().required("sha256").asText())));
            return new MergeFingerprint(sources, root.required("settings").asText(), root.required("code").asText());
        } catch (JsonProcessingException | IllegalArgumentException ex) {
            throw new IllegalArgumentException("not a merge fingerprint: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param earlier the fingerprint of an earlier merge
     * @return what differs, one phrase each ({@code aod: snapshot 12 → 15}, {@code merge code}, {@code settings …});
     *         empty when they are equal
     */
    public List<String> changesSince(MergeFingerprint earlier) {
        List<String> out = new ArrayList<>();
        List<String> names = new ArrayList<>(sources.keySet());
        earlier.sources.keySet().stream().filter(s -> !sources.containsKey(s)).forEach(names::add);
        for (String name : names) {
            Snapshot now = sources.get(name);
            Snapshot then = earlier.sources.get(name);
            if (!Objects.equals(now, then)) {
                out.add(name + ": " + describe(then) + " → " + describe(now));
            }
        }
        if (!settings.equals(earlier.settings)) {
            out.add("settings " + earlier.settings + " → " + settings);
        }
        if (!code.equals(earlier.code)) {
            out.add("merge code");
        }
        return out;
    }

    private static String describe(Snapshot s) {
        return s == null ? "none" : "snapshot " + s.id();
    }
}
