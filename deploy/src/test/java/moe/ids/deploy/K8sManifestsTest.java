package moe.ids.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
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
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.isEmptyOrNullString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/**
 * The plain manifests in {@code k8s/} are the chart rendered with {@code deploy/k8s-values.yaml}: this test fails
 * when they drift. {@code deploy/render-k8s.sh} (this test with {@code -Dids.moe.k8s.write=true}) writes them anew.
 * {@code kubectl apply -f k8s/} reads every .yaml, .yml and .json file there in name order: each must be a
 * manifest, and a custom resource may only follow its definition.
 */
class K8sManifestsTest {
    /** The file extensions {@code kubectl apply -f DIR} reads. */
    private static final Pattern KUBECTL_READS = Pattern.compile("\\.(ya?ml|json)$");
    private static final Pattern SOURCE = Pattern.compile("^# Source: ids-moe/templates/(.+)\\.yaml$",
            Pattern.MULTILINE);
    private static final String HEADER = "# Generated from charts/ids-moe with deploy/k8s-values.yaml by deploy/render-k8s.sh:"
            + " do not edit.\n";

    /** @return file name → content of every manifest file the chart renders to */
    static Map<String, String> expected() {
        Path values = Charts.k8sValues();
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

    /** @return file name → content of every file in k8s/ that kubectl reads (.yaml, .yml, .json), in name order */
    static Map<String, String> committed() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(Charts.k8s())) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (KUBECTL_READS.matcher(name).find()) {
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
    void everyFileKubectlReadsIsAManifest() throws IOException {
        for (var e : committed().entrySet()) {
            List<HasMetadata> objects = objects(e.getKey(), e.getValue());
            assertThat(e.getKey(), objects, not(empty()));
            for (HasMetadata o : objects) {
                assertThat(e.getKey() + " apiVersion", o.getApiVersion(), not(isEmptyOrNullString()));
                assertThat(e.getKey() + " kind", o.getKind(), not(isEmptyOrNullString()));
                assertThat(e.getKey() + " metadata.name", o.getMetadata().getName(), not(isEmptyOrNullString()));
            }
        }
        // anything else is documentation that kubectl skips
        try (Stream<Path> files = Files.list(Charts.k8s())) {
            List<String> others = files.map(f -> f.getFileName().toString())
                    .filter(n -> !KUBECTL_READS.matcher(n).find()).toList();
            assertThat(others, everyItem(endsWith(".md")));
        }
    }

    @Test
    void customResourcesFollowTheirDefinitionsInApplyOrder() throws IOException {
        Map<String, String> definedIn = new TreeMap<>();
        List<String[]> uses = new ArrayList<>();
        for (var e : committed().entrySet()) {
            for (HasMetadata o : objects(e.getKey(), e.getValue())) {
                if (o instanceof CustomResourceDefinition crd) {
                    definedIn.put(crd.getSpec().getGroup(), e.getKey());
                } else {
                    uses.add(new String[] {e.getKey(), o.getApiVersion(), o.getKind()});
                }
            }
        }
        assertThat(definedIn.keySet(), equalTo(new TreeSet<>(List.of("ids.moe"))));
        for (String[] u : uses) {
            String group = u[1].contains("/") ? u[1].substring(0, u[1].indexOf('/')) : "";
            String crdFile = definedIn.get(group);
            if (crdFile != null) {
                assertThat(u[0] + " has a " + u[2] + " applied before its definition in " + crdFile,
                        u[0].compareTo(crdFile) > 0, is(true));
            } else {
                // any other group must be built into Kubernetes: no ServiceMonitor, PrometheusRule, … here
                assertThat(u[0] + " " + u[2], group, anyOf(not(containsString(".")), endsWith(".k8s.io")));
            }
        }
        // and nothing here creates a Refresh (a nightly one comes from the CronJob, at run time)
        assertThat(uses.stream().map(u -> u[2]).toList(), not(hasItem("Refresh")));
    }

    private static List<HasMetadata> objects(String file, String content) {
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : content.split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            Object parsed;
            try {
                parsed = Serialization.unmarshal(doc);
            } catch (RuntimeException ex) {
                throw new AssertionError(file + " holds a document that is no Kubernetes object: " + ex.getMessage(), ex);
            }
            if (!(parsed instanceof HasMetadata m)) {
                throw new AssertionError(file + " holds a document that is no Kubernetes object: " + doc);
            }
            out.add(m);
        }
        return out;
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
