package moe.ids.merger.operator;

import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import moe.ids.core.error.ConfigException;
import moe.ids.testing.RecordTexts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code controller.*} settings. */
class ControllerConfigTest {

    private static ControllerConfig from(Map<String, String> settings) {
        return ControllerConfig.from(Config.just(ConfigSources.create(settings)));
    }

    @Test
    void applicationYamlHasTheDefaultTimings() {
        ControllerConfig cfg = ControllerConfig.from(Config.just(ConfigSources.classpath("application.yaml")));
        assertEquals(ControllerConfig.Timings.DEFAULT, cfg.timings());
        assertEquals(new ControllerConfig.Timings(Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(2)), cfg.timings());
    }

    @Test
    void timingsAreSettings() {
        ControllerConfig cfg = from(Map.of("controller.lease-duration-seconds", "6",
                "controller.renew-deadline-seconds", "4", "controller.retry-period-seconds", "1",
                "controller.poll-seconds", "3", "controller.ingest-poll-seconds", "1"));
        assertEquals(new ControllerConfig.Timings(Duration.ofSeconds(6), Duration.ofSeconds(4), Duration.ofSeconds(1),
                Duration.ofSeconds(3), Duration.ofSeconds(1)), cfg.timings());
    }

    @Test
    void aRenewDeadlineNotShorterThanTheLeaseIsRefused() {
        ConfigException ex = assertThrows(ConfigException.class, () -> from(Map.of(
                "controller.lease-duration-seconds", "10", "controller.renew-deadline-seconds", "10")));
        assertTrue(ex.getMessage().contains("renew-deadline-seconds"), ex.getMessage());
    }

    @Test
    void aRenewDeadlineWithinTheJitteredRetryIsRefused() {
        assertThrows(ConfigException.class, () -> from(Map.of("controller.lease-duration-seconds", "15",
                "controller.renew-deadline-seconds", "4", "controller.retry-period-seconds", "2")));
    }

    @Test
    void scraperPodPlacementAndLabelsAreReadAsTheChartWritesThem() {
        // the shape charts/ids-moe/templates/configmap.yaml renders into merger.yaml
        ControllerConfig.ScraperPod pod = ControllerConfig.from(Config.just(ConfigSources.create("""
                controller:
                  app-name: ids-moe
                  instance: prod
                  scraper-image-pull-secrets:
                  - regcred
                  scraper-node-selector: '{"kubernetes.io/arch":"amd64"}'
                  scraper-tolerations: '[{"key":"dedicated","operator":"Equal","value":"scrapers","effect":"NoSchedule","tolerationSeconds":60}]'
                  scraper-affinity: '{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64"]}]}]}}}'
                """, MediaTypes.APPLICATION_YAML))).pod();
        assertEquals("ids-moe", pod.appName());
        assertEquals("prod", pod.instance());
        assertEquals(List.of("regcred"), pod.imagePullSecrets());
        assertEquals(Map.of("kubernetes.io/arch", "amd64"), pod.nodeSelector());
        assertEquals(List.of(new TolerationBuilder().withKey("dedicated").withOperator("Equal").withValue("scrapers")
                .withEffect("NoSchedule").withTolerationSeconds(60L).build()), pod.tolerations());
        assertEquals("kubernetes.io/arch", pod.affinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().getFirst()
                .getMatchExpressions().getFirst().getKey());
    }

    @Test
    void theChartsDefaultsMeanNoPlacement() {
        // what configmap.yaml renders with the chart's default values
        ControllerConfig.ScraperPod pod = ControllerConfig.from(Config.just(ConfigSources.create("""
                controller:
                  app-name: ids-moe
                  instance: ids-moe
                  scraper-image-pull-secrets: []
                  scraper-node-selector: '{}'
                  scraper-tolerations: '[]'
                  scraper-affinity: '{}'
                """, MediaTypes.APPLICATION_YAML))).pod();
        assertEquals(List.of(), pod.imagePullSecrets());
        assertEquals(Map.of(), pod.nodeSelector());
        assertEquals(List.of(), pod.tolerations());
        assertNull(pod.affinity());
    }

    @Test
    void malformedPlacementJsonIsRefused() {
        assertThrows(ConfigException.class, () -> from(Map.of("controller.scraper-tolerations", "[{\"key\":")));
    }

    @Test
    void theLoggedTextIsTheRecordsGeneratedOneWithEveryComponent() {
        ControllerConfig cfg = ControllerConfig.from(Config.just(ConfigSources.classpath("application.yaml")));
        assertEquals(RecordTexts.generated(cfg), cfg.toString());
        assertEquals(RecordTexts.generated(cfg.timings()), cfg.timings().toString());
        assertEquals(RecordTexts.generated(cfg.pod()), cfg.pod().toString());
    }
}
