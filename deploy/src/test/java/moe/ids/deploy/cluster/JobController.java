package moe.ids.deploy.cluster;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The Job controller and the kubelet's part for Jobs: each Job's completions run as {@link Pod}s (Indexed Jobs
 * with {@code JOB_COMPLETION_INDEX}), at most {@code parallelism} at once; a failed pod is judged by the
 * {@code podFailurePolicy} rules (exit codes; {@code FailJob}, {@code FailIndex}, {@code Ignore}, {@code Count}),
 * then counted against {@code backoffLimitPerIndex} (that index alone fails) or {@code backoffLimit} (the whole Job
 * fails and its running pods are killed), and retried after a back-off (1 s doubling, where Kubernetes waits
 * 10 s doubling); {@code activeDeadlineSeconds} ends the Job. The status is written as Kubernetes writes it:
 * {@code active}, {@code succeeded}, {@code failed}, {@code completedIndexes}, {@code failedIndexes},
 * {@code startTime}, {@code completionTime}, and the terminal conditions ({@code SuccessCriteriaMet} +
 * {@code Complete}, or {@code FailureTarget} + {@code Failed} with the reason).
 */
final class JobController {
    private static final System.Logger LOG = System.getLogger(JobController.class.getName());

    private final LocalCluster cluster;
    private final Map<String, Run> runs = new HashMap<>();

    JobController(LocalCluster cluster) {
        this.cluster = cluster;
    }

    /** Per-Job bookkeeping, by uid. */
    private static final class Run {
        final Instant start = Instant.now();
        final Map<Integer, Pod> running = new LinkedHashMap<>();
        final Map<Integer, Integer> failures = new HashMap<>();
        final Map<Integer, Instant> notBefore = new HashMap<>();
        final TreeSet<Integer> succeeded = new TreeSet<>();
        final TreeSet<Integer> failedIndexes = new TreeSet<>();
        int failedPods;
        int counted;
        String failReason;
        String failMessage;
        boolean done;
        final List<Pod> all = new ArrayList<>();
    }

    synchronized void reconcile(String namespace) {
        for (Job job : cluster.admin().batch().v1().jobs().inNamespace(namespace).list().getItems()) {
            if (finished(job)) {
                continue;
            }
            Run run = runs.computeIfAbsent(job.getMetadata().getUid(), u -> new Run());
            if (!run.done) {
                step(job, run);
            }
        }
    }

