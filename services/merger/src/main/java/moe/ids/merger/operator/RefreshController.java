package moe.ids.merger.operator;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Duration;
import java.time.Instant;
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
import java.util.function.IntConsumer;

/**
 * Runs the Refresh reconcile loop while this replica leads (Lease {@code controller.lease-name}): shared
 * informers on Refreshes and on the Jobs it owns feed a keyed work queue with one worker thread, so one
 * Refresh is reconciled at a time and never concurrently with itself; requeues are delayed tasks, never
 * sleeps. Finished Refreshes beyond {@code controller.keep-finished} are deleted (their Jobs follow through
 * owner references).
 *
 * <p>A fabric8 elector that stopped leading never competes again, so losing the lease (or the election ending
 * any other way than {@link #close()}) stops the work and ends the process with {@link #LEADERSHIP_LOST}: the
 * kubelet restarts the container, which joins the election afresh, as controller-runtime and the Java Operator
 * SDK do.
 */
public final class RefreshController implements AutoCloseable {
    /** Exit code when the election ended under the controller (EX_TEMPFAIL: try again). */
    public static final int LEADERSHIP_LOST = 75;

    private static final System.Logger LOG = System.getLogger(RefreshController.class.getName());

    private final KubernetesClient client;
    private final ControllerConfig cfg;
    private final RefreshReconciler reconciler;
    private final ControllerMetrics metrics;
    private final IntConsumer exit;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("refresh-reconciler").daemon(true).factory());
    private final Map<String, ScheduledFuture<?>> queued = new ConcurrentHashMap<>();
    private final AtomicBoolean leading = new AtomicBoolean();
    private final AtomicBoolean led = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean lost = new AtomicBoolean();
    private final AtomicInteger reconciles = new AtomicInteger();
    private volatile SharedIndexInformer<Refresh> refreshes;
    private volatile SharedIndexInformer<Job> jobs;
    private volatile CompletableFuture<?> election;
    private volatile Instant lastLeaseRead;
    private volatile String leader;

    /**
     * @param client     Kubernetes client
     * @param cfg        settings
     * @param reconciler the reconcile step
     * @param exit       ends the process with the given code ({@code System::exit}; tests record it), called
     *                   from a thread of its own once the election is over
     */
    public RefreshController(KubernetesClient client, ControllerConfig cfg, RefreshReconciler reconciler,
                             IntConsumer exit) {
        this.client = client;
        this.cfg = cfg;
        this.reconciler = reconciler;
        this.metrics = new ControllerMetrics(this::lastSuccess);
        this.exit = exit;
    }

    /** Joins the leader election; the loop starts when this replica becomes leader. */
    public void start() {
        ControllerConfig.Timings t = cfg.timings();
        LeaderElector elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(cfg.leaseName())
                .withLock(new WatchedLock(new LeaseLock(cfg.namespace(), cfg.leaseName(), cfg.identity())))
                .withLeaseDuration(t.leaseDuration())
                .withRenewDeadline(t.renewDeadline())
                .withRetryPeriod(t.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::lead, this::stoppedLeading, this::newLeader))
                .build()).build();
        lastLeaseRead = Instant.now();
        election = elector.start();
        election.whenComplete((v, error) -> electionOver(error));
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

    /**
     * Where this replica stands in the election.
     *
     * @param alive    its elector still runs: started, not over, and it read the Lease lately
     * @param role     {@code leader}, {@code standby} or {@code stopped}
     * @param leader   the identity holding the Lease as last seen (null when none)
     * @param identity this replica's identity
     */
    public record Standing(boolean alive, String role, String leader, String identity) {
    }

    /**
     * @return this replica's place in the election now
     */
    public Standing standing() {
        CompletableFuture<?> e = election;
        boolean alive = electorAlive(e != null, e != null && e.isDone(), lastLeaseRead, Instant.now(),
                cfg.timings());
        String role = lost.get() || closing.get() || !alive ? "stopped" : leading.get() ? "leader" : "standby";
        return new Standing(alive, role, leader, cfg.identity());
    }

    /**
     * The elector reads the Lease every retry period (jittered up to 2.2 periods), leader or not; a request can
     * also take up to the lease duration before it fails. Not having read it for two lease durations and a retry
     * period means the elector is stuck or dead.
     *
     * @param started  the election was started
     * @param over     its future is complete
     * @param lastRead when the elector last read the Lease (attempts count, failed ones too)
     * @param now      now
     * @param t        timings
     * @return true when the elector is alive
     */
    static boolean electorAlive(boolean started, boolean over, Instant lastRead, Instant now,
                                ControllerConfig.Timings t) {
        if (!started || over || lastRead == null) {
            return false;
        }
        Duration stale = t.leaseDuration().multipliedBy(2).plus(t.retryPeriod());
        return !now.isAfter(lastRead.plus(stale));
    }

    private void newLeader(String identity) {
        leader = identity;
        LOG.log(System.Logger.Level.INFO, "controller leader: {0}", identity);
    }

    private synchronized void lead() {
        if (lost.get() || closing.get()) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "{0} leads; starting informers", cfg.identity());
        led.set(true);
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
                        // the label value may be shortened; the owner reference has the Refresh's whole name
                        enqueue(DesiredJob.refreshOf(j), Duration.ZERO);
                    }
                }, 0);
        refreshes.getStore().list().forEach(r -> enqueue(r.getMetadata().getName(), Duration.ZERO));
    }

    private void stoppedLeading() {
        if (closing.get()) {
            stopWork();
            return;
        }
        if (led.get()) {
            leadershipLost("lost the lease " + cfg.leaseName());
        }
    }

    private void electionOver(Throwable error) {
        if (closing.get()) {
            return;
        }
        if (error != null) {
            LOG.log(System.Logger.Level.ERROR, "leader election failed", error);
        }
        leadershipLost("the leader election ended" + (error == null ? "" : ": " + error));
    }

    /** Stops the work at once and ends the process (once): this replica may no longer act. */
    private void leadershipLost(String why) {
        if (!lost.compareAndSet(false, true)) {
            return;
        }
        LOG.log(System.Logger.Level.ERROR, "{0}: {1}; stopping work and exiting with {2} so that the container "
                + "restarts and joins the election again", cfg.identity(), why, LEADERSHIP_LOST);
        stopWork();
        // A running reconcile is interrupted; a merge that does not heed interrupts ends with the process, and
        // its transaction with the connection. No new reconcile starts: the worker is shut down.
        worker.shutdownNow();
        // Not on the elector's thread: the shutdown hooks cancel the election, which needs the elector's monitor
        // held by the thread reporting the loss.
        Thread.ofPlatform().name("controller-exit").start(() -> exit.accept(LEADERSHIP_LOST));
    }

    private synchronized void stopWork() {
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
                return; // closing, or the lease is lost
            }
            LOG.log(System.Logger.Level.WARNING, "reconcile of " + name + " crashed; requeued", ex);
            enqueue(name, cfg.timings().poll());
        }
    }

    /** Epoch seconds at which the newest Succeeded Refresh finished, from the informer; 0 when not leading. */
    private double lastSuccess() {
        SharedIndexInformer<Refresh> informer = refreshes;
        if (!leading.get() || informer == null) {
            return 0;
        }
        return informer.getStore().list().stream()
                .filter(x -> x.getStatus() != null && x.getStatus().getPhase() == RefreshStatus.Phase.Succeeded
                        && x.getStatus().getFinishedAt() != null)
                .mapToDouble(x -> java.time.Instant.parse(x.getStatus().getFinishedAt()).toEpochMilli() / 1000.0)
                .max().orElse(0);
    }

    private void reconcileNow(String name) {
        queued.remove(name);
        if (!leading.get() || refreshes == null) {
            return;
        }
        // The informer only triggers; the Refresh itself is read fresh, so a reconcile never acts on a copy older
        // than the status it wrote a moment ago.
        Refresh r = client.resources(Refresh.class).inNamespace(cfg.namespace()).withName(name).get();
        if (r == null || !leading.get()) {
            return;
        }
        List<Refresh> all = refreshes.getStore().list();
        Optional<Duration> again;
        try {
            reconciles.incrementAndGet();
            boolean wasFinished = RefreshReconciler.finished(r);
            again = reconciler.reconcile(r, all);
            if (!wasFinished && RefreshReconciler.finished(r)) {
                metrics.finished(r.getStatus().getPhase().name(), r.getStatus().getConditions().stream()
                        .filter(c -> "Ready".equals(c.getType())).map(c -> c.getReason()).findFirst().orElse(""));
            }
        } catch (RuntimeException ex) {
            if (worker.isShutdown()) {
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "reconcile of " + name + " failed; requeued", ex);
            again = Optional.of(cfg.timings().poll());
        }
        again.ifPresent(d -> enqueue(name, d));
        if (again.isEmpty() && leading.get()) {
            // Finished or waiting: give the next one its turn, and prune old finished ones.
            Refresh next = RefreshReconciler.next(refreshes.getStore().list());
            if (next != null && !next.getMetadata().getName().equals(name)) {
                enqueue(next.getMetadata().getName(), Duration.ZERO);
            }
            prune();
        }
    }

    private void prune() {
        for (Refresh old : RefreshReconciler.prunable(refreshes.getStore().list(), cfg.keepFinished())) {
            LOG.log(System.Logger.Level.INFO, "pruning finished {0}", old.getMetadata().getName());
            client.resources(Refresh.class).inNamespace(cfg.namespace()).withName(old.getMetadata().getName()).delete();
        }
    }

    /** Leaves the election (releasing the Lease when held) and stops the work; never ends the process. */
    @Override
    public void close() {
        closing.set(true);
        if (election != null) {
            election.cancel(true);
        }
        stopWork();
        worker.shutdownNow();
    }

    /** The Lease lock, noting each read: the elector reads it every retry period, so the reads are its pulse. */
    private final class WatchedLock implements Lock {
        private final Lock lock;

        WatchedLock(Lock lock) {
            this.lock = lock;
        }

        @Override
        public LeaderElectionRecord get(KubernetesClient c) {
            lastLeaseRead = Instant.now();
            return lock.get(c);
        }

        @Override
        public void create(KubernetesClient c, LeaderElectionRecord record) {
            lock.create(c, record);
        }

        @Override
        public void update(KubernetesClient c, LeaderElectionRecord record) {
            lock.update(c, record);
        }

        @Override
        public String identity() {
            return lock.identity();
        }

        @Override
        public String describe() {
            return lock.describe();
        }
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
