package moe.ids.deploy;

import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GitHub workflow ({@code .github/workflows/ci.yml}) parses, pins every action by commit SHA, bounds every
 * job in time, keeps the token read-only by default, and its e2e job builds the images K3sIT loads, writes the
 * synthetic upstream and points K3sIT at it; its images job builds linux/amd64 and linux/arm64 (the Dockerfile's
 * build stages on the builder's platform), and a version tag publishes the chart to ghcr.io as an OCI artifact.
 */
class WorkflowTest {
    private static final Pattern PINNED = Pattern.compile("[\\w.-]+/[\\w./-]+@[0-9a-f]{40}");

    private static Map<String, Object> workflow;

    @BeforeAll
    static void parse() throws IOException {
        Path file = Path.of(System.getProperty("ids.moe.workflow", "../.github/workflows/ci.yml"));
        workflow = Serialization.unmarshal(Files.readString(file), Map.class);
    }

    @Test
    void actionsArePinnedJobsAreBoundedTokenIsReadOnly() {
        assertEquals(Map.of("contents", "read"), workflow.get("permissions"));
        jobs().forEach((name, job) -> {
            assertThat(name + " timeout-minutes", map(job).get("timeout-minutes"), notNullValue());
            for (Object step : list(map(job).get("steps"))) {
                Object uses = map(step).get("uses");
                if (uses != null) {
                    assertTrue(PINNED.matcher(String.valueOf(uses)).matches(), name + ": " + uses + " is not pinned");
                }
            }
        });
    }

    @Test
    void e2eBuildsTheImagesWritesTheSyntheticUpstreamAndRunsK3sIT() {
        Map<String, Object> e2e = map(jobs().get("e2e"));
        assertEquals(Map.of("contents", "read"), e2e.get("permissions"));
        assertThat(String.valueOf(map(e2e.get("env")).get("IDS_MOE_E2E_TAG")), equalTo("e2e"));
        String runs = String.join("\n", list(e2e.get("steps")).stream()
                .map(s -> String.valueOf(map(s).getOrDefault("run", ""))).toList());
        assertThat(runs, containsString("for s in scraper merger ingestor api; do"));
        assertThat(runs, containsString("--build-arg SERVICE=$s"));
        assertThat(runs, containsString("-t \"ghcr.io/ids-moe/$s:$IDS_MOE_E2E_TAG\""));
        assertThat(runs, containsString("bin/ids-moe fixture \"$RUNNER_TEMP/upstream\""));
        Map<String, Object> k3s = list(e2e.get("steps")).stream().map(WorkflowTest::map)
                .filter(s -> "K3sIT".equals(s.get("name"))).findFirst().orElseThrow();
        assertThat(String.valueOf(k3s.get("run")), containsString("-Dtest=K3sIT"));
        assertThat(String.valueOf(map(k3s.get("env")).get("IDS_MOE_UPSTREAM")), equalTo("${{ runner.temp }}/upstream"));
        assertTrue(k3s.containsKey("timeout-minutes"));
    }

    @Test
    void imagesAreBuiltForAmd64AndArm64() {
        List<Map<String, Object>> steps = steps("images");
        int qemu = indexOf(steps, "docker/setup-qemu-action@");
        int buildx = indexOf(steps, "docker/setup-buildx-action@");
        int build = indexOf(steps, "docker/build-push-action@");
        assertTrue(qemu >= 0 && qemu < buildx && buildx < build, "QEMU, then buildx, then the build: " + steps);
        Map<String, Object> with = map(steps.get(build).get("with"));
        assertThat(String.valueOf(with.get("platforms")), equalTo("linux/amd64,linux/arm64"));
        assertThat(String.valueOf(map(steps.get(qemu).get("with")).get("platforms")), containsString("arm64"));
    }

    @Test
    void dockerfileBuildsTheJarsOnTheBuildPlatform() throws IOException {
        String dockerfile = Files.readString(Path.of(System.getProperty("ids.moe.dockerfile", "../docker/Dockerfile")));
        for (String stage : List.of("build", "prebuilt")) {
            assertTrue(Pattern.compile("(?m)^FROM --platform=\\$BUILDPLATFORM \\S+ AS " + stage + "$").matcher(dockerfile)
                    .find(), stage + " stage runs on $BUILDPLATFORM");
        }
        // the runtime stage is the target platform's
        assertTrue(Pattern.compile("(?m)^FROM \\$\\{RUNTIME_IMAGE}$").matcher(dockerfile).find());
    }

    @Test
    void theImageStartsFromTheCacheItsBuildTrainedWithTheSameFlags() throws IOException {
        String dockerfile = Files.readString(Path.of(System.getProperty("ids.moe.dockerfile", "../docker/Dockerfile")));
        String runtime = dockerfile.substring(dockerfile.lastIndexOf("\nFROM ")).replaceAll("\\\\\\r?\\n\\s*", " ");
        java.util.regex.Matcher entry = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)]$").matcher(runtime);
        assertTrue(entry.find(), "an ENTRYPOINT");
        List<String> words = List.of(entry.group(1).replace("\"", "").split(",\\s*"));
        assertTrue(words.contains("-XX:AOTCache=/app/app.aot"), "the entry point uses the cache: " + words);
        java.util.regex.Matcher train = Pattern.compile("(?m)^RUN .*aot-train /app/app.aot .* --\\s+(java .*)$")
                .matcher(runtime);
        assertTrue(train.find(), "the runtime stage trains /app/app.aot");
        // the JVM takes a cache only with the module options it was made with (--enable-native-access here)
        for (String flag : words) {
            if (flag.startsWith("--")) {
                assertThat(train.group(1), containsString(flag));
            }
        }
        assertTrue(runtime.indexOf("aot-train /app/app.aot") < runtime.indexOf("USER "),
                "trained before the image drops root: /app is not writable afterwards");
    }

    @Test
    void versionTagsPublishTheChartToGhcrAsOci() {
        Map<String, Object> job = map(jobs().get("chart-release"));
        assertThat(String.valueOf(job.get("if")), containsString("refs/tags/v"));
        assertEquals(Map.of("contents", "read", "packages", "write"), job.get("permissions"));
        assertThat(list(job.get("needs")), equalTo(List.of("chart", "images", "e2e")));
        String runs = String.join("\n", steps("chart-release").stream()
                .map(s -> String.valueOf(s.getOrDefault("run", ""))).toList());
        assertThat(runs, containsString("helm package charts/ids-moe"));
        assertThat(runs, containsString("helm push \"$RUNNER_TEMP/chart/ids-moe-$version.tgz\" oci://ghcr.io/ids-moe/charts"));
        assertThat(runs, containsString("--password-stdin"));
        assertTrue(indexOf(steps("chart-release"), "Azure/setup-helm@") >= 0);
    }

    @Test
    void readmeInstallsTheChartThatTheWorkflowPublishes() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("ids.moe.readme", "../README.md")));
        Map<String, Object> chart = Serialization.unmarshal(Files.readString(Charts.chart().resolve("Chart.yaml")),
                Map.class);
        assertThat(readme, containsString("helm install ids-moe oci://ghcr.io/ids-moe/charts/ids-moe --version "
                + chart.get("version") + " "));
        // from a checkout, still
        assertThat(readme, containsString("helm install ids-moe charts/ids-moe"));
    }

    private static List<Map<String, Object>> steps(String job) {
        return list(map(jobs().get(job)).get("steps")).stream().map(WorkflowTest::map).toList();
    }

    private static int indexOf(List<Map<String, Object>> steps, String usesPrefix) {
        for (int i = 0; i < steps.size(); i++) {
            if (String.valueOf(steps.get(i).get("uses")).startsWith(usesPrefix)) {
                return i;
            }
        }
        return -1;
    }

    private static Map<String, Object> jobs() {
        return map(workflow.get("jobs"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }
}
