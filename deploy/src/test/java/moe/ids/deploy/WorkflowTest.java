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
 * synthetic upstream and points K3sIT at it.
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
