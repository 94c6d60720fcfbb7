package moe.ids.merger.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import moe.ids.core.snapshot.RunArgs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code refresh create [--source NAME]... [--force]}: creates a Refresh (name {@code refresh-<random>}) in the
 * controller's namespace and prints its name. What the CronJob runs; needs only {@code create} on refreshes.
 */
public final class RefreshCreate {
    private static final System.Logger LOG = System.getLogger(RefreshCreate.class.getName());

    private RefreshCreate() {
    }

    /**
     * @param cfg  controller settings (for the namespace)
     * @param args arguments after {@code refresh create}
     * @return exit code
     */
    public static int run(ControllerConfig cfg, List<String> args) {
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            return run(cfg, args, client);
        }
    }

    /**
     * @param cfg    controller settings (for the namespace)
     * @param args   arguments after {@code refresh create}
     * @param client the client to create it with (the pod's ServiceAccount)
     * @return exit code
     */
    public static int run(ControllerConfig cfg, List<String> args, KubernetesClient client) {
        Refresh r;
        try {
            r = refresh(args);
        } catch (IllegalArgumentException ex) {
            LOG.log(System.Logger.Level.ERROR, "{0}; usage: refresh create [--source NAME]... [--force]", ex.getMessage());
            return 64;
        }
        try {
            Refresh created = client.resources(Refresh.class).inNamespace(cfg.namespace()).resource(r).create();
            LOG.log(System.Logger.Level.INFO, "created refresh.ids.moe/{0} in {1}", created.getMetadata().getName(),
                    cfg.namespace());
            return 0;
        } catch (KubernetesClientException ex) {
            LOG.log(System.Logger.Level.ERROR, "cannot create a Refresh: {0}", ex.getMessage());
            return 1;
        }
    }

    /**
     * @param args {@code [--source NAME]... [--force]}
     * @return the Refresh to create
     * @throws IllegalArgumentException on a bad argument or an unknown source
     */
    public static Refresh refresh(List<String> args) {
        RunArgs parsed;
        try {
            parsed = RunArgs.parse(args);
        } catch (moe.ids.core.error.BadRequestException ex) {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
        RefreshSpec spec = new RefreshSpec();
        spec.setForce(parsed.force());
        List<SourceName> sources = new ArrayList<>();
        for (String name : parsed.sources()) {
            sources.add(java.util.Arrays.stream(SourceName.values()).filter(s -> s.id().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown source " + name)));
        }
        spec.setSources(sources);
        Refresh r = new Refresh();
        r.getMetadata().setName("refresh-" + Long.toString(System.currentTimeMillis() / 1000, 36).toLowerCase(Locale.ROOT)
                + "-" + Integer.toString((int) (Math.random() * 46656), 36));
        r.setSpec(spec);
        return r;
    }
}
