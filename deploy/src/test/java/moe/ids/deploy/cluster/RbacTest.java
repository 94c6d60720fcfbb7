package moe.ids.deploy.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RBAC rule matching and binding scope as rbac/v1 defines them. */
class RbacTest {
    private static final Rbac.User SA = Rbac.User.serviceAccount("ns", "ctl");

    private static Rbac rbac(HasMetadata... objects) {
        return Rbac.of(List.of(objects));
    }

    private static HasMetadata role(String ns, io.fabric8.kubernetes.api.model.rbac.PolicyRule... rules) {
        return new RoleBuilder().withNewMetadata().withName("r").withNamespace(ns).endMetadata().withRules(rules)
                .build();
    }

    private static HasMetadata binding(String ns, String kind, String role) {
        return new RoleBindingBuilder().withNewMetadata().withName("b").withNamespace(ns).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", kind, role)
                .addNewSubject().withKind("ServiceAccount").withName("ctl").withNamespace("ns").endSubject().build();
    }

    private static io.fabric8.kubernetes.api.model.rbac.PolicyRule rule(String group, String resource, String... verbs) {
        return new PolicyRuleBuilder().withApiGroups(group).withResources(resource).withVerbs(verbs).build();
    }

    private static boolean allowed(Rbac rbac, String method, String target) {
        return rbac.authorize(SA, RequestAttributes.of(method, target)).isPresent();
    }

    @Test
    void roleBindingGrantsOnlyTheListedVerbs() {
        Rbac rbac = rbac(role("ns", rule("coordination.k8s.io", "leases", "get", "create", "update")),
                binding("ns", "Role", "r"));
        assertTrue(allowed(rbac, "PUT", "/apis/coordination.k8s.io/v1/namespaces/ns/leases/l"));
        assertFalse(allowed(rbac, "PATCH", "/apis/coordination.k8s.io/v1/namespaces/ns/leases/l"));
    }

    @Test
    void roleBindingGrantsOnlyInItsNamespace() {
        Rbac rbac = rbac(role("ns", rule("batch", "jobs", "list")), binding("ns", "Role", "r"));
        assertTrue(allowed(rbac, "GET", "/apis/batch/v1/namespaces/ns/jobs"));
        assertFalse(allowed(rbac, "GET", "/apis/batch/v1/namespaces/other/jobs"));
        assertFalse(allowed(rbac, "GET", "/apis/batch/v1/jobs"));
    }

    @Test
    void subresourceNeedsItsOwnRule() {
        Rbac rbac = rbac(role("ns", rule("ids.moe", "refreshes", "*")), binding("ns", "Role", "r"));
        assertTrue(allowed(rbac, "PUT", "/apis/ids.moe/v1/namespaces/ns/refreshes/x"));
        assertFalse(allowed(rbac, "PUT", "/apis/ids.moe/v1/namespaces/ns/refreshes/x/status"));
        Rbac sub = rbac(role("ns", rule("ids.moe", "*/status", "update")), binding("ns", "Role", "r"));
        assertTrue(allowed(sub, "PUT", "/apis/ids.moe/v1/namespaces/ns/refreshes/x/status"));
        assertFalse(allowed(sub, "PUT", "/apis/ids.moe/v1/namespaces/ns/refreshes/x"));
    }

    @Test
    void resourceNamesRestrictOnlyNamedRequests() {
        Rbac rbac = rbac(role("ns", new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
                .withResourceNames("a").withVerbs("get", "list", "create").build()), binding("ns", "Role", "r"));
        assertTrue(allowed(rbac, "GET", "/api/v1/namespaces/ns/configmaps/a"));
        assertFalse(allowed(rbac, "GET", "/api/v1/namespaces/ns/configmaps/b"));
        assertFalse(allowed(rbac, "GET", "/api/v1/namespaces/ns/configmaps"));
        assertTrue(allowed(rbac, "GET", "/api/v1/namespaces/ns/configmaps?fieldSelector=metadata.name%3Da"));
        assertFalse(allowed(rbac, "POST", "/api/v1/namespaces/ns/configmaps"));
    }

    @Test
    void clusterRoleThroughARoleBindingIsNamespaced() {
        Rbac rbac = rbac(new ClusterRoleBuilder().withNewMetadata().withName("c").endMetadata()
                .withRules(rule("", "pods", "get")).build(), binding("ns", "ClusterRole", "c"));
        assertTrue(allowed(rbac, "GET", "/api/v1/namespaces/ns/pods/p"));
        assertFalse(allowed(rbac, "GET", "/api/v1/namespaces/other/pods/p"));
    }

    @Test
    void clusterRoleBindingGrantsEverywhere() {
        Rbac rbac = rbac(new ClusterRoleBuilder().withNewMetadata().withName("c").endMetadata()
                        .withRules(rule("", "nodes", "get")).build(),
                new ClusterRoleBindingBuilder().withNewMetadata().withName("cb").endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "c")
                        .addNewSubject().withKind("Group").withName("system:serviceaccounts:ns").endSubject().build());
        assertTrue(allowed(rbac, "GET", "/api/v1/nodes/n"));
    }

    @Test
    void everyAuthenticatedUserMayDiscoverButNothingMore() {
        Rbac rbac = rbac();
        assertTrue(allowed(rbac, "GET", "/version"));
        assertTrue(allowed(rbac, "GET", "/apis/ids.moe/v1"));
        assertFalse(allowed(rbac, "GET", "/api/v1/namespaces/ns/pods"));
        assertFalse(allowed(rbac, "GET", "/metrics"));
    }

    @Test
    void otherServiceAccountsAreNotBound() {
        Rbac rbac = rbac(role("ns", rule("batch", "jobs", "create")), binding("ns", "Role", "r"));
        assertFalse(rbac.authorize(Rbac.User.serviceAccount("ns", "scraper"),
                RequestAttributes.of("POST", "/apis/batch/v1/namespaces/ns/jobs")).isPresent());
        assertFalse(rbac.authorize(Rbac.User.serviceAccount("other", "ctl"),
                RequestAttributes.of("POST", "/apis/batch/v1/namespaces/ns/jobs")).isPresent());
    }
}
