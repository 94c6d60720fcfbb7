package moe.ids.merger.operator;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the Refresh reconcile loop while this replica leads (Lease {@code controller.lease-name}): shared
 * informers on Refreshes and on the Jobs it owns feed a keyed work queue with one worker thread, so one
 * Refresh is reconciled at a time and never concurrently with itself; requeues are delayed tasks, never
 * sleeps. Finished Refreshes beyond {@code controller.keep-finished} are deleted (their Jobs follow through
 * owner references).
 */
public final class RefreshController implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RefreshController.class.getName());

    private final KubernetesClient client;
    private final ControllerConfig cfg;
    private final RefreshReconciler reconciler;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("refresh-reconciler").daemon(true).factory());
    private final Map<String, ScheduledFuture<?>> queued = new ConcurrentHashMap<>();
    private final AtomicBoolean leading = new AtomicBoolean();
    private final AtomicInteger reconciles = new AtomicInteger();
    private volatile SharedIndexInformer<Refresh> refreshes;
    private volatile SharedIndexInformer<Job> jobs;
    private volatile CompletableFuture<?> election;

    /**
     * @param client     Kubernetes client
     * @param cfg        settings
     * @param reconciler the reconcile step
     */
    public RefreshController(KubernetesClient client, ControllerConfig cfg, RefreshReconciler reconciler) {
        this.client = client;
        this.cfg = cfg;
        this.reconciler = reconciler;
    }

    /** Joins the leader election; the loop starts when this replica becomes leader. */
    public void start() {
        LeaderElector elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(cfg.leaseName())
                .withLock(new LeaseLock(cfg.namespace(), cfg.leaseName(), cfg.identity()))
                .withLeaseDuration(Duration.ofSeconds(15))
                .withRenewDeadline(Duration.ofSeconds(10))
                .withRetryPeriod(Duration.ofSeconds(2))
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::lead, this::follow,
                        leader -> LOG.log(System.Logger.Level.INFO, "controller leader: {0}", leader)))
                .build()).build();
        election = elector.start();
    }

    /**
     * @return true while this replica leads and its informers are running
     */
    public boolean leading() {
        return leading.get();
    }

    /**
     * @return reconciles run so far (for tests and metrics)
     */
    public int reconciles() {
        return reconciles.get();
    }

    private synchronized void lead() {
        LOG.log(System.Logger.Level.INFO, "{0} leads; starting informers", cfg.identity());
        leading.set(true);
        refreshes = client.resources(Refresh.class).inNamespace(cfg.namespace()).inform(new Handler<>() {
            @Override
            void changed(Refresh r) {
                enqueue(r.getMetadata().getName(), Duration.ZERO);
            }
        }, Duration.ofMinutes(5).toMillis());
        jobs = client.batch().v1().jobs().inNamespace(cfg.namespace()).withLabel(DesiredJob.REFRESH_LABEL)
                .inform(new Handler<>() {
                    @Override
                    void changed(Job j) {
                        enqueue(j.getMetadata().getLabels().get(DesiredJob.REFRESH_LABEL), Duration.ZERO);
                    }
                }, 0);
        refreshes.getStore().list().forEach(r -> enqueue(r.getMetadata().getName(), Duration.ZERO));
    }

    private synchronized void follow() {
        if (leading.getAndSet(false)) {
            LOG.log(System.Logger.Level.INFO, "{0} stopped leading; stopping informers", cfg.identity());
        }
        if (refreshes != null) {
            refreshes.stop();
        }
        if (jobs != null) {
            jobs.stop();
        }
        queued.values().forEach(f -> f.cancel(false));
        queued.clear();
    }

    private void enqueue(String name, Duration delay) {
        if (name == null || !leading.get()) {
            return;
        }
        queued.compute(name, (k, pending) -> {
            if (pending != null && !pending.isDone() && pending.getDelay(TimeUnit.MILLISECONDS) <= delay.toMillis()) {
                return pending;
            }
            if (pending != null) {
                pending.cancel(false);
            }
            return worker.schedule(() -> run(name), delay.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    private void run(String name) {
        try {
            reconcileNow(name);
        } catch (RuntimeException ex) {
            if (worker.isShutdown() || Thread.currentThread().isInterrupted()) {
                return; // closing
            }
            LOG.log(System.Logger.Level.WARNING, "reconcile of " + name + " crashed; requeued", ex);
            enqueue(name, RefreshReconciler.POLL);
        }
    }

    private void reconcileNow(String name) {
        queued.remove(name);
        if (!leading.get() || refreshes == null) {
            return;
        }
        // The informer only triggers; the Refresh itself is read fresh, so a reconcile never acts on a copy older
        // than the status it wrote a moment ago.
        Refresh r = client.resources(Refresh.class).inNamespace(cfg.namespace()).withName(name).get();
        if (r == null) {
            return;
        }
        List<Refresh> all = refreshes.getStore().list();
        Optional<Duration> again;
        try {
            reconciles.incrementAndGet();
            again = reconciler.reconcile(r, all);
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "reconcile of " + name + " failed; requeued", ex);
            again = Optional.of(RefreshReconciler.POLL);
        }
        again.ifPresent(d -> enqueue(name, d));
        if (again.isEmpty()) {
            // Finished or waiting: give the next one its turn, and prune old finished ones.
            Refresh next = RefreshReconciler.next(refreshes.getStore().list());
            if (next != null && !next.getMetadata().getName().equals(name)) {
                enqueue(next.getMetadata().getName(), Duration.ZERO);
            }
            prune();
        }
    }

    private void prune() {
        List<Refresh> finished = refreshes.getStore().list().stream().filter(RefreshReconciler::finished)
                .sorted(Comparator.comparing((Refresh r) -> r.getMetadata().getCreationTimestamp(),
                        Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(r -> r.getMetadata().getName()))
                .toList();
        for (Refresh old : finished.subList(0, Math.max(0, finished.size() - cfg.keepFinished()))) {
            LOG.log(System.Logger.Level.INFO, "pruning finished {0}", old.getMetadata().getName());
            client.resources(Refresh.class).inNamespace(cfg.namespace()).withName(old.getMetadata().getName()).delete();
        }
    }

    @Override
    public void close() {
        if (election != null) {
            election.cancel(true);
        }
        follow();
        worker.shutdownNow();
    }

    /** Calls {@link #changed} on add and update. */
    private abstract static class Handler<T> implements ResourceEventHandler<T> {
        abstract void changed(T t);

        @Override
        public void onAdd(T t) {
            changed(t);
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            changed(newObj);
        }

        @Override
        public void onDelete(T t, boolean deletedFinalStateUnknown) {
        }
    }
}
