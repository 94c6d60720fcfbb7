package moe.ids.merger.operator;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The scraper Job a Refresh wants, computed purely from the Refresh and the settings: Indexed, one
 * completion per source (the pod takes {@code SCRAPER_SOURCES[JOB_COMPLETION_INDEX]}), owned by the Refresh.
 * A source that fails fails its own index only ({@code backoffLimitPerIndex}, and exit code 3 — the source
 * failed and PostgreSQL has the reason — fails the index without a retry); the other sources run to the end.
 */
public final class DesiredJob {
    /** Label naming the Refresh a Job belongs to (a valid label value: shortened with a hash when too long). */
    public static final String REFRESH_LABEL = "ids.moe/refresh";
    /** The scraper's exit code when its source failed (recorded in {@code source_fetch}). */
    public static final int SOURCE_FAILED_EXIT = 3;
    /** The scraper's container name. */
    public static final String CONTAINER = "scraper";

    private static final int MAX_LABEL = 63;
    /** The Job name is at most 50 + "-scrape": its pods' hostnames are {@code <job>-<index>}, a DNS label. */
    private static final int MAX_JOB_BASE = 50;
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private DesiredJob() {
    }

    /**
     * The Job's name: {@code <refresh>-scrape} when the Refresh's name is a DNS label of at most 50 characters;
     * else its first characters with dots made dashes, a hash of the whole name, and {@code -scrape}, so that the
     * name stays unique per Refresh and every pod hostname ({@code <job>-<index>}) is a valid DNS label.
     *
     * @param refresh the Refresh
     * @return its Job's name (at most 57 characters)
     */
    public static String name(Refresh refresh) {
        String base = refresh.getMetadata().getName();
        if (base.length() <= MAX_JOB_BASE && DNS_LABEL.matcher(base).matches()) {
            return base + "-scrape";
        }
        return shortened(base.replace('.', '-'), MAX_JOB_BASE, base) + "-scrape";
    }

    /**
     * @param refreshName a Refresh's name (up to 253 characters)
     * @return the {@link #REFRESH_LABEL} value: the name itself when at most 63 characters, else its start and a
     *         hash of the whole name (63 characters, alphanumeric at both ends)
     */
    public static String labelValue(String refreshName) {
        return refreshName.length() <= MAX_LABEL ? refreshName : shortened(refreshName, MAX_LABEL, refreshName);
    }

    /**
     * @param job a scraper Job
     * @return the name of the Refresh that owns it (its controller owner reference), or null
     */
    public static String refreshOf(Job job) {
        if (job.getMetadata() == null || job.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        return job.getMetadata().getOwnerReferences().stream()
                .filter(o -> "Refresh".equals(o.getKind()) && Boolean.TRUE.equals(o.getController()))
                .map(OwnerReference::getName).findFirst().orElse(null);
    }

    /** {@code start} cut to leave room for "-" and an 8-digit hash of {@code whole}, ending alphanumeric. */
    private static String shortened(String start, int max, String whole) {
        String hash = hash(whole);
        String head = start.substring(0, Math.min(start.length(), max - hash.length() - 1));
        head = head.replaceAll("[^a-z0-9]+$", "");
        return head.isEmpty() ? hash : head + "-" + hash;
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @param refresh the Refresh
     * @param sources the sources, in order (index i scrapes sources[i])
     * @param force   the run is forced
     * @param cfg     settings
     * @return the Job
     */
    public static Job of(Refresh refresh, List<String> sources, boolean force, ControllerConfig cfg) {
        ControllerConfig.ScraperPod pod = cfg.pod();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", pod.appName());
        if (!pod.instance().isBlank()) {
            labels.put("app.kubernetes.io/instance", pod.instance());
        }
        labels.put("app.kubernetes.io/component", "scraper");
        labels.put("app.kubernetes.io/part-of", "ids-moe");
        labels.put(REFRESH_LABEL, labelValue(refresh.getMetadata().getName()));
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
                    // Retries are counted per source; the Job-wide backoffLimit is left to Kubernetes, which sets
                    // it to the largest integer when backoffLimitPerIndex is set; maxFailedIndexes stays unset so
                    // that every source runs whatever the others do.
                    .withBackoffLimitPerIndex(cfg.backoffLimit())
                    .withPodFailurePolicy(new PodFailurePolicyBuilder()
                            .addNewRule().withAction("FailIndex")
                                .withNewOnExitCodes().withContainerName(CONTAINER).withOperator("In")
                                    .withValues(SOURCE_FAILED_EXIT).endOnExitCodes()
                            .endRule()
                            .addNewRule().withAction("Ignore")
                                .addNewOnPodCondition().withType("DisruptionTarget").withStatus("True")
                                .endOnPodCondition()
                            .endRule()
                            .build())
                    .withActiveDeadlineSeconds(cfg.activeDeadline().toSeconds())
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels).endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withServiceAccountName(cfg.scraperServiceAccount())
                            .withAutomountServiceAccountToken(false)
                            .withEnableServiceLinks(false)
                            .withImagePullSecrets(pod.imagePullSecrets().stream().map(LocalObjectReference::new)
                                    .toList())
                            .withNodeSelector(pod.nodeSelector().isEmpty() ? null : pod.nodeSelector())
                            .withTolerations(pod.tolerations())
                            .withAffinity(pod.affinity())
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .withContainers(new ContainerBuilder()
                                    .withName(CONTAINER)
                                    .withImage(cfg.scraperImage())
                                    .withArgs("run")
                                    .addNewEnv().withName("SCRAPER_SOURCES").withValue(String.join(",", sources)).endEnv()
                                    .addNewEnv().withName("SCRAPER_FORCE").withValue(Boolean.toString(force)).endEnv()
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