    private static boolean finished(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions()
                .stream().anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                        && "True".equals(c.getStatus()));
    }

    private void step(Job job, Run run) {
        JobSpec spec = job.getSpec();
        boolean indexed = "Indexed".equals(spec.getCompletionMode());
        int completions = spec.getCompletions() == null ? 1 : spec.getCompletions();
        int parallelism = spec.getParallelism() == null ? 1 : spec.getParallelism();
        Integer perIndex = spec.getBackoffLimitPerIndex();
        int backoffLimit = spec.getBackoffLimit() == null ? (perIndex != null ? Integer.MAX_VALUE : 6) : spec.getBackoffLimit();
        // exits
        for (var it = run.running.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            Integer code = e.getValue().exitCode();
            if (code == null) {
                continue;
            }
            it.remove();
            int index = e.getKey();
            if (code == 0) {
                run.succeeded.add(index);
                continue;
            }
            run.failedPods++;
            String action = action(spec, e.getValue(), code);
            LOG.log(System.Logger.Level.INFO, "job {0}: index {1} exited {2} -> {3}", job.getMetadata().getName(), index,
                    code, action);
            switch (action) {
                case "FailJob" -> fail(run, "PodFailurePolicy", "container exited with code " + code);
                case "FailIndex" -> run.failedIndexes.add(index);
                case "Ignore" -> {
                }
                default -> {
                    int n = run.failures.merge(index, 1, Integer::sum);
                    run.counted++;
                    if (perIndex != null) {
                        if (n > perIndex) {
                            run.failedIndexes.add(index);
                        }
                    } else if (run.counted > backoffLimit) {
                        fail(run, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
                    }
                    run.notBefore.put(index, Instant.now().plus(Duration.ofSeconds(1L << Math.min(n - 1, 5))));
                }
            }
        }
        if (spec.getActiveDeadlineSeconds() != null && run.failReason == null
                && Instant.now().isAfter(run.start.plusSeconds(spec.getActiveDeadlineSeconds()))) {
            fail(run, "DeadlineExceeded", "Job was active longer than specified deadline");
        }
        if (run.failReason != null) {
            run.running.values().forEach(Pod::kill);
            run.running.clear();
        } else {
            for (int i = 0; i < completions && run.running.size() < parallelism; i++) {
                if (run.succeeded.contains(i) || run.failedIndexes.contains(i) || run.running.containsKey(i)
                        || Instant.now().isBefore(run.notBefore.getOrDefault(i, Instant.EPOCH))) {
                    continue;
                }
                run.running.put(i, startPod(job, i, indexed));
            }
        }
        boolean allSettled = run.running.isEmpty() && run.succeeded.size() + run.failedIndexes.size() == completions;
        if (run.failReason == null && allSettled && !run.failedIndexes.isEmpty()) {
            fail(run, "FailedIndexes", "Job has failed indexes");
        }
        boolean complete = run.failReason == null && run.succeeded.size() == completions;
        run.done = complete || run.failReason != null && run.running.isEmpty();
        write(job, run, indexed, perIndex != null, complete);
    }

    private static void fail(Run run, String reason, String message) {
        if (run.failReason == null) {
            run.failReason = reason;
            run.failMessage = message;
        }
    }

    /** The first podFailurePolicy rule whose exit-code requirement matches decides; none: Count. */
    private static String action(JobSpec spec, Pod pod, int code) {
        if (spec.getPodFailurePolicy() == null || spec.getPodFailurePolicy().getRules() == null) {
            return "Count";
        }
        for (PodFailurePolicyRule rule : spec.getPodFailurePolicy().getRules()) {
            PodFailurePolicyOnExitCodesRequirement req = rule.getOnExitCodes();
            if (req == null) {
                continue; // pod-condition rules (DisruptionTarget): no disruptions happen here
            }
            boolean in = req.getValues().contains(code);
            if ("In".equals(req.getOperator()) ? in : !in) {
                return rule.getAction();
            }
        }
        return "Count";
    }

    private Pod startPod(Job job, int index, boolean indexed) {
        var template = job.getSpec().getTemplate();
        Map<String, String> labels = new LinkedHashMap<>(template.getMetadata() == null
                || template.getMetadata().getLabels() == null ? Map.of() : template.getMetadata().getLabels());
        labels.put("job-name", job.getMetadata().getName());
        labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
        labels.put("controller-uid", job.getMetadata().getUid());
        Map<String, String> env = new HashMap<>();
        String name = job.getMetadata().getName() + "-" + (indexed ? index + "-" : "") + LocalCluster.randomSuffix();
        if (indexed) {
            labels.put("batch.kubernetes.io/job-completion-index", Integer.toString(index));
            env.put("JOB_COMPLETION_INDEX", Integer.toString(index));
        }
        Pod pod = cluster.newPod(name, job.getMetadata().getNamespace(), labels, template.getSpec(), env);
        pod.start();
        return pod;
    }

    private void write(Job job, Run run, boolean indexed, boolean perIndex, boolean complete) {
        JobStatus st = new JobStatus();
        st.setStartTime(run.start.toString());
        st.setActive(run.running.size());
        st.setSucceeded(run.succeeded.size());
        st.setFailed(run.failedPods);
        if (indexed) {
            st.setCompletedIndexes(ranges(run.succeeded));
            if (perIndex) {
                st.setFailedIndexes(ranges(run.failedIndexes));
            }
        }
        List<JobCondition> conditions = new ArrayList<>();
        String now = Instant.now().toString();
        if (complete) {
            conditions.add(condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods", now));
            conditions.add(condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods", now));
            st.setCompletionTime(now);
        } else if (run.failReason != null) {
            conditions.add(condition("FailureTarget", run.failReason, run.failMessage, now));
            if (run.running.isEmpty()) {
                conditions.add(condition("Failed", run.failReason, run.failMessage, now));
            }
        }
        st.setConditions(conditions);
        Job current = cluster.admin().batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
                .withName(job.getMetadata().getName()).get();
        if (current == null || same(current.getStatus(), st)) {
            return;
        }
        current.setStatus(st);
        try {
            cluster.admin().batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).resource(current)
                    .updateStatus();
        } catch (KubernetesClientException e) {
            run.done = false; // a conflict: written again on the next pass
        }
    }

    private static boolean same(JobStatus a, JobStatus b) {
        if (a == null) {
            return false;
        }
        return Objects.equals(a.getActive(), b.getActive()) && Objects.equals(a.getSucceeded(), b.getSucceeded())
                && Objects.equals(a.getFailed(), b.getFailed())
                && Objects.equals(a.getCompletedIndexes(), b.getCompletedIndexes())
                && Objects.equals(a.getFailedIndexes(), b.getFailedIndexes())
                && Objects.equals(types(a), types(b));
    }

    private static List<String> types(JobStatus s) {
        return s.getConditions() == null ? List.of() : s.getConditions().stream().map(JobCondition::getType).toList();
    }

    private static JobCondition condition(String type, String reason, String message, String now) {
        return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
                .withLastTransitionTime(now).withLastProbeTime(now).build();
    }

    /** Kubernetes' interval notation: 0-2,4,6-7 (empty string when none). */
    static String ranges(TreeSet<Integer> set) {
        StringBuilder out = new StringBuilder();
        Integer start = null;
        Integer prev = null;
        for (int i : set) {
            if (prev != null && i == prev + 1) {
                prev = i;
                continue;
            }
            if (start != null) {
                out.append(out.isEmpty() ? "" : ",").append(start.equals(prev) ? "" + start : start + "-" + prev);
            }
            start = i;
            prev = i;
        }
        if (start != null) {
            out.append(out.isEmpty() ? "" : ",").append(start.equals(prev) ? "" + start : start + "-" + prev);
        }
        return out.toString();
    }

    /** Kills the pods of every Job still running (the cluster is going away). */
    synchronized void close() {
        runs.values().forEach(r -> r.running.values().forEach(Pod::kill));
    }
}
