package moe.ids.merger.operator;

import io.helidon.config.Config;
import moe.ids.core.config.Settings;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The Refresh controller's settings ({@code controller.*}).
 *
 * @param enabled               run the controller in {@code serve} ({@code controller.enabled}, default: when
 *                              running in a cluster)
 * @param namespace             namespace it watches and creates Jobs in ({@code controller.namespace} or
 *                              {@code POD_NAMESPACE})
 * @param identity              leader-election identity ({@code HOSTNAME})
 * @param leaseName             Lease used for leader election
 * @param scraperImage          image of the scraper Jobs
 * @param scraperServiceAccount ServiceAccount of the scraper pods
 * @param envFromConfigMaps     ConfigMaps the scraper pods take environment from
 * @param envFromSecrets        Secrets the scraper pods take environment from
 * @param parallelism           scraper pods at once
 * @param backoffLimit          Job backoff limit
 * @param activeDeadline        Job active deadline
 * @param resources             requests/limits of the scraper container ({@code cpu-request}, …)
 * @param keepFinished          finished Refreshes kept
 * @param ingestTimeout         longest wait for the ingestor
 * @param consumer              ingestor name whose applied version counts
 */
public record ControllerConfig(boolean enabled, String namespace, String identity, String leaseName,
                               String scraperImage, String scraperServiceAccount, List<String> envFromConfigMaps,
                               List<String> envFromSecrets, int parallelism, int backoffLimit,
                               Duration activeDeadline, Map<String, String> resources, int keepFinished,
                               Duration ingestTimeout, String consumer) {

    /**
     * @param config root config
     * @return validated settings
     */
    public static ControllerConfig from(Config config) {
        Config c = config.get("controller");
        boolean inCluster = System.getenv("KUBERNETES_SERVICE_HOST") != null;
        return new ControllerConfig(
                c.get("enabled").asBoolean().orElse(inCluster),
                Settings.string(config, "POD_NAMESPACE", "controller.namespace", "default"),
                Settings.string(config, "HOSTNAME", "controller.identity", "merger-" + ProcessHandle.current().pid()),
                c.get("lease-name").asString().orElse("ids-moe-controller"),
                c.get("scraper-image").asString().orElse("ghcr.io/ids-moe/scraper:latest"),
                c.get("scraper-service-account").asString().orElse("default"),
                c.get("scraper-env-from-configmaps").asList(String.class).orElse(List.of()),
                c.get("scraper-env-from-secrets").asList(String.class).orElse(List.of()),
                Settings.intIn(config, "controller.parallelism", 4, 1, 64),
                Settings.intIn(config, "controller.backoff-limit", 2, 0, 100),
                Duration.ofSeconds(Settings.intIn(config, "controller.active-deadline-seconds", 3600, 60, 86_400)),
                c.get("resources").detach().asMap().orElse(Map.of()),
                Settings.intIn(config, "controller.keep-finished", 10, 1, 1000),
                Duration.ofSeconds(Settings.intIn(config, "controller.ingest-timeout-seconds", 600, 5, 86_400)),
                c.get("consumer").asString().orElse("default"));
    }
}
