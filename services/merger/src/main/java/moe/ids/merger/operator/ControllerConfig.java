package moe.ids.merger.operator;

import moe.ids.core.config.RecordText;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.helidon.config.Config;
import moe.ids.core.config.Settings;
import moe.ids.core.error.ConfigException;
import tools.jackson.core.type.TypeReference;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 * @param backoffLimit          retries of one source's pod (the Job's backoff limit per index)
 * @param activeDeadline        Job active deadline
 * @param resources             requests/limits of the scraper container ({@code cpu-request}, …)
 * @param keepFinished          finished Refreshes kept
 * @param ingestTimeout         longest wait for the ingestor, from when the Refresh began Ingesting
 * @param consumer              ingestor name whose applied version counts
 * @param timings               leader election and requeue delays
 * @param pod                   labels and placement of the scraper Job and its pods
 */
public record ControllerConfig(boolean enabled, String namespace, String identity, String leaseName,
                               String scraperImage, String scraperServiceAccount, List<String> envFromConfigMaps,
                               List<String> envFromSecrets, int parallelism, int backoffLimit,
                               Duration activeDeadline, Map<String, String> resources, int keepFinished,
                               Duration ingestTimeout, String consumer, Timings timings, ScraperPod pod) {

    /**
     * Leader election and requeue delays ({@code controller.lease-duration-seconds},
     * {@code renew-deadline-seconds}, {@code retry-period-seconds}, {@code poll-seconds},
     * {@code ingest-poll-seconds}). The elector's rules hold: the renew deadline is shorter than the lease and
     * longer than a retry period with its jitter (2.2 × the retry period).
     *
     * @param leaseDuration how long a Lease holds without renewal (a standby takes over after it)
     * @param renewDeadline how long the leader keeps trying to renew before it gives up leading
     * @param retryPeriod   pause between two tries to acquire or renew
     * @param poll          how often a running Job is looked at again
     * @param ingestPoll    how often the ingestor's applied version is looked at again
     */
    public record Timings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod, Duration poll,
                          Duration ingestPoll) {
        /** The defaults: 15 s lease, 10 s renew deadline, 2 s retry, 5 s poll, 2 s ingest poll. */
        public static final Timings DEFAULT = new Timings(Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(2));

        /**
         * @throws ConfigException when a delay is not positive or the elector's rules do not hold
         */
        public Timings {
            for (Duration d : new Duration[]{leaseDuration, renewDeadline, retryPeriod, poll, ingestPoll}) {
                if (d == null || d.isNegative() || d.isZero()) {
                    throw new ConfigException("controller timings must be positive: " + d);
                }
            }
            if (renewDeadline.compareTo(leaseDuration) >= 0) {
                throw new ConfigException("controller.renew-deadline-seconds (" + renewDeadline.toSeconds()
                        + ") must be less than controller.lease-duration-seconds (" + leaseDuration.toSeconds() + ")");
            }
            if (renewDeadline.toMillis() <= retryPeriod.toMillis() * 22 / 10) {
                throw new ConfigException("controller.renew-deadline-seconds (" + renewDeadline.toSeconds()
                        + ") must be more than 2.2 × controller.retry-period-seconds (" + retryPeriod.toSeconds()
                        + "): the elector's retries are jittered by up to 1.2 periods");
            }
        }

        /** Written out: the generated method costs the start path tens of milliseconds ({@link RecordText}). */
        @Override
        public String toString() {
            return RecordText.of("Timings", "leaseDuration", leaseDuration, "renewDeadline", renewDeadline,
                    "retryPeriod", retryPeriod, "poll", poll, "ingestPoll", ingestPoll);
        }
    }

    /**
     * What the scraper Job and its pods get besides the scrape itself: the release's labels, image pull
     * Secrets and scheduling.
     *
     * @param appName          {@code app.kubernetes.io/name} ({@code controller.app-name})
     * @param instance         {@code app.kubernetes.io/instance}, the release ({@code controller.instance}; none
     *                         when blank)
     * @param imagePullSecrets Secrets pulling the scraper image ({@code controller.scraper-image-pull-secrets})
     * @param nodeSelector     node selector ({@code controller.scraper-node-selector}, JSON)
     * @param tolerations      tolerations ({@code controller.scraper-tolerations}, JSON)
     * @param affinity         affinity or null ({@code controller.scraper-affinity}, JSON)
     */
    public record ScraperPod(String appName, String instance, List<String> imagePullSecrets,
                             Map<String, String> nodeSelector, List<Toleration> tolerations, Affinity affinity) {
        /** No release labels, no pull Secrets, no scheduling constraints. */
        public static final ScraperPod NONE = new ScraperPod("ids-moe", "", List.of(), Map.of(), List.of(), null);

        /** Copies the collections. */
        public ScraperPod {
            Objects.requireNonNull(appName, "appName");
            instance = instance == null ? "" : instance;
            imagePullSecrets = List.copyOf(imagePullSecrets);
            nodeSelector = Map.copyOf(nodeSelector);
            tolerations = List.copyOf(tolerations);
        }

        /** Written out: the generated method costs the start path tens of milliseconds ({@link RecordText}). */
        @Override
        public String toString() {
            return RecordText.of("ScraperPod", "appName", appName, "instance", instance,
                    "imagePullSecrets", imagePullSecrets, "nodeSelector", nodeSelector, "tolerations", tolerations,
                    "affinity", affinity);
        }
    }

    /**
     * @param config root config
     * @return validated settings
     * @throws ConfigException when a setting is out of range or malformed
     */
    public static ControllerConfig from(Config config) {
        Config c = config.get("controller");
        boolean inCluster = System.getenv("KUBERNETES_SERVICE_HOST") != null;
        Timings timings = new Timings(
                seconds(config, "lease-duration-seconds", 15, 2, 600),
                seconds(config, "renew-deadline-seconds", 10, 1, 599),
                seconds(config, "retry-period-seconds", 2, 1, 120),
                seconds(config, "poll-seconds", 5, 1, 600),
                seconds(config, "ingest-poll-seconds", 2, 1, 600));
        ScraperPod pod = new ScraperPod(
                c.get("app-name").asString().orElse("ids-moe"),
                c.get("instance").asString().orElse(""),
                c.get("scraper-image-pull-secrets").asList(String.class).orElse(List.of()),
                json(c, "scraper-node-selector", new TypeReference<Map<String, String>>() { }, Map.of()),
                json(c, "scraper-tolerations", new TypeReference<List<Toleration>>() { }, List.of()),
                json(c, "scraper-affinity", new TypeReference<Affinity>() { }, null));
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
                c.get("consumer").asString().orElse("default"),
                timings, pod);
    }

    private static Duration seconds(Config config, String key, int fallback, int min, int max) {
        return Duration.ofSeconds(Settings.intIn(config, "controller." + key, fallback, min, max));
    }

    /**
     * Node selectors, tolerations and affinities carry keys with dots ({@code kubernetes.io/arch}), which a
     * configuration tree would split, so they come as JSON text.
     */
    private static <T> T json(Config c, String key, TypeReference<T> type, T fallback) {
        String text = c.get(key).asString().orElse("").strip();
        if (text.isEmpty() || "null".equals(text) || "{}".equals(text) && fallback == null) {
            return fallback;
        }
        try {
            T value = Serialization.unmarshal(text, type);
            return value == null ? fallback : value;
        } catch (RuntimeException ex) {
            throw new ConfigException("controller." + key + " must be JSON: " + ex.getMessage());
        }
    }

    /** Written out: the generated method costs the start path tens of milliseconds ({@link RecordText}). */
    @Override
    public String toString() {
        return RecordText.of("ControllerConfig", "enabled", enabled, "namespace", namespace, "identity", identity,
                "leaseName", leaseName, "scraperImage", scraperImage, "scraperServiceAccount", scraperServiceAccount,
                "envFromConfigMaps", envFromConfigMaps, "envFromSecrets", envFromSecrets, "parallelism", parallelism,
                "backoffLimit", backoffLimit, "activeDeadline", activeDeadline, "resources", resources,
                "keepFinished", keepFinished, "ingestTimeout", ingestTimeout, "consumer", consumer, "timings", timings,
                "pod", pod);
    }
}
