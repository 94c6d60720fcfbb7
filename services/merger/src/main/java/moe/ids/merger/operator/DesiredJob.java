package moe.ids.merger.operator;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scraper Job a Refresh wants, computed purely from the Refresh and the settings: Indexed, one
 * completion per source (the pod takes {@code SCRAPER_SOURCES[JOB_COMPLETION_INDEX]}), owned by the Refresh.
 */
public final class DesiredJob {
    /** Label naming the Refresh a Job belongs to. */
    public static final String REFRESH_LABEL = "ids.moe/refresh";

    private DesiredJob() {
    }

    /**
     * @param refresh the Refresh
     * @return its Job's name
     */
    public static String name(Refresh refresh) {
        String base = refresh.getMetadata().getName();
        return (base.length() > 50 ? base.substring(0, 50) : base) + "-scrape";
    }

    /**
     * @param refresh the Refresh
     * @param sources the sources, in order (index i scrapes sources[i])
     * @param cfg     settings
     * @return the Job
     */
    public static Job of(Refresh refresh, List<String> sources, ControllerConfig cfg) {
        Map<String, String> labels = Map.of("app.kubernetes.io/name", "ids-moe",
                "app.kubernetes.io/component", "scraper", REFRESH_LABEL, refresh.getMetadata().getName());
        List<EnvFromSource> envFrom = new ArrayList<>();
        cfg.envFromConfigMaps().forEach(n -> envFrom.add(new EnvFromSourceBuilder().withNewConfigMapRef(n, false).build()));
        cfg.envFromSecrets().forEach(n -> envFrom.add(new EnvFromSourceBuilder().withNewSecretRef(n, false).build()));
        Map<String, Quantity> requests = new HashMap<>();
        Map<String, Quantity> limits = new HashMap<>();
        cfg.resources().forEach((k, v) -> {
            switch (k) {
                case "cpu-request" -> requests.put("cpu", new Quantity(v));
                case "memory-request" -> requests.put("memory", new Quantity(v));
                case "cpu-limit" -> limits.put("cpu", new Quantity(v));
                case "memory-limit" -> limits.put("memory", new Quantity(v));
                default -> {
                }
            }
        });
        return new JobBuilder()
                .withNewMetadata()
                    .withName(name(refresh))
                    .withNamespace(refresh.getMetadata().getNamespace())
                    .withLabels(labels)
                    .withOwnerReferences(new OwnerReferenceBuilder()
                            .withApiVersion(refresh.getApiVersion()).withKind(refresh.getKind())
                            .withName(refresh.getMetadata().getName()).withUid(refresh.getMetadata().getUid())
                            .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withNewSpec()
                    .withCompletionMode("Indexed")
                    .withCompletions(sources.size())
                    .withParallelism(Math.min(sources.size(), cfg.parallelism()))
                    .withBackoffLimit(cfg.backoffLimit())
                    .withActiveDeadlineSeconds(cfg.activeDeadline().toSeconds())
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels).endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withServiceAccountName(cfg.scraperServiceAccount())
                            .withAutomountServiceAccountToken(false)
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .withContainers(new ContainerBuilder()
                                    .withName("scraper")
                                    .withImage(cfg.scraperImage())
                                    .withArgs("run")
                                    .addNewEnv().withName("SCRAPER_SOURCES").withValue(String.join(",", sources)).endEnv()
                                    .addNewEnv().withName("SCRAPER_FORCE")
                                        .withValue(Boolean.toString(refresh.getSpec().isForce())).endEnv()
                                    .withEnvFrom(envFrom)
                                    .withResources(new ResourceRequirementsBuilder().withRequests(requests)
                                            .withLimits(limits).build())
                                    .withNewSecurityContext()
                                        .withAllowPrivilegeEscalation(false)
                                        .withReadOnlyRootFilesystem(true)
                                        .withNewCapabilities().withDrop("ALL").endCapabilities()
                                    .endSecurityContext()
                                    .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                                    .build())
                            .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }
}
