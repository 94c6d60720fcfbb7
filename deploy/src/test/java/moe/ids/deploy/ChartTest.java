package moe.ids.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.config.RedisUrl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.isIn;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chart under real Helm (lint --strict, template) for the default values and every {@code ci/*-values.yaml},
 * parsed into fabric8 objects and checked for what the chart promises (charts/ids-moe/README.md).
 */
class ChartTest {
    private static final String R = Charts.RELEASE;
    private static final Map<String, Charts.Rendered> RENDERED = new LinkedHashMap<>();

    @BeforeAll
    static void render() throws IOException {
        RENDERED.put("default", Charts.render(null, Map.of()));
        try (Stream<Path> files = Files.list(Charts.chart().resolve("ci"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith("-values.yaml")).sorted().toList()) {
                RENDERED.put(f.getFileName().toString(), Charts.render(f, Map.of()));
            }
        }
    }

    static Stream<String> variants() {
        return Stream.of("default", "external-values.yaml", "ingress-values.yaml", "nohpa-values.yaml");
    }

    private static Charts.Rendered r(String variant) {
        return Objects.requireNonNull(RENDERED.get(variant), variant);
    }

    @Test
    void lintStrictPasses() {
        LintResult lint = Charts.lint();
        assertThat(String.join("\n", lint.getMessages()), lint.isFailed(), is(false));
        assertThat(lint.getMessages().stream().filter(m -> m.contains("[ERROR]") || m.contains("[WARNING]")).toList(),
                empty());
    }

    @Test
    void everyCiValuesFileIsCovered() {
        assertThat(new TreeSet<>(RENDERED.keySet()),
                equalTo(new TreeSet<>(variants().toList())));
    }

    @Test
    void helmIsTheBundledNativeOne() {
        assertThat(Helm.version().call(), containsString("v3."));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void everyPodIsLockedDown(String variant) {
        Map<String, PodSpec> pods = pods(r(variant));
        assertThat(pods.keySet(), not(empty()));
        pods.forEach((name, pod) -> {
            var psc = pod.getSecurityContext();
            assertThat(name, psc.getRunAsNonRoot(), is(true));
            assertThat(name, psc.getSeccompProfile().getType(), equalTo("RuntimeDefault"));
            for (Container c : pod.getContainers()) {
                var sc = c.getSecurityContext();
                String where = name + "/" + c.getName();
                assertThat(where, sc.getAllowPrivilegeEscalation(), is(false));
                assertThat(where, sc.getReadOnlyRootFilesystem(), is(true));
                assertThat(where, sc.getCapabilities().getDrop(), contains("ALL"));
                assertThat(where, sc.getPrivileged(), not(is(true)));
                if (!c.getName().equals("heartbeat")) {
                    Set<String> mounts = new TreeSet<>();
                    c.getVolumeMounts().forEach(m -> mounts.add(m.getMountPath()));
                    assertThat(where + " needs a writable /tmp", mounts, hasItem("/tmp"));
                    Volume tmp = pod.getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst()
                            .orElseThrow();
                    assertThat(where, tmp.getEmptyDir(), notNullValue());
                }
            }
        });
    }

    /**
     * The latest a pod whose service answers {@code seconds} after its start is Ready, by its probes: the startup
     * probe's first success (it asks at once, then every period), then the readiness probe's next ask.
     */
    private static double readyAtTheLatest(Container c, double seconds) {
        Probe startup = c.getStartupProbe();
        double period = startup.getPeriodSeconds();
        double started = Math.ceil(seconds / period) * period;
        return started + c.getReadinessProbe().getPeriodSeconds();
    }

    @Test
    void aServiceStartedFromItsCacheTakesTrafficWithinFourSeconds() {
        Charts.Rendered rendered = r("default");
        for (String svc : List.of("api", "ingestor", "merger")) {
            Container c = rendered.get(Deployment.class, R + "-" + svc).getSpec().getTemplate().getSpec()
                    .getContainers().getFirst();
            // bench/startup.sh: about 1.3 s from the process' start to the API's first lookup with the image's AOT
            // cache, 2.7 s without; with probes every 5 s both would wait up to 10 s
            assertTrue(readyAtTheLatest(c, 1.3) <= 4.0, svc + ": " + readyAtTheLatest(c, 1.3));
            assertTrue(readyAtTheLatest(c, 2.7) <= 5.0, svc + ": " + readyAtTheLatest(c, 2.7));
            // and as patient as before with a slow node: five minutes to start
            assertTrue(c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold() >= 300,
                    svc);
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void javaServicesRunAsUid10001WithHealthProbes(String variant) {
        Charts.Rendered rendered = r(variant);
        for (String svc : List.of("api", "ingestor", "merger")) {
            Deployment d = rendered.get(Deployment.class, R + "-" + svc);
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsUser(), equalTo(10001L));
            Container c = pod.getContainers().getFirst();
            assertThat(c.getImage(), equalTo("ghcr.io/ids-moe/" + svc + ":0.1.0"));
            assertThat(path(c.getReadinessProbe()), equalTo("/observe/health/ready"));
            assertThat(path(c.getLivenessProbe()), equalTo("/observe/health/live"));
            assertThat(path(c.getStartupProbe()), equalTo("/observe/health/live"));
            assertThat(c.getPorts().getFirst().getName(), equalTo("http"));
            assertThat(c.getPorts().getFirst().getContainerPort(),
                    equalTo(Map.of("api", 8080, "merger", 8081, "ingestor", 8082).get(svc)));
            // the API serves /observe on a port of its own (not on its lookup port); the others on their only one
            String observe = svc.equals("api") ? "observe" : "http";
            for (Probe p : List.of(c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe())) {
                assertThat(svc, p.getHttpGet().getPort().getStrVal(), equalTo(observe));
            }
            Map<String, Integer> ports = new LinkedHashMap<>();
            c.getPorts().forEach(p -> ports.put(p.getName(), p.getContainerPort()));
            assertThat(svc, ports.keySet(), svc.equals("api") ? contains("http", "observe") : contains("http"));
            // the chart's config file reaches Helidon through its meta-config
            assertThat(env(c, "JDK_JAVA_OPTIONS").getValue(),
                    containsString("-Dio.helidon.config.meta-config=/etc/ids-moe/meta-config.yaml"));
            var annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
            assertThat(annotations.keySet(), hasItems("checksum/config", "checksum/secrets"));
            if (!variant.equals("ingress-values.yaml")) {
                assertThat(annotations.get("prometheus.io/path"), equalTo("/observe/metrics"));
                assertThat(svc, annotations.get("prometheus.io/port"), equalTo(ports.get(observe).toString()));
            }
        }
        assertThat(rendered.get(Deployment.class, R + "-merger").getSpec().getTemplate().getSpec().getContainers()
                .getFirst().getArgs(), contains("serve"));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void onlyTheControllerAndTheTriggerGetAToken(String variant) {
        pods(r(variant)).forEach((name, pod) -> {
            boolean needsApi = name.equals("Deployment/" + R + "-merger") || name.equals("CronJob/" + R + "-refresh");
            assertThat(name, pod.getAutomountServiceAccountToken(), is(needsApi));
        });
        for (ServiceAccount sa : r(variant).all(ServiceAccount.class)) {
            assertThat(sa.getMetadata().getName(), sa.getAutomountServiceAccountToken(), is(false));
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void credentialsComeFromSecretsOnly(String variant) {
        Charts.Rendered rendered = r(variant);
        Set<String> secrets = new TreeSet<>();
        rendered.all(Secret.class).forEach(s -> secrets.add(s.getMetadata().getName()));
        boolean external = variant.equals("external-values.yaml");
        if (external) {
            secrets.addAll(List.of("ids-moe-external-db", "ids-moe-external-redis", "ids-moe-kaize"));
        }
        pods(rendered).forEach((name, pod) -> pod.getContainers().forEach(c -> c.getEnv().forEach(e -> {
            if (e.getName().endsWith("_URL") || e.getName().contains("PASSWORD")) {
                assertThat(name + " " + e.getName() + " must come from a Secret", e.getValue(), nullValue());
                String ref = e.getValueFrom().getSecretKeyRef().getName();
                assertThat(name + " " + e.getName(), secrets, hasItem(ref));
            }
        })));
        // nothing secret in any ConfigMap
        List<String> secretValues = new ArrayList<>();
        rendered.all(Secret.class).forEach(s -> {
            if (s.getStringData() != null) {
                secretValues.addAll(s.getStringData().values());
            }
        });
        assertThat(secretValues.isEmpty(), is(external));
        for (ConfigMap cm : rendered.all(ConfigMap.class)) {
            String data = String.join("\n", cm.getData().keySet()) + "\n" + String.join("\n", cm.getData().values());
            for (String v : secretValues) {
                assertThat(cm.getMetadata().getName(), data, not(containsString(v)));
            }
            assertThat(data.toLowerCase(), not(containsString("password")));
            assertThat(cm.getData().keySet(), not(hasItems("KAIZE_EMAIL")));
            assertThat(cm.getData().keySet(), not(hasItems("GITHUB_TOKEN")));
        }
        // the controller hands the scraper pods the same Secrets (envFrom) and the env ConfigMap
        Map<String, Object> controller = config(rendered, "merger.yaml", "controller");
        @SuppressWarnings("unchecked")
        List<String> fromSecrets = (List<String>) controller.get("scraper-env-from-secrets");
        assertThat(secrets, hasItems(fromSecrets.toArray(String[]::new)));
        assertThat(controller.get("scraper-env-from-configmaps"), equalTo(List.of(R + "-scraper-env")));
        rendered.get(ConfigMap.class, R + "-scraper-env");
        assertThat(controller.get("scraper-service-account"), equalTo(R + "-scraper"));
        rendered.get(ServiceAccount.class, R + "-scraper");
        assertThat(controller.get("scraper-image"), equalTo("ghcr.io/ids-moe/scraper:0.1.0"));
    }

    @Test
    void bundledServersGetGeneratedPasswordsMatchingTheUrls() {
        Charts.Rendered rendered = r("default");
        String pg = rendered.get(Secret.class, R + "-postgresql").getStringData().get("postgres-password");
        String redis = rendered.get(Secret.class, R + "-redis").getStringData().get("redis-password");
        assertThat(pg.length(), equalTo(32));
        assertThat(rendered.get(Secret.class, R + "-database-credentials").getStringData().get("DATABASE_URL"),
                equalTo("postgres://ids_moe:" + pg + "@" + R + "-postgresql:5432/ids_moe"));
        assertThat(rendered.get(Secret.class, R + "-redis-credentials").getStringData().get("REDIS_URL"),
                equalTo("redis://:" + redis + "@" + R + "-redis:6379/0"));
        // the scraper pods take the database Secret whole: it holds DATABASE_URL only
        assertThat(rendered.get(Secret.class, R + "-database-credentials").getStringData().keySet(),
                contains("DATABASE_URL"));
        StatefulSet pgSet = rendered.get(StatefulSet.class, R + "-postgresql");
        assertThat(pgSet.getSpec().getVolumeClaimTemplates().getFirst().getSpec().getResources().getRequests()
                .get("storage").toString(), equalTo("8Gi"));
        assertThat(env(pgSet.getSpec().getTemplate().getSpec().getContainers().getFirst(), "POSTGRES_PASSWORD")
                .getValueFrom().getSecretKeyRef().getName(), equalTo(R + "-postgresql"));
        rendered.get(StatefulSet.class, R + "-redis");
    }

    @Test
    void externalServersComeFromExistingSecrets() {
        Charts.Rendered rendered = r("external-values.yaml");
        assertThat(rendered.all(StatefulSet.class), empty());
        assertThat(rendered.all(Secret.class), empty());
        Container ingestor = rendered.get(Deployment.class, R + "-ingestor").getSpec().getTemplate().getSpec()
                .getContainers().getFirst();
        assertThat(env(ingestor, "DATABASE_URL").getValueFrom().getSecretKeyRef().getName(),
                equalTo("ids-moe-external-db"));
        assertThat(env(ingestor, "REDIS_URL").getValueFrom().getSecretKeyRef().getName(),
                equalTo("ids-moe-external-redis"));
        assertThat(env(ingestor, "REDIS_PREFIX").getValue(), equalTo("{ids}:"));
        // egress to the external servers by port
        NetworkPolicy np = rendered.get(NetworkPolicy.class, R + "-ingestor");
        assertThat(egressPorts(np), hasItems(25060, 6380, 53));
        assertThat(rendered.find(NetworkPolicy.class, R + "-postgresql").isPresent(), is(false));
    }

    @Test
    void externalServersNeedAUrlOrASecret() {
        var e = assertThrows(IllegalStateException.class,
                () -> Charts.template(null, Map.of("postgresql.enabled", "false")));
        assertThat(e.getMessage(), containsString("database.url or database.existingSecret is required"));
        String yaml = Charts.template(null, Map.of("redisServer.enabled", "false",
                "redis.url", "rediss://user:pw@redis.example:6380/1"));
        assertThat(yaml, containsString("REDIS_URL: \"rediss://user:pw@redis.example:6380/1\""));
    }

    @Test
    void schemaRejectsMistakes() {
        assertThrows(IllegalStateException.class, () -> Charts.template(null, Map.of("api.replica", "2")));
        assertThrows(IllegalStateException.class,
                () -> Charts.template(null, Map.of("database.url", "mysql://x")));
        assertThrows(IllegalStateException.class,
                () -> Charts.template(null, Map.of("merger.config.merger.max-delete-share", "2")));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void rbacIsNamespacedAndLeast(String variant) {
        Charts.Rendered rendered = r(variant);
        assertThat(rendered.objects().stream().map(HasMetadata::getKind).toList(),
                not(hasItems("ClusterRole", "ClusterRoleBinding")));
        Role merger = rendered.get(Role.class, R + "-merger");
        Map<String, Set<String>> rules = rules(merger);
        assertThat(rules, equalTo(Map.of(
                "ids.moe/refreshes", Set.of("get", "list", "watch", "delete"),
                "ids.moe/refreshes/status", Set.of("update"),
                "ids.moe/refreshes/finalizers", Set.of("update"),
                "batch/jobs", Set.of("get", "list", "watch", "create"),
                "coordination.k8s.io/leases", Set.of("get", "create", "update", "patch"))));
        Role trigger = rendered.get(Role.class, R + "-refresh-trigger");
        assertThat(rules(trigger), equalTo(Map.of("ids.moe/refreshes", Set.of("create", "get"))));
        for (String name : List.of(R + "-merger", R + "-refresh-trigger")) {
            RoleBinding rb = rendered.get(RoleBinding.class, name);
            assertThat(rb.getRoleRef().getName(), equalTo(name));
            assertThat(rb.getSubjects().getFirst().getName(), equalTo(name));
            assertThat(rb.getSubjects().getFirst().getNamespace(), equalTo(Charts.NAMESPACE));
        }
        for (Role role : rendered.all(Role.class)) {
            for (PolicyRule rule : role.getRules()) {
                assertThat(rule.getVerbs(), not(hasItem("*")));
                assertThat(rule.getResources(), not(hasItem("secrets")));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void cronJobCreatesARefresh(String variant) {
        CronJob cj = r(variant).get(CronJob.class, R + "-refresh");
        assertThat(cj.getSpec().getSchedule(), equalTo("0 5 * * *"));
        assertThat(cj.getSpec().getConcurrencyPolicy(), equalTo("Forbid"));
        PodSpec pod = cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName(), equalTo(R + "-refresh-trigger"));
        Container c = pod.getContainers().getFirst();
        assertThat(c.getImage(), equalTo("ghcr.io/ids-moe/merger:0.1.0"));
        if (variant.equals("nohpa-values.yaml")) {
            assertThat(c.getArgs(), contains("refresh", "create", "--source", "aod", "--source", "arm"));
            assertThat(cj.getSpec().getTimeZone(), equalTo("Etc/UTC"));
        } else {
            assertThat(c.getArgs(), contains("refresh", "create"));
        }
        assertThat(env(c, "POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath(),
                equalTo("metadata.namespace"));
    }

    @Test
    void apiScalesWithHpaAndPdbByDefault() {
        Charts.Rendered def = r("default");
        Deployment api = def.get(Deployment.class, R + "-api");
        assertThat("the HPA owns the replica count", api.getSpec().getReplicas(), nullValue());
        HorizontalPodAutoscaler hpa = def.get(HorizontalPodAutoscaler.class, R + "-api");
        assertThat(hpa.getSpec().getScaleTargetRef().getName(), equalTo(R + "-api"));
        assertThat(hpa.getSpec().getMinReplicas(), equalTo(2));
        PodDisruptionBudget pdb = def.get(PodDisruptionBudget.class, R + "-api");
        assertThat(pdb.getSpec().getSelector().getMatchLabels(),
                equalTo(api.getSpec().getSelector().getMatchLabels()));
        Service svc = def.get(Service.class, R + "-api");
        assertThat(svc.getSpec().getSelector(), equalTo(api.getSpec().getSelector().getMatchLabels()));
        assertThat(def.find(Ingress.class, R + "-api").isPresent(), is(false));

        Charts.Rendered nohpa = r("nohpa-values.yaml");
        assertThat(nohpa.get(Deployment.class, R + "-api").getSpec().getReplicas(), equalTo(3));
        assertThat(nohpa.all(HorizontalPodAutoscaler.class), empty());
        assertThat(nohpa.all(PodDisruptionBudget.class), empty());
        assertThat(nohpa.all(NetworkPolicy.class), empty());
        assertThat(nohpa.get(Deployment.class, R + "-api").getSpec().getTemplate().getSpec().getContainers()
                .getFirst().getResources().getRequests().get("cpu").toString(), equalTo("250m"));
    }

    @Test
    void ingressRoutesToTheApiService() {
        Charts.Rendered rendered = r("ingress-values.yaml");
        Ingress ing = rendered.get(Ingress.class, R + "-api");
        assertThat(ing.getSpec().getIngressClassName(), equalTo("nginx"));
        assertThat(ing.getSpec().getTls().getFirst().getSecretName(), equalTo("ids-example-org-tls"));
        var rule = ing.getSpec().getRules().getFirst();
        assertThat(rule.getHost(), equalTo("ids.example.org"));
        assertThat(rule.getHttp().getPaths().getFirst().getBackend().getService().getName(), equalTo(R + "-api"));
        assertThat(rendered.yaml(), containsString("kind: ServiceMonitor"));
        // Kaize credentials go to the Secret, not to the ConfigMaps
        assertThat(rendered.get(Secret.class, R + "-scraper-credentials").getStringData(),
                equalTo(Map.of("KAIZE_EMAIL", "someone@example.org", "KAIZE_PASSWORD", "not-a-real-password")));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void theApisObservePortHasAServiceOfItsOwnAndTheClientsServiceHasNone(String variant) {
        Charts.Rendered rendered = r(variant);
        Deployment api = rendered.get(Deployment.class, R + "-api");
        Service clients = rendered.get(Service.class, R + "-api");
        assertThat(clients.getSpec().getPorts().stream().map(p -> p.getName()).toList(), contains("http"));
        assertThat(clients.getSpec().getPorts().getFirst().getTargetPort().getStrVal(), equalTo("http"));
        assertThat(clients.getMetadata().getLabels().keySet(), not(hasItem("ids.moe/metrics")));
        Service observe = rendered.get(Service.class, R + "-api-observe");
        assertThat(observe.getSpec().getType(), equalTo("ClusterIP"));
        assertThat(observe.getSpec().getSelector(), equalTo(api.getSpec().getSelector().getMatchLabels()));
        assertThat(observe.getSpec().getPorts().size(), equalTo(1));
        assertThat(observe.getSpec().getPorts().getFirst().getName(), equalTo("observe"));
        assertThat(observe.getSpec().getPorts().getFirst().getPort(), equalTo(9080));
        assertThat(observe.getSpec().getPorts().getFirst().getTargetPort().getStrVal(), equalTo("observe"));
        assertThat(observe.getMetadata().getLabels().get("ids.moe/metrics"), equalTo("true"));
        // what the Ingress routes to is the clients' Service
        rendered.find(Ingress.class, R + "-api").ifPresent(ing -> ing.getSpec().getRules().forEach(rule -> rule.getHttp()
                .getPaths().forEach(path -> {
                    assertThat(path.getBackend().getService().getName(), equalTo(R + "-api"));
                    assertThat(path.getBackend().getService().getPort().getName(), equalTo("http"));
                })));
        // the API's settings file names the ports the pod spec declares
        Map<String, Object> server = config(rendered, "api.yaml", "server");
        assertThat(server.get("port"), equalTo(8080));
        assertThat(server.get("observe-port"), equalTo(9080));
    }

    @Test
    void theServiceMonitorScrapesEveryObservePortAndNoLookupPort() {
        Charts.Rendered rendered = r("ingress-values.yaml");
        HasMetadata monitor = rendered.objects().stream().filter(o -> o.getKind().equals("ServiceMonitor"))
                .findFirst().orElseThrow();
        Map<String, Object> spec = Serialization.unmarshal(Serialization.asYaml(monitor), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, String> selector = (Map<String, String>) at(spec, "spec", "selector", "matchLabels");
        assertThat(at(spec, "spec", "selector", "matchExpressions"), nullValue());
        // the Services it selects, and on each the ports its endpoints name: Prometheus' targets
        List<?> endpoints = (List<?>) at(spec, "spec", "endpoints");
        Map<String, Integer> targets = new LinkedHashMap<>();
        for (Service svc : rendered.all(Service.class)) {
            Map<String, String> labels = svc.getMetadata().getLabels();
            if (!selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
                continue;
            }
            for (Object e : endpoints) {
                Map<?, ?> endpoint = (Map<?, ?>) e;
                assertThat(endpoint.get("path"), equalTo("/observe/metrics"));
                svc.getSpec().getPorts().stream().filter(p -> p.getName().equals(endpoint.get("port")))
                        .forEach(p -> targets.put(svc.getMetadata().getName(), p.getPort()));
            }
        }
        assertThat(targets, equalTo(Map.of(R + "-api-observe", 9080, R + "-merger", 8081, R + "-ingestor", 8082)));
        assertThat(r("default").yaml(), not(containsString("kind: ServiceMonitor")));
    }

    @Test
    void theObservePortIsConfigurable() {
        Charts.Rendered rendered = Charts.render(Charts.chart().resolve("ci/ingress-values.yaml"),
                Map.of("api.observePort", "9181"));
        Deployment api = rendered.get(Deployment.class, R + "-api");
        Container c = api.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(c.getPorts().stream().filter(p -> p.getName().equals("observe")).findFirst().orElseThrow()
                .getContainerPort(), equalTo(9181));
        assertThat(config(rendered, "api.yaml", "server").get("observe-port"), equalTo(9181));
        assertThat(rendered.get(Service.class, R + "-api-observe").getSpec().getPorts().getFirst().getPort(),
                equalTo(9181));
        assertThat(ingressPorts(rendered.get(NetworkPolicy.class, R + "-api")), contains(8080, 9181));
        Charts.Rendered annotated = Charts.render(null, Map.of("api.observePort", "9181"));
        assertThat(annotated.get(Deployment.class, R + "-api").getSpec().getTemplate().getMetadata().getAnnotations()
                .get("prometheus.io/port"), equalTo("9181"));
        // the lookup port cannot be it, nor can the API's settings move either port behind the pod spec's back
        assertThrows(IllegalStateException.class, () -> Charts.template(null, Map.of("api.observePort", "8080")));
        var e = assertThrows(IllegalStateException.class,
                () -> Charts.template(null, Map.of("api.config.server.observe-port", "9090")));
        assertThat(e.getMessage(), containsString("api.config.server.observe-port"));
        assertThrows(IllegalStateException.class,
                () -> Charts.template(null, Map.of("api.config.server.port", "8000")));
    }

    @Test
    void connectionSettingsReachTheApi() {
        Map<String, Object> server = config(r("default"), "api.yaml", "server");
        assertThat(server.get("max-connections"), equalTo(1024));
        assertThat(server.get("idle-timeout"), equalTo("PT60S"));
        assertThat(server.get("linger-timeout"), equalTo("PT0.5S"));
        Map<String, Object> changed = config(Charts.render(null, Map.of("api.config.server.max-connections", "4096",
                "api.config.server.read-timeout", "PT30S")), "api.yaml", "server");
        assertThat(changed.get("max-connections"), equalTo(4096));
        assertThat(changed.get("read-timeout"), equalTo("PT30S"));
        assertThat(changed.get("observe-port"), equalTo(9080));
        assertThrows(IllegalStateException.class,
                () -> Charts.template(null, Map.of("api.config.server.idle-timeout", "60s")));
        assertThrows(IllegalStateException.class,
                () -> Charts.template(null, Map.of("api.config.server.max-connections", "0")));
    }

    @Test
    void theNearCacheIsBoundedByBytesAndTheOldEntryCountFailsTheRendering() {
        assertThat(config(r("default"), "api.yaml", "api").get("near-cache-bytes"), equalTo(16777216));
        var e = assertThrows(IllegalStateException.class,
                () -> Charts.template(null, Map.of("api.config.api.near-cache-size", "100000")));
        assertThat(e.getMessage(), containsString("api.config.api.near-cache-size (100000) is no longer read"));
        assertThat(e.getMessage(), containsString("set api.config.api.near-cache-bytes"));
        assertThrows(IllegalStateException.class,
                () -> Charts.template(null, Map.of("api.config.api.near-cache-bytes", "-1")));
    }

    @Test
    void networkPoliciesIsolateTheStores() {
        Charts.Rendered rendered = r("default");
        // PostgreSQL: only the pipeline pods
        NetworkPolicy pg = rendered.get(NetworkPolicy.class, R + "-postgresql");
        assertThat(ingressComponents(pg), containsInAnyOrder("scraper", "merger", "ingestor"));
        assertThat(pg.getSpec().getIngress().getFirst().getPorts().getFirst().getPort().getIntVal(), equalTo(5432));
        assertThat(pg.getSpec().getPolicyTypes(), containsInAnyOrder("Ingress", "Egress"));
        assertThat(pg.getSpec().getEgress(), empty());
        // Redis: only the ingestor and the API
        NetworkPolicy redis = rendered.get(NetworkPolicy.class, R + "-redis");
        assertThat(ingressComponents(redis), containsInAnyOrder("ingestor", "api"));
        // the API's lookup port is the only one open to everyone; its /observe port admits no one without metricsFrom
        NetworkPolicy api = rendered.get(NetworkPolicy.class, R + "-api");
        assertThat(api.getSpec().getIngress().size(), equalTo(1));
        assertThat(api.getSpec().getIngress().getFirst().getFrom(), empty());
        assertThat(ingressPorts(api), contains(8080));
        for (String closed : List.of("merger", "ingestor", "scraper", "refresh-trigger")) {
            NetworkPolicy np = rendered.get(NetworkPolicy.class, R + "-" + closed);
            assertThat(closed, np.getSpec().getIngress(), empty());
            assertThat(closed, np.getSpec().getPolicyTypes(), hasItem("Ingress"));
        }
        // egress: the controller and the trigger reach the Kubernetes API, scrapers the internet, all DNS
        assertThat(egressPorts(rendered.get(NetworkPolicy.class, R + "-merger")), hasItems(53, 5432, 443, 6443));
        assertThat(egressPorts(rendered.get(NetworkPolicy.class, R + "-refresh-trigger")), hasItems(53, 443, 6443));
        assertThat(egressPorts(rendered.get(NetworkPolicy.class, R + "-refresh-trigger")), not(hasItem(5432)));
        assertThat(egressPorts(rendered.get(NetworkPolicy.class, R + "-scraper")), hasItems(53, 5432, 443));
        assertThat(egressPorts(rendered.get(NetworkPolicy.class, R + "-api")), not(hasItem(5432)));
        assertThat(egressPorts(rendered.get(NetworkPolicy.class, R + "-ingestor")), hasItems(5432, 6379));
        // the scraper policy selects the controller's Job pods by component alone
        assertThat(rendered.get(NetworkPolicy.class, R + "-scraper").getSpec().getPodSelector().getMatchLabels(),
                equalTo(Map.of("app.kubernetes.io/component", "scraper")));
        // the helm test pod may reach the API
        NetworkPolicy test = rendered.get(NetworkPolicy.class, R + "-test");
        assertThat(egressPorts(test), hasItems(53, 8080));
    }

    @Test
    void restrictedApiAdmitsTheHelmTestOnItsLookupPortAndMetricsPeersOnItsObservePort() {
        Charts.Rendered rendered = r("ingress-values.yaml");
        NetworkPolicy api = rendered.get(NetworkPolicy.class, R + "-api");
        assertThat(api.getSpec().getIngress().size(), equalTo(2));
        // lookups: the listed peers and the helm test pod, on 8080 only
        var lookups = api.getSpec().getIngress().get(0);
        assertThat(lookups.getPorts().stream().map(p -> p.getPort().getIntVal()).toList(), contains(8080));
        List<NetworkPolicyPeer> from = lookups.getFrom();
        assertThat(from.size(), equalTo(2));
        assertThat(from.get(0).getNamespaceSelector().getMatchLabels(),
                equalTo(Map.of("kubernetes.io/metadata.name", "ingress-nginx")));
        assertThat(from.get(1).getPodSelector().getMatchLabels().get("app.kubernetes.io/component"), equalTo("test"));
        // /observe (the API's /observe/metrics): the metrics scrapers only, on the observe port only
        var observe = api.getSpec().getIngress().get(1);
        assertThat(observe.getPorts().stream().map(p -> p.getPort().getIntVal()).toList(), contains(9080));
        assertThat(observe.getFrom().size(), equalTo(1));
        assertThat(observe.getFrom().getFirst().getNamespaceSelector().getMatchLabels(),
                equalTo(Map.of("kubernetes.io/metadata.name", "monitoring")));
        NetworkPolicy merger = rendered.get(NetworkPolicy.class, R + "-merger");
        assertThat(merger.getSpec().getIngress().getFirst().getFrom().getFirst().getNamespaceSelector()
                .getMatchLabels(), equalTo(Map.of("kubernetes.io/metadata.name", "monitoring")));
    }

    @Test
    void upstreamMirrorReachesTheScrapers() {
        Charts.Rendered rendered = r("nohpa-values.yaml");
        assertThat(rendered.get(ConfigMap.class, R + "-scraper-env").getData().get("UPSTREAM_MIRROR"),
                equalTo("http://replay.example:9000"));
        Charts.Rendered withPolicy = Charts.render(null, Map.of("scraper.upstreamMirror", "http://10.0.0.1:9000"));
        assertThat(egressPorts(withPolicy.get(NetworkPolicy.class, R + "-scraper")), hasItems(9000, 443));
    }

    @Test
    void configMapMirrorsEveryServicesApplicationYaml() throws IOException {
        Charts.Rendered rendered = r("default");
        Path services = Charts.chart().resolve("../../services").normalize();
        for (String svc : List.of("api", "ingestor", "merger", "scraper")) {
            Map<String, Object> jar = flatten("", Serialization.unmarshal(
                    Files.readString(services.resolve(svc + "/src/main/resources/application.yaml")), Map.class));
            Map<String, Object> chart = flatten("", Serialization.unmarshal(
                    rendered.get(ConfigMap.class, R + "-config").getData().get(svc + ".yaml"), Map.class));
            // connection URLs come from Secrets, the controller's keys from the chart
            jar.keySet().removeIf(k -> k.startsWith("database.") || k.startsWith("redis.") || k.startsWith("controller."));
            chart.keySet().removeIf(k -> k.startsWith("controller."));
            // a key in values that the service does not read is a mistake
            assertThat(svc + ": keys in values but not in application.yaml", diff(chart, jar), empty());
            // a key the service gained keeps its jar default until it is added to values.yaml: reported, not failed,
            // so that a service's new setting does not break this module's build
            Set<String> missing = diff(jar, chart);
            if (!missing.isEmpty()) {
                System.err.println("WARNING: " + svc + " settings not yet in charts/ids-moe/values.yaml: " + missing);
            }
            chart.forEach((k, v) -> {
                if (!String.valueOf(v).equals(String.valueOf(jar.get(k)))) {
                    System.err.println("WARNING: " + svc + " " + k + " is " + v + " in values.yaml but " + jar.get(k)
                            + " in application.yaml");
                }
            });
        }
        // the scraper's settings in Helidon's environment form, for the controller's Job pods
        Map<String, String> env = rendered.get(ConfigMap.class, R + "-scraper-env").getData();
        assertThat(env.get("SCRAPER_COUNT_DASH_FLOOR"), equalTo("0.5"));
        assertThat(env.get("SCRAPER_WEB_KAIZE_DELAY_DASH_MIN_DASH_MS"), equalTo("300"));
        assertThat(env.get("SCRAPER_HTTP_USER_DASH_AGENT"), equalTo("ids.moe-scraper/0.1 (+https://ids.moe)"));
    }

    @Test
    void configChangesRollThePods() {
        String before = checksum(r("default"));
        String after = checksum(Charts.render(null, Map.of("api.config.api.max-age", "60")));
        assertThat(after, not(equalTo(before)));
    }

    @Test
    void helmTestCallsHeartbeat(@TempDir Path tmp) throws IOException {
        Pod pod = heartbeatPod(tmp);
        assertThat(String.join(" ", pod.getSpec().getContainers().getFirst().getArgs()),
                containsString("http://" + R + "-api:80/heartbeat"));
        PodSpec spec = pod.getSpec();
        assertThat(spec.getSecurityContext().getRunAsNonRoot(), is(true));
        assertThat(spec.getContainers().getFirst().getSecurityContext().getReadOnlyRootFilesystem(), is(true));
        assertThat(pod.getMetadata().getLabels().get("app.kubernetes.io/component"), equalTo("test"));
    }

    @Test
    void crdPlaceholderOrGeneratedCrdDefinesRefresh() {
        Object crd = Serialization.unmarshal(Charts.read(Charts.chart().resolve("crds/refreshes.ids.moe-v1.yml")));
        var def = (io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition) crd;
        assertThat(def.getMetadata().getName(), equalTo("refreshes.ids.moe"));
        assertThat(def.getSpec().getScope(), equalTo("Namespaced"));
        assertThat(def.getSpec().getNames().getKind(), equalTo("Refresh"));
        assertThat(def.getSpec().getNames().getShortNames(), hasItem("rf"));
        assertThat(def.getSpec().getVersions().stream().map(v -> v.getName()).toList(), hasItem("v1"));
    }

    @Test
    void notesTellHowToReachTheApi() {
        // NOTES.txt is not part of `helm template`'s output: render it through a values-only check of its text
        String notes = Charts.read(Charts.chart().resolve("templates/NOTES.txt"));
        assertThat(notes, containsString("port-forward"));
        assertThat(notes, containsString("curl -s http://127.0.0.1:8080/heartbeat"));
        assertThat(notes, containsString("kubectl -n {{ .Release.Namespace }} get rf"));
        assertThat(notes, containsString("-api-observe {{ .Values.api.observePort }}"));
        assertThat(notes, containsString("/observe/health/ready"));
    }

    @Test
    void helmTestPodHasResources(@TempDir Path tmp) throws IOException {
        var resources = heartbeatPod(tmp).getSpec().getContainers().getFirst().getResources();
        assertThat(resources.getRequests().keySet(), hasItems("cpu", "memory"));
        assertThat(resources.getLimits().get("memory").toString(), equalTo("64Mi"));
    }

    @Test
    void everyContainerHasMemoryRequestAndLimit() {
        pods(r("default")).forEach((name, pod) -> pod.getContainers().forEach(c -> {
            String where = name + "/" + c.getName();
            assertThat(where, c.getResources().getRequests(), notNullValue());
            assertThat(where, c.getResources().getRequests().keySet(), hasItems("cpu", "memory"));
            assertThat(where + ": a JVM without a memory limit sizes its heap from the node",
                    c.getResources().getLimits().keySet(), hasItem("memory"));
            assertThat(where + ": memory request within the limit", bytes(c.getResources().getRequests().get("memory")),
                    lessThanOrEqualTo(bytes(c.getResources().getLimits().get("memory"))));
        }));
    }

    @Test
    void scraperJobPodsGetResourcesThroughTheController() {
        Map<String, Object> controller = config(r("default"), "merger.yaml", "controller");
        assertThat(controller.get("resources"), equalTo(Map.of(
                "cpu-request", "100m", "memory-request", "256Mi", "memory-limit", "512Mi")));
    }

    @Test
    void apiMemoryLimitExceedsItsMeasuredWorstCase() {
        // bench/api.sh with the chart's JVM options: up to 169 MiB resident once every dump is built beside a full
        // near cache; the heap's maximum (-Xmx64m) and the JVM's own memory must fit the limit
        Container api = r("default").get(Deployment.class, R + "-api").getSpec().getTemplate().getSpec()
                .getContainers().getFirst();
        assertThat(bytes(api.getResources().getLimits().get("memory")), greaterThan(bytes(new Quantity("200Mi"))));
        assertThat(env(api, "JDK_JAVA_OPTIONS").getValue(), containsString("-Xmx64m"));
    }

    @Test
    void apiDumpFilesGoToADiskBackedTmpThatHoldsThem() {
        // the API builds its dumps and its copy of the served version into files under /tmp (api.dump-dir's
        // default): ~130 MB at most for ~35k anime; a memory-backed volume would count them against the pod's limit
        PodSpec pod = r("default").get(Deployment.class, R + "-api").getSpec().getTemplate().getSpec();
        Volume tmp = pod.getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst().orElseThrow();
        assertThat(tmp.getEmptyDir().getMedium(), anyOf(nullValue(), equalTo("")));
        assertThat(bytes(tmp.getEmptyDir().getSizeLimit()), greaterThan(bytes(new Quantity("192Mi"))));
    }

    @Test
    void theApiRunsWithItsOwnJvmOptionsBeforeTheGlobalOnes() {
        String api = env(r("default").get(Deployment.class, R + "-api").getSpec().getTemplate().getSpec()
                .getContainers().getFirst(), "JDK_JAVA_OPTIONS").getValue();
        assertThat(api, equalTo("-Dio.helidon.config.meta-config=/etc/ids-moe/meta-config.yaml -XX:+UseParallelGC "
                + "-Xms64m -Xmx64m -XX:TrimNativeHeapInterval=1000"));
        Charts.Rendered given = Charts.render(null, Map.of("javaOptions", "-Xmx300m", "api.javaOptions", "-Xmx200m"));
        String apiGiven = env(given.get(Deployment.class, R + "-api").getSpec().getTemplate().getSpec()
                .getContainers().getFirst(), "JDK_JAVA_OPTIONS").getValue();
        // the JVM takes the last of a flag: the global javaOptions win over the API's own
        assertThat(apiGiven, equalTo("-Dio.helidon.config.meta-config=/etc/ids-moe/meta-config.yaml -Xmx200m "
                + "-Xmx300m"));
        String merger = env(given.get(Deployment.class, R + "-merger").getSpec().getTemplate().getSpec()
                .getContainers().getFirst(), "JDK_JAVA_OPTIONS").getValue();
        assertThat(merger, equalTo("-Dio.helidon.config.meta-config=/etc/ids-moe/meta-config.yaml -Xmx300m"));
    }

    @Test
    void theHpaHasACpuRequestToScaleOn() {
        Charts.Rendered rendered = r("default");
        assertThat(rendered.get(HorizontalPodAutoscaler.class, R + "-api").getSpec().getMetrics().getFirst()
                .getResource().getName(), equalTo("cpu"));
        assertThat(rendered.get(Deployment.class, R + "-api").getSpec().getTemplate().getSpec().getContainers()
                .getFirst().getResources().getRequests().get("cpu").toString(), equalTo("250m"));
    }

    @Test
    void statefulSetsAreGovernedByHeadlessServices() {
        Charts.Rendered rendered = r("default");
        for (String name : List.of(R + "-postgresql", R + "-redis")) {
            StatefulSet set = rendered.get(StatefulSet.class, name);
            assertThat(set.getSpec().getServiceName(), equalTo(name + "-headless"));
            Service headless = rendered.get(Service.class, name + "-headless");
            assertThat(headless.getSpec().getClusterIP(), equalTo("None"));
            assertThat(headless.getSpec().getPublishNotReadyAddresses(), is(true));
            assertThat(headless.getSpec().getSelector(), equalTo(set.getSpec().getSelector().getMatchLabels()));
            // clients keep their ClusterIP Service
            assertThat(rendered.get(Service.class, name).getSpec().getClusterIP(), nullValue());
        }
    }

    @Test
    void postgresqlGetsAMemoryBackedDevShm() {
        PodSpec pod = r("default").get(StatefulSet.class, R + "-postgresql").getSpec().getTemplate().getSpec();
        Volume shm = pod.getVolumes().stream().filter(v -> v.getName().equals("shm")).findFirst().orElseThrow();
        assertThat(shm.getEmptyDir().getMedium(), equalTo("Memory"));
        assertThat(shm.getEmptyDir().getSizeLimit().toString(), equalTo("256Mi"));
        assertThat(pod.getContainers().getFirst().getVolumeMounts().stream()
                .filter(m -> m.getName().equals("shm")).findFirst().orElseThrow().getMountPath(), equalTo("/dev/shm"));
    }

    @Test
    void storesAdmitOnlyThisReleasesPods() {
        Charts.Rendered rendered = r("default");
        for (String store : List.of("postgresql", "redis")) {
            NetworkPolicy np = rendered.get(NetworkPolicy.class, R + "-" + store);
            np.getSpec().getIngress().forEach(rule -> rule.getFrom().forEach(peer -> assertThat(store,
                    peer.getPodSelector().getMatchLabels(), equalTo(Map.of("app.kubernetes.io/instance", R)))));
        }
    }

    @Test
    void kubernetesApiPortsCoverManagedClusters() {
        for (String np : List.of("merger", "refresh-trigger")) {
            assertThat(np, egressPorts(r("default").get(NetworkPolicy.class, R + "-" + np)), hasItems(443, 6443, 8443));
        }
    }

    @Test
    void passwordsSurviveTheUrlsTheServicesParse() {
        String pg = "p@ss:w/rd%#? x+y";
        String redis = "r@d:is/%# pw+";
        Charts.Rendered rendered = Charts.render(null, Map.of(
                "postgresql.auth.password", pg, "redisServer.auth.password", redis));
        String databaseUrl = rendered.get(Secret.class, R + "-database-credentials").getStringData().get("DATABASE_URL");
        String redisUrl = rendered.get(Secret.class, R + "-redis-credentials").getStringData().get("REDIS_URL");
        assertThat(databaseUrl, equalTo(
                "postgres://ids_moe:p%40ss%3Aw%2Frd%25%23%3F%20x%2By@" + R + "-postgresql:5432/ids_moe"));
        DatabaseUrl db = DatabaseUrl.parse("DATABASE_URL", databaseUrl);
        assertThat(db.user(), equalTo("ids_moe"));
        assertThat(db.password(), equalTo(pg));
        assertThat(db.jdbcUrl(), equalTo("jdbc:postgresql://" + R + "-postgresql:5432/ids_moe"));
        RedisUrl rd = RedisUrl.parse("REDIS_URL", redisUrl);
        assertThat(rd.password(), equalTo(redis));
        assertThat(rd.host(), equalTo(R + "-redis"));
        // the servers themselves get the password as given
        assertThat(rendered.get(Secret.class, R + "-postgresql").getStringData().get("postgres-password"), equalTo(pg));
        assertThat(rendered.get(Secret.class, R + "-redis").getStringData().get("redis-password"), equalTo(redis));
    }

    @Test
    void withoutGeneratedPasswordsAMissingOneFailsTheRender() {
        var e = assertThrows(IllegalStateException.class,
                () -> Charts.template(null, Map.of("generatePasswords", "false")));
        assertThat(e.getMessage(), containsString("postgresql.auth.password is empty and generatePasswords is false"));
    }

    @Test
    void givenPasswordsRenderTheSameEveryTime() {
        Map<String, Object> given = Map.of("generatePasswords", "false",
                "postgresql.auth.password", "pg-secret", "redisServer.auth.password", "redis-secret");
        assertThat(Charts.template(null, given), equalTo(Charts.template(null, given)));
    }

    @Test
    void schemaRejectsUnknownSources() {
        var e = assertThrows(IllegalStateException.class,
                () -> Charts.template(null, Map.of("refresh.sources[0]", "manami")));
        assertThat(e.getMessage(), containsString("/refresh/sources/0': value must be one of"));
        assertThat(Charts.template(null, Map.of("refresh.sources[0]", "anitrakt-tv")),
                containsString("- \"anitrakt-tv\""));
    }

    @Test
    void schemaSourcesAreTheCrdsSources() {
        Map<String, Object> schema = Serialization.unmarshal(Charts.read(Charts.chart().resolve("values.schema.json")),
                Map.class);
        Object fromSchema = at(schema, "properties", "refresh", "properties", "sources", "items", "enum");
        var crd = (io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition) Serialization.unmarshal(
                Charts.read(Charts.chart().resolve("crds/refreshes.ids.moe-v1.yml")));
        List<String> fromCrd = crd.getSpec().getVersions().getFirst().getSchema().getOpenAPIV3Schema().getProperties()
                .get("spec").getProperties().get("sources").getItems().getSchema().getEnum().stream()
                .map(n -> n.asText()).toList();
        assertThat(fromSchema, equalTo(fromCrd));
    }

    @Test
    void chartNeedsKubernetes129() {
        assertThat(Charts.read(Charts.chart().resolve("Chart.yaml")), containsString("kubeVersion: \">=1.29.0-0\""));
        var e = assertThrows(IllegalStateException.class, () -> new Helm(Charts.chart()).template().withName(R)
                .withNamespace(Charts.NAMESPACE).withKubeVersion("1.28.9").call());
        assertThat(e.getMessage(), containsString("kubeVersion"));
    }

    @Test
    void monitoringIsOffByDefault() {
        assertThat(r("default").yaml(), not(containsString("kind: PrometheusRule")));
        assertThat(r("default").find(ConfigMap.class, R + "-dashboard").isPresent(), is(false));
    }

    @Test
    void grafanaDashboardQueriesOnlyExportedMetrics() {
        ConfigMap cm = Charts.render(null, Map.of("metrics.grafanaDashboard.enabled", "true"))
                .get(ConfigMap.class, R + "-dashboard");
        Map<String, Object> dashboard = Serialization.unmarshal(cm.getData().get("ids-moe.json"), Map.class);
        List<String> exprs = new ArrayList<>();
        for (Object panel : (List<?>) dashboard.get("panels")) {
            for (Object target : (List<?>) ((Map<?, ?>) panel).get("targets")) {
                exprs.add(String.valueOf(((Map<?, ?>) target).get("expr")));
            }
        }
        assertThat(exprs.size(), greaterThan(10));
        Set<String> used = new TreeSet<>();
        for (String expr : exprs) {
            Set<String> names = Promql.metricNames(expr);
            assertThat(expr, Promql.balanced(expr), is(true));
            assertThat(expr, names, not(empty()));
            used.addAll(names);
        }
        assertThat(used, everyItem(isIn(Promql.knownMetrics())));
        // what the dashboard promises to show
        assertThat(used, hasItems("api_requests_total", "api_request_seconds_bucket", "api_near_cache_hits_total",
                "ingestor_applied_version", "ingestor_outbox_version"));
        assertThat(String.join("\n", exprs), containsString("histogram_quantile(0.99, sum by (le) ("));
    }

    @Test
    void promqlCheckSeesMetricNamesAndUnbalancedBrackets() {
        assertThat(Promql.metricNames("histogram_quantile(0.99, sum by (le, route) (rate(api_request_seconds_bucket"
                + "{namespace=\"$namespace\", route=~\"a|b\"}[$__rate_interval]))) / on (route) group_left bogus_total"),
                equalTo(Set.of("api_request_seconds_bucket", "bogus_total")));
        assertThat(Promql.knownMetrics(), not(hasItem("bogus_total")));
        assertThat(Promql.knownMetrics(), hasItems("api_requests_total", "api_request_seconds_bucket",
                "ingestor_applied_version", "ingestor_resyncs_total"));
        assertThat(Promql.balanced("sum(rate(x{a=\")\"}[5m]))"), is(true));
        assertThat(Promql.balanced("sum(rate(x[5m])"), is(false));
        assertThat(Promql.balanced("sum(rate(x{a=\"b\"]))"), is(false));
    }

    @Test
    void grafanaDashboardReachesTheSidecar() {
        ConfigMap cm = Charts.render(null, Map.of("metrics.grafanaDashboard.enabled", "true",
                "metrics.grafanaDashboard.namespace", "monitoring",
                "metrics.grafanaDashboard.annotations.grafana_folder", "ids.moe")).get(ConfigMap.class, R + "-dashboard");
        assertThat(cm.getMetadata().getLabels().get("grafana_dashboard"), equalTo("1"));
        assertThat(cm.getMetadata().getAnnotations(), equalTo(Map.of("grafana_folder", "ids.moe")));
        assertThat(cm.getMetadata().getNamespace(), equalTo("monitoring"));
    }

    @Test
    void prometheusRuleCarriesTheRuleSelectorsLabels() {
        HasMetadata rule = prometheusRule(Map.of("metrics.prometheusRule.enabled", "true",
                "metrics.prometheusRule.labels.release", "kube-prometheus-stack"));
        assertThat(rule.getApiVersion(), equalTo("monitoring.coreos.com/v1"));
        assertThat(rule.getMetadata().getLabels().get("release"), equalTo("kube-prometheus-stack"));
    }

    @Test
    void prometheusRuleAlertsOnExportedMetrics() {
        HasMetadata rule = prometheusRule(Map.of("metrics.prometheusRule.enabled", "true"));
        Map<String, Object> spec = Serialization.unmarshal(Serialization.asYaml(rule), Map.class);
        List<?> rules = (List<?>) at(spec, "spec", "groups", 0, "rules");
        Map<String, String> alerts = new LinkedHashMap<>();
        for (Object o : rules) {
            Map<?, ?> r = (Map<?, ?>) o;
            String expr = String.valueOf(r.get("expr"));
            String alert = String.valueOf(r.get("alert"));
            alerts.put(alert, expr);
            assertThat(alert, Promql.balanced(expr), is(true));
            assertThat(alert, Promql.metricNames(expr), not(empty()));
            assertThat(alert, Promql.metricNames(expr), everyItem(isIn(Promql.knownMetrics())));
            assertThat(alert, expr, containsString("namespace=\"" + Charts.NAMESPACE + "\""));
            assertThat(alert + " for: " + r.get("for"), String.valueOf(r.get("for")).matches("[0-9]+[smh]"), is(true));
            assertThat(alert, String.valueOf(((Map<?, ?>) r.get("labels")).get("severity")),
                    org.hamcrest.Matchers.isOneOf("warning", "critical", "info"));
            @SuppressWarnings("unchecked")
            Map<String, Object> annotations = (Map<String, Object>) r.get("annotations");
            assertThat(alert, annotations.keySet(), hasItems("summary", "description"));
        }
        assertThat(alerts.keySet(), contains("IdsMoeRefreshFailed", "IdsMoeDataStale", "IdsMoeIngestorLagging",
                "IdsMoeApiErrors"));
        assertThat(alerts.get("IdsMoeDataStale"), containsString("refresh_last_success_timestamp_seconds"));
        assertThat(alerts.get("IdsMoeDataStale"), endsWith("> 172800"));
        assertThat(alerts.get("IdsMoeRefreshFailed"), containsString("result=\"Failed\""));
        assertThat(alerts.get("IdsMoeIngestorLagging"), containsString("ingestor_lag_seconds"));
        assertThat(alerts.get("IdsMoeApiErrors"), containsString("status=~\"5..\""));
    }

    // ---- helpers

    /** The `helm test` pod: helm-java's template leaves hooks out, so render a copy in which it is no hook. */
    private static Pod heartbeatPod(Path tmp) throws IOException {
        Path test = Path.of("templates/tests/test-heartbeat.yaml");
        String hook = Charts.read(Charts.chart().resolve(test));
        assertThat(hook, containsString("helm.sh/hook: test"));
        Path copy = tmp.resolve("ids-moe");
        try (Stream<Path> files = Files.walk(Charts.chart())) {
            for (Path f : files.toList()) {
                Path to = copy.resolve(Charts.chart().relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        Files.writeString(copy.resolve(test), hook.replace("helm.sh/hook: test", "ids.moe/was-hook: test"));
        String yaml = new Helm(copy).template().withName(R).withNamespace(Charts.NAMESPACE)
                .withKubeVersion(Charts.KUBE_VERSION).call();
        return Charts.Rendered.parse(yaml).get(Pod.class, R + "-test-heartbeat");
    }

    private static HasMetadata prometheusRule(Map<String, Object> set) {
        return Charts.render(null, set).objects().stream().filter(o -> o.getKind().equals("PrometheusRule"))
                .findFirst().orElseThrow();
    }

    private static long bytes(Quantity q) {
        return Quantity.getAmountInBytes(q).longValueExact();
    }

    private static Object at(Object tree, Object... path) {
        Object o = tree;
        for (Object key : path) {
            o = key instanceof Integer i ? ((List<?>) o).get(i) : ((Map<?, ?>) o).get(key);
        }
        return o;
    }

    /** Pod specs by "Kind/name". */
    static Map<String, PodSpec> pods(Charts.Rendered rendered) {
        Map<String, PodSpec> out = new LinkedHashMap<>();
        rendered.all(Deployment.class).forEach(d -> out.put("Deployment/" + d.getMetadata().getName(),
                d.getSpec().getTemplate().getSpec()));
        rendered.all(StatefulSet.class).forEach(d -> out.put("StatefulSet/" + d.getMetadata().getName(),
                d.getSpec().getTemplate().getSpec()));
        rendered.all(CronJob.class).forEach(d -> out.put("CronJob/" + d.getMetadata().getName(),
                d.getSpec().getJobTemplate().getSpec().getTemplate().getSpec()));
        rendered.all(Pod.class).forEach(p -> out.put("Pod/" + p.getMetadata().getName(), p.getSpec()));
        return out;
    }

    private static String path(Probe p) {
        assertThat(p, notNullValue());
        return p.getHttpGet().getPath();
    }

    private static EnvVar env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " has no " + name));
    }

    private static Map<String, Set<String>> rules(Role role) {
        Map<String, Set<String>> out = new HashMap<>();
        for (PolicyRule rule : role.getRules()) {
            for (String g : rule.getApiGroups()) {
                for (String res : rule.getResources()) {
                    out.computeIfAbsent(g + "/" + res, k -> new TreeSet<>()).addAll(rule.getVerbs());
                }
            }
        }
        return out;
    }

    private static List<String> ingressComponents(NetworkPolicy np) {
        List<String> out = new ArrayList<>();
        np.getSpec().getIngress().forEach(rule -> rule.getFrom().forEach(peer -> peer.getPodSelector()
                .getMatchExpressions().forEach(e -> {
                    assertThat(e.getKey(), equalTo("app.kubernetes.io/component"));
                    assertThat(e.getOperator(), equalTo("In"));
                    out.addAll(e.getValues());
                })));
        return out;
    }

    private static List<Integer> ingressPorts(NetworkPolicy np) {
        List<Integer> out = new ArrayList<>();
        np.getSpec().getIngress().forEach(rule -> {
            for (NetworkPolicyPort p : rule.getPorts()) {
                out.add(p.getPort().getIntVal());
            }
        });
        return out;
    }

    private static List<Integer> egressPorts(NetworkPolicy np) {
        List<Integer> out = new ArrayList<>();
        np.getSpec().getEgress().forEach(rule -> {
            for (NetworkPolicyPort p : rule.getPorts()) {
                out.add(p.getPort().getIntVal());
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> config(Charts.Rendered rendered, String file, String section) {
        Map<String, Object> all = Serialization.unmarshal(
                rendered.get(ConfigMap.class, R + "-config").getData().get(file), Map.class);
        return (Map<String, Object>) all.get(section);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> flatten(String prefix, Map<String, Object> tree) {
        Map<String, Object> out = new LinkedHashMap<>();
        tree.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m) {
                out.putAll(flatten(prefix + k + ".", (Map<String, Object>) m));
            } else {
                out.put(prefix + k, v);
            }
        });
        return out;
    }

    private static Set<String> diff(Map<String, Object> a, Map<String, Object> b) {
        Set<String> out = new TreeSet<>(a.keySet());
        out.removeAll(b.keySet());
        return out;
    }

    private static String checksum(Charts.Rendered rendered) {
        return rendered.get(Deployment.class, R + "-api").getSpec().getTemplate().getMetadata().getAnnotations()
                .get("checksum/config");
    }

    static {
        // keep the unused import warnings away in IDEs that flag everyItem
        Objects.requireNonNull(everyItem(notNullValue()));
    }
}
