package moe.ids.merger.operator;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scraper Job computed from a Refresh and the settings. */
class DesiredJobTest {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final String LONG = "refresh-" + "a".repeat(239) + ".12345";

    private static ControllerConfig config(ControllerConfig.ScraperPod pod) {
        return new ControllerConfig(true, "ids", "a", "lease", "scraper:test", "scraper", List.of("cfg"),
                List.of("db"), 4, 2, Duration.ofMinutes(30), Map.of(), 10, Duration.ofMinutes(5), "default",
                ControllerConfig.Timings.DEFAULT, pod);
    }

    private static Refresh refresh(String name) {
        Refresh r = new Refresh();
        r.getMetadata().setName(name);
        r.getMetadata().setNamespace("ids");
        r.getMetadata().setUid("uid-1");
        return r;
    }

    private static Job job(String name, ControllerConfig.ScraperPod pod) {
        return DesiredJob.of(refresh(name), List.of("aod", "arm", "kaize"), false, config(pod));
    }

    @Test
    void eachSourceFailsOnlyItsOwnIndex() {
        JobSpec spec = job("r1", ControllerConfig.ScraperPod.NONE).getSpec();
        assertEquals(2, spec.getBackoffLimitPerIndex());
        assertNull(spec.getBackoffLimit(), "Kubernetes sets the largest integer when backoffLimitPerIndex is set");
        assertNull(spec.getMaxFailedIndexes(), "every source runs whatever the others do");
        List<PodFailurePolicyRule> rules = spec.getPodFailurePolicy().getRules();
        assertEquals(2, rules.size());
        assertEquals("FailIndex", rules.get(0).getAction());
        assertEquals("scraper", rules.get(0).getOnExitCodes().getContainerName());
        assertEquals("In", rules.get(0).getOnExitCodes().getOperator());
        assertEquals(List.of(3), rules.get(0).getOnExitCodes().getValues());
        assertEquals("scraper", spec.getTemplate().getSpec().getContainers().getFirst().getName());
        assertEquals("Ignore", rules.get(1).getAction());
        assertEquals("DisruptionTarget", rules.get(1).getOnPodConditions().getFirst().getType());
        assertEquals("True", rules.get(1).getOnPodConditions().getFirst().getStatus());
        assertEquals("Never", spec.getTemplate().getSpec().getRestartPolicy(), "a pod failure policy needs Never");
    }

    @Test
    void podsGetPullSecretsPlacementAndNoServiceLinks() {
        Toleration t = new TolerationBuilder().withKey("dedicated").withOperator("Equal").withValue("scrapers")
                .withEffect("NoSchedule").build();
        Affinity affinity = new AffinityBuilder().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey("kubernetes.io/arch").withOperator("In").withValues("amd64")
                .endMatchExpression().endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity().build();
        PodSpec pod = job("r1", new ControllerConfig.ScraperPod("ids-moe", "prod", List.of("regcred"),
                Map.of("kubernetes.io/os", "linux"), List.of(t), affinity)).getSpec().getTemplate().getSpec();
        assertEquals(List.of("regcred"), pod.getImagePullSecrets().stream().map(s -> s.getName()).toList());
        assertEquals(Map.of("kubernetes.io/os", "linux"), pod.getNodeSelector());
        assertEquals(List.of(t), pod.getTolerations());
        assertEquals(affinity, pod.getAffinity());
        assertEquals(false, pod.getEnableServiceLinks());
    }

    @Test
    void theJobAndItsPodsCarryTheReleaseLabels() {
        Job job = job("r1", new ControllerConfig.ScraperPod("ids-moe", "prod", List.of(), Map.of(), List.of(), null));
        Map<String, String> want = Map.of("app.kubernetes.io/name", "ids-moe", "app.kubernetes.io/instance", "prod",
                "app.kubernetes.io/component", "scraper", "app.kubernetes.io/part-of", "ids-moe",
                DesiredJob.REFRESH_LABEL, "r1");
        assertEquals(want, job.getMetadata().getLabels());
        assertEquals(want, job.getSpec().getTemplate().getMetadata().getLabels());
    }

    @Test
    void aShortNameKeepsItsJobNameAndLabel() {
        Job job = job("refresh-abc", ControllerConfig.ScraperPod.NONE);
        assertEquals("refresh-abc-scrape", job.getMetadata().getName());
        assertEquals("refresh-abc", job.getMetadata().getLabels().get(DesiredJob.REFRESH_LABEL));
        assertEquals("refresh-abc", DesiredJob.refreshOf(job));
    }

    @Test
    void a253CharacterNameMakesValidJobNamePodHostnamesAndLabel() {
        assertEquals(253, LONG.length());
        Job job = job(LONG, ControllerConfig.ScraperPod.NONE);
        String name = job.getMetadata().getName();
        assertTrue(name.length() <= 57 && name.endsWith("-scrape"), name);
        assertTrue(DNS_LABEL.matcher(name).matches(), name);
        String hostname = name + "-" + (job.getSpec().getCompletions() - 1);
        assertTrue(hostname.length() <= 63 && DNS_LABEL.matcher(hostname).matches(), hostname);
        String label = job.getMetadata().getLabels().get(DesiredJob.REFRESH_LABEL);
        assertTrue(label.length() <= 63 && LABEL_VALUE.matcher(label).matches(), label);
        assertEquals(label, job.getSpec().getTemplate().getMetadata().getLabels().get(DesiredJob.REFRESH_LABEL));
        assertEquals(LONG, DesiredJob.refreshOf(job), "the owner reference has the whole name");
    }

    @Test
    void longNamesSharingTheirStartGetDistinctJobsAndLabels() {
        String other = LONG.substring(0, 252) + "6";
        assertNotEquals(job(LONG, ControllerConfig.ScraperPod.NONE).getMetadata().getName(),
                job(other, ControllerConfig.ScraperPod.NONE).getMetadata().getName());
        assertNotEquals(DesiredJob.labelValue(LONG), DesiredJob.labelValue(other));
    }

    @Test
    void aDottedNameMakesADnsLabelJobName() {
        String name = job("refresh.2026", ControllerConfig.ScraperPod.NONE).getMetadata().getName();
        assertTrue(DNS_LABEL.matcher(name).matches(), name);
        assertFalse(name.contains("."), name);
        assertNotEquals(name, job("refresh-2026", ControllerConfig.ScraperPod.NONE).getMetadata().getName());
    }
}
