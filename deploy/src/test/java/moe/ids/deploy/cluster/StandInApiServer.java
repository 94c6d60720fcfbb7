package moe.ids.deploy.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A stand-in Kubernetes API server for tests: fabric8's CRUD mock server (objects, watches, optimistic
 * concurrency, status subresources of registered CRDs) behind an {@link AuthorizingDispatcher} that
 * authenticates bearer tokens, enforces RBAC from the given Roles and bindings and the owner-reference admission
 * check, and records every decision. Plain HTTP on a loopback port.
 */
public final class StandInApiServer implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Plural resources of the built-in kinds an owner reference may name, by {@code group/Kind}. */
    private static final Map<String, String> BUILT_IN = Map.ofEntries(
            Map.entry("/Pod", "pods"), Map.entry("/ConfigMap", "configmaps"), Map.entry("/Secret", "secrets"),
            Map.entry("/Service", "services"), Map.entry("/ServiceAccount", "serviceaccounts"),
            Map.entry("apps/Deployment", "deployments"), Map.entry("apps/ReplicaSet", "replicasets"),
            Map.entry("apps/StatefulSet", "statefulsets"), Map.entry("batch/Job", "jobs"),
            Map.entry("batch/CronJob", "cronjobs"));

    /** Kinds without a namespace. */
    private static final java.util.Set<String> CLUSTER_SCOPED = java.util.Set.of("CustomResourceDefinition",
            "ClusterRole", "ClusterRoleBinding", "Namespace", "PersistentVolume", "StorageClass", "PriorityClass",
            "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "IngressClass");

    /** The user Helm and kubectl act as in the tests. */
    private static final String ADMIN = "kubernetes-admin";

    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
    private final AuthorizingDispatcher dispatcher;
    private final KubernetesMockServer server;
    private final List<KubernetesClient> clients = new ArrayList<>();
    private final KubernetesClient admin;

    private StandInApiServer(Rbac rbac) {
        dispatcher = new AuthorizingDispatcher(crud, rbac, BUILT_IN::get);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        admin = client(Rbac.User.admin(ADMIN), "default");
    }

    /**
     * Puts the namespaced objects into {@code namespace} (as {@code helm install -n} does) and starts a server
     * enforcing their Roles, ClusterRoles and bindings.
     *
     * @param objects   rendered objects
     * @param namespace the release's namespace
     * @return a running server
     */
    public static StandInApiServer start(List<? extends HasMetadata> objects, String namespace) {
        for (HasMetadata o : objects) {
            if (!CLUSTER_SCOPED.contains(o.getKind()) && o.getMetadata().getNamespace() == null) {
                o.getMetadata().setNamespace(namespace);
            }
        }
        return new StandInApiServer(Rbac.of(objects));
    }

    /**
     * @return {@code http://127.0.0.1:PORT}
     */
    public String url() {
        return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
    }

    /**
     * @return the port it listens on
     */
    public int port() {
        return server.getPort();
    }

    /**
     * @param user an identity
     * @return a new bearer token that authenticates as it
     */
    public String token(Rbac.User user) {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        String token = HexFormat.of().formatHex(b);
        dispatcher.token(token, user);
        return token;
    }

    /**
     * @param user      identity
     * @param namespace default namespace of the client
     * @return a client authenticating with a new token of that identity (closed with the server)
     */
    public KubernetesClient client(Rbac.User user, String namespace) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url()).withOauthToken(token(user))
                .withNamespace(namespace).withRequestRetryBackoffLimit(0).build();
        KubernetesClient c = new KubernetesClientBuilder().withConfig(config).build();
        synchronized (clients) {
            clients.add(c);
        }
        return c;
    }

    /**
     * @return a cluster-admin client (what Helm and kubectl act as)
     */
    public KubernetesClient admin() {
        return admin;
    }

    /**
     * Creates the objects as the cluster admin, CustomResourceDefinitions first (as Helm installs {@code crds/}).
     *
     * @param objects rendered objects
     */
    public void apply(List<? extends HasMetadata> objects) {
        List<HasMetadata> ordered = new ArrayList<>(objects);
        ordered.sort(Comparator.comparing(o -> o instanceof CustomResourceDefinition ? 0 : 1));
        for (HasMetadata o : ordered) {
            if (o instanceof GenericKubernetesResource g) {
                // a kind of another operator's CRD (ServiceMonitor, PrometheusRule): stored as it is
                String[] gv = g.getApiVersion().split("/");
                admin.genericKubernetesResources(new ResourceDefinitionContext.Builder().withGroup(gv[0])
                        .withVersion(gv[1]).withKind(g.getKind()).withNamespaced(true)
                        .withPlural(g.getKind().toLowerCase(java.util.Locale.ROOT) + "s").build())
                        .inNamespace(g.getMetadata().getNamespace()).resource(g).create();
            } else {
                admin.resource(o).create();
            }
        }
    }

    /**
     * @return every request decided so far, in order
     */
    public List<AuthorizingDispatcher.Decision> audit() {
        return dispatcher.audit();
    }

    /**
     * What each user other than the admin asked for and the rule that allowed it (or why not), e.g.
     * {@code "patch coordination.k8s.io/leases <- Role/ns/r apiGroups=[…] resources=[leases] verbs=[…]"}.
     *
     * @return user → its distinct requests, sorted
     */
    public Map<String, java.util.SortedSet<String>> requestsByUser() {
        Map<String, java.util.SortedSet<String>> out = new java.util.TreeMap<>();
        for (AuthorizingDispatcher.Decision d : audit()) {
            if (d.user() == null || d.user().equals(ADMIN)) {
                continue;
            }
            RequestAttributes a = d.attrs();
            String what = a.verb() + " " + (!a.resourceRequest() ? a.path()
                    : (a.apiGroup().isEmpty() ? "" : a.apiGroup() + "/") + a.combinedResource());
            out.computeIfAbsent(d.user(), u -> new java.util.TreeSet<>()).add(what + " <- "
                    + (d.grant() == null ? "DENIED: " + d.denial() : d.grant().role() + " " + d.grant().rule()));
        }
        return out;
    }

    /**
     * @return {@link #requestsByUser()} as indented lines, for a test's log
     */
    public String requestsByUserText() {
        StringBuilder out = new StringBuilder();
        requestsByUser().forEach((user, requests) -> {
            out.append(user).append('\n');
            requests.forEach(r -> out.append("  ").append(r).append('\n'));
        });
        return out.toString();
    }

    /**
     * @return the requests refused (401 or 403)
     */
    public List<AuthorizingDispatcher.Decision> denied() {
        return audit().stream().filter(AuthorizingDispatcher.Decision::denied).toList();
    }

    @Override
    public void close() {
        synchronized (clients) {
            clients.forEach(KubernetesClient::close);
        }
        server.destroy();
    }
}
