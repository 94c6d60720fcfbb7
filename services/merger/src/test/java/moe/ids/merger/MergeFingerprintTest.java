package moe.ids.merger;

import moe.ids.core.snapshot.SourceNames;
import moe.ids.db.snapshot.SourceState;
import moe.ids.merger.merge.MergeInputs;
import moe.ids.merger.merge.MergeSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fingerprint of a merge's inputs: equal for equal inputs, different when any source's last good snapshot, a
 * setting or the merge code differs; and the identity of the merge code.
 */
class MergeFingerprintTest {
    private static final Instant T = Instant.parse("2025-01-01T05:00:00Z");

    private static Map<String, SourceState> states() {
        Map<String, SourceState> states = new TreeMap<>();
        states.put("aod", new SourceState("aod", 12, "a0d", "W/\"1\"", null, 34_814, T));
        states.put("arm", new SourceState("arm", 13, "a2b", null, null, 36_069, T));
        states.put("kaize", new SourceState("kaize", 20, "c4e", null, null, 23_760, T));
        return states;
    }

    private static String sha(Map<String, SourceState> states, MergeSettings settings, String code) {
        return MergeFingerprint.of(states, settings, code).sha256();
    }

    @Test
    void equalInputsGiveEqualFingerprints() {
        String a = sha(states(), MergeSettings.DEFAULTS, "code");
        assertEquals(a, sha(states(), new MergeSettings(95, 90, 85, 90), "code"));
        assertTrue(a.matches("[0-9a-f]{64}"), a);
        // what the scraper's validators and times say is no input of the merge
        Map<String, SourceState> revalidated = states();
        revalidated.put("aod", new SourceState("aod", 12, "a0d", "W/\"2\"", "Tue, 01 Jul 2025", 34_814,
                T.plusSeconds(86_400)));
        assertEquals(a, sha(revalidated, MergeSettings.DEFAULTS, "code"));
    }

    @Test
    void anyChangedInputChangesTheFingerprint() {
        String a = sha(states(), MergeSettings.DEFAULTS, "code");
        List<String> others = new ArrayList<>();

        Map<String, SourceState> newSnapshot = states();
        newSnapshot.put("arm", new SourceState("arm", 14, "a2b", null, null, 36_069, T));
        others.add(sha(newSnapshot, MergeSettings.DEFAULTS, "code"));

        Map<String, SourceState> otherContent = states();
        otherContent.put("arm", new SourceState("arm", 13, "fff", null, null, 36_069, T));
        others.add(sha(otherContent, MergeSettings.DEFAULTS, "code"));

        Map<String, SourceState> firstSnapshot = states();
        firstSnapshot.put("nautiljon", new SourceState("nautiljon", 21, "bbb", null, null, 11_850, T));
        others.add(sha(firstSnapshot, MergeSettings.DEFAULTS, "code"));

        Map<String, SourceState> lost = states();
        lost.remove("kaize");
        others.add(sha(lost, MergeSettings.DEFAULTS, "code"));

        others.add(sha(states(), new MergeSettings(95, 90, 85, 89), "code"));
        others.add(sha(states(), new MergeSettings(94, 90, 85, 90), "code"));
        others.add(sha(states(), MergeSettings.DEFAULTS, "other code"));

        for (String other : others) {
            assertNotEquals(a, other);
        }
        assertEquals(others.size(), others.stream().distinct().count(), others.toString());
    }

    @Test
    void theStoredFormReadsBackAndSaysWhatChanged() {
        MergeFingerprint before = MergeFingerprint.of(states(), MergeSettings.DEFAULTS, "code");
        assertEquals(before, MergeFingerprint.parse(before.json()));
        assertTrue(before.json().startsWith("{\"sources\":{\"aod\":{\"snapshot\":12,\"sha256\":\"a0d\"},"),
                before.json());
        assertTrue(before.json().contains("\"nautiljon\":null"), before.json());

        Map<String, SourceState> states = states();
        states.put("aod", new SourceState("aod", 15, "a0e", null, null, 34_900, T));
        states.remove("kaize");
        MergeFingerprint after = MergeFingerprint.of(states, new MergeSettings(95, 90, 80, 90), "new code");
        assertEquals(List.of("aod: snapshot 12 → snapshot 15", "kaize: snapshot 20 → none",
                "settings MergeSettings[silveryasha=95, otakotaku=90, kaize=85, nautiljon=90] → "
                        + "MergeSettings[silveryasha=95, otakotaku=90, kaize=80, nautiljon=90]", "merge code"),
                after.changesSince(MergeFingerprint.parse(before.json())));
        assertEquals(List.of(), before.changesSince(MergeFingerprint.parse(before.json())));
    }

    @Test
    void itCoversEverySourceTheMergeReads() {
        List<String> read = new ArrayList<>();
        MergeInputs.read(new MergeInputs.RecordReader() {
            @Override
            public <R> List<R> records(String source, Class<R> type) {
                read.add(source);
                return List.of();
            }
        });
        assertEquals(SourceNames.ALL.stream().sorted().toList(), read.stream().sorted().toList());
        assertEquals(SourceNames.ALL, List.copyOf(MergeFingerprint.of(Map.of(), MergeSettings.DEFAULTS, "c")
                .sources().keySet()));
    }

    @Test
    void theCodeIdentityFollowsTheBytesOfTheCode(@TempDir Path tmp) throws IOException {
        String merge = CodeIdentity.merge();
        assertTrue(merge.matches("[0-9a-f]{64}"), merge);
        assertEquals(merge, CodeIdentity.merge(), "computed once");

        Path classes = tmp.resolve("classes");
        Files.createDirectories(classes.resolve("moe/ids"));
        Files.write(classes.resolve("moe/ids/A.class"), new byte[] {1, 2, 3});
        Files.write(classes.resolve("moe/ids/B.class"), new byte[] {4});
        String folder = CodeIdentity.hash(classes);
        assertEquals(folder, CodeIdentity.hash(classes));
        Files.write(classes.resolve("moe/ids/B.class"), new byte[] {5});
        String changed = CodeIdentity.hash(classes);
        assertNotEquals(folder, changed);
        Files.write(classes.resolve("moe/ids/C.class"), new byte[0]);
        assertNotEquals(changed, CodeIdentity.hash(classes), "a new file counts");

        Path jar = tmp.resolve("a.jar");
        Files.write(jar, new byte[] {9, 9});
        String jarHash = CodeIdentity.hash(jar);
        Files.write(jar, new byte[] {9, 8});
        assertNotEquals(jarHash, CodeIdentity.hash(jar));
    }

    @Test
    void anUnreadableLocationNeverMatchesARecordedIdentity() {
        // a class of the JDK has no code location: the identity is a new random one each time
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            String id = CodeIdentity.compute(List.of(String.class));
            assertTrue(id.startsWith("unknown-"), id);
            seen.merge(id, 1, Integer::sum);
        }
        assertEquals(2, seen.size());
    }
}
