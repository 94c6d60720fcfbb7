package moe.ids.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

/**
 * The plain manifests in {@code k8s/} are the chart rendered with {@code k8s/values.yaml}: this test fails when
 * they drift. {@code deploy/render-k8s.sh} (this test with {@code -Dids.moe.k8s.write=true}) writes them anew.
 */
class K8sManifestsTest {
    private static final Pattern SOURCE = Pattern.compile("^# Source: ids-moe/templates/(.+)\\.yaml$",
            Pattern.MULTILINE);
    private static final String HEADER = "# Generated from charts/ids-moe with k8s/values.yaml by deploy/render-k8s.sh:"
            + " do not edit.\n";

    /** @return file name → content of every manifest file the chart renders to */
    static Map<String, String> expected() {
        Path values = Charts.k8s().resolve("values.yaml");
        String yaml = Charts.template(values, Map.of());
        Map<String, List<String>> bySource = new TreeMap<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.isBlank()) {
                continue;
            }
            Matcher m = SOURCE.matcher(doc);
            if (!m.find()) {
                throw new IllegalStateException("no # Source line in " + doc);
            }
            String file = m.group(1).replace('/', '-') + ".yaml";
            bySource.computeIfAbsent(file, k -> new ArrayList<>()).add(doc.strip() + "\n");
        }
        Map<String, String> out = new TreeMap<>();
        out.put("crd-refreshes.ids.moe.yaml", HEADER + Charts.read(Charts.chart().resolve("crds/refreshes.ids.moe-v1.yml")));
        bySource.forEach((file, docs) -> out.put(file, HEADER + "---\n" + String.join("---\n", docs)));
        return out;
    }

    static Map<String, String> committed() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(Charts.k8s())) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".yaml") && !name.equals("values.yaml")) {
                    out.put(name, Files.readString(f));
                }
            }
        }
        return out;
    }

    @Test
    void manifestsMatchTheChart() throws IOException {
        Map<String, String> expected = expected();
        if (Boolean.getBoolean("ids.moe.k8s.write")) {
            for (String stale : committed().keySet()) {
                if (!expected.containsKey(stale)) {
                    Files.delete(Charts.k8s().resolve(stale));
                }
            }
            for (var e : expected.entrySet()) {
                Files.writeString(Charts.k8s().resolve(e.getKey()), e.getValue());
            }
            System.out.println("wrote " + expected.size() + " files to " + Charts.k8s());
        }
        Map<String, String> committed = committed();
        String hint = " (k8s/ drifted from charts/ids-moe: run deploy/render-k8s.sh and commit k8s/)";
        assertThat("files" + hint, new TreeSet<>(committed.keySet()), equalTo(new TreeSet<>(expected.keySet())));
        expected.forEach((file, content) -> assertThat(file + hint, committed.get(file), equalTo(content)));
    }

    @Test
    void manifestsHoldNoSecretValues() throws IOException {
        for (var e : committed().entrySet()) {
            assertThat(e.getKey(), e.getValue(), not(containsString("kind: Secret")));
            assertThat(e.getKey(), e.getValue(), not(containsString("stringData")));
        }
        assertThat(committed().keySet(), not(empty()));
    }
}
