package moe.ids.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Renders the chart with real Helm (helm-java, in-process, no binary download) and parses the result. */
final class Charts {
    /** The release name used by the tests and by k8s/. */
    static final String RELEASE = "ids-moe";
    static final String NAMESPACE = "ids-moe";
    /** Kubernetes version the chart is rendered for (Helm's own default here is v1.20). */
    static final String KUBE_VERSION = "1.33.0";

    private Charts() {
    }

    static Path chart() {
        return Path.of(System.getProperty("ids.moe.chart", "../charts/ids-moe")).toAbsolutePath().normalize();
    }

    static Path k8s() {
        return Path.of(System.getProperty("ids.moe.k8s", "../k8s")).toAbsolutePath().normalize();
    }

    /** Values of the plain manifests in k8s/ (outside k8s/, which holds manifests only). */
    static Path k8sValues() {
        return Path.of(System.getProperty("ids.moe.k8s.values", "k8s-values.yaml")).toAbsolutePath().normalize();
    }

    static LintResult lint() {
        return new Helm(chart()).lint().strict().call();
    }

    /**
     * @param valuesFile values file, or null for the chart's defaults
     * @param set        extra --set pairs
     * @return the rendered YAML (CRDs included)
     */
    static String template(Path valuesFile, Map<String, Object> set) {
        var cmd = new Helm(chart()).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
        if (valuesFile != null) {
            cmd.withValuesFile(valuesFile);
        }
        set.forEach(cmd::set);
        return cmd.call();
    }

    static Rendered render(Path valuesFile, Map<String, Object> set) {
        return Rendered.parse(template(valuesFile, set));
    }

    /**
     * What {@code helm install} creates: the chart's {@code crds/} first, then the rendered templates.
     *
     * @param valuesFile values file, or null for the chart's defaults
     * @param set        extra --set pairs
     * @return the objects, CustomResourceDefinitions first
     */
    static Rendered install(Path valuesFile, Map<String, Object> set) {
        Rendered templates = render(valuesFile, set);
        List<HasMetadata> all = new ArrayList<>();
        try (var files = Files.list(chart().resolve("crds"))) {
            for (Path f : files.sorted().toList()) {
                all.addAll(Rendered.parse(Files.readString(f)).objects());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        all.addAll(templates.objects());
        return new Rendered(templates.yaml(), all);
    }

    /** Parsed objects of one rendering. */
    record Rendered(String yaml, List<HasMetadata> objects) {
        static Rendered parse(String yaml) {
            List<HasMetadata> out = new ArrayList<>();
            for (String doc : yaml.split("(?m)^---\\s*$")) {
                if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                    continue;
                }
                Object parsed = Serialization.unmarshal(
                        new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8)));
                if (parsed instanceof KubernetesResourceList<?> list) {
                    list.getItems().forEach(i -> out.add((HasMetadata) i));
                } else if (parsed instanceof HasMetadata m) {
                    out.add(m);
                } else {
                    throw new IllegalStateException("not a Kubernetes object: " + doc);
                }
            }
            return new Rendered(yaml, out);
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
            return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
        }

        <T extends HasMetadata> T get(Class<T> type, String name) {
            return find(type, name).orElseThrow(() -> new AssertionError(
                    "no " + type.getSimpleName() + " " + name + " in " + objects.stream()
                            .map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList()));
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unused")
    private static KubernetesResource unused() {
        return null;
    }
}
