package moe.ids.deploy.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Kubernetes' RBAC authorizer over a fixed set of Roles, ClusterRoles and their bindings (those the chart
 * renders, plus the API server's built-in discovery and cluster-admin rules): a request is allowed when some
 * binding that names the user (or one of its groups, or its ServiceAccount) refers to a role with a rule that
 * matches the request's verb, API group, resource/subresource and name — a RoleBinding only within its own
 * namespace. Matching follows rbac/v1's helpers: {@code *} wildcards, {@code * /subresource}, resourceNames
 * restricting only requests that carry a name, non-resource URLs with a trailing {@code *}.
 */
public final class Rbac {
    /** The group every authenticated user is in. */
    public static final String AUTHENTICATED = "system:authenticated";

    private final List<Role> roles = new ArrayList<>();
    private final List<ClusterRole> clusterRoles = new ArrayList<>();
    private final List<RoleBinding> roleBindings = new ArrayList<>();
    private final List<ClusterRoleBinding> clusterRoleBindings = new ArrayList<>();

    /**
     * @param objects rendered objects; only RBAC kinds are kept
     * @return an authorizer with the API server's defaults plus these objects
     */
    public static Rbac of(List<? extends HasMetadata> objects) {
        Rbac rbac = new Rbac();
        rbac.defaults();
        for (HasMetadata o : objects) {
            switch (o) {
                case Role r -> rbac.roles.add(r);
                case ClusterRole r -> rbac.clusterRoles.add(r);
                case RoleBinding b -> rbac.roleBindings.add(b);
                case ClusterRoleBinding b -> rbac.clusterRoleBindings.add(b);
                default -> {
                }
            }
        }
        return rbac;
    }

    /** system:discovery, system:public-info-viewer (every authenticated user) and cluster-admin (system:masters). */
    private void defaults() {
        clusterRoles.add(clusterRole("system:discovery", new PolicyRule(List.of(), List.of("/api", "/api/*",
                "/apis", "/apis/*", "/openapi", "/openapi/*", "/version", "/version/", "/healthz", "/livez",
                "/readyz"), List.of(), List.of(), List.of("get"))));
        clusterRoles.add(clusterRole("cluster-admin",
                new PolicyRule(List.of("*"), List.of(), List.of(), List.of("*"), List.of("*")),
                new PolicyRule(List.of(), List.of("*"), List.of(), List.of(), List.of("*"))));
        clusterRoleBindings.add(clusterBinding("system:discovery", new Subject(null, "Group", AUTHENTICATED, null)));
        clusterRoleBindings.add(clusterBinding("cluster-admin", new Subject(null, "Group", "system:masters", null)));
    }

    private static ClusterRole clusterRole(String name, PolicyRule... rules) {
        return new ClusterRoleBuilder().withNewMetadata().withName(name).endMetadata().withRules(rules).build();
    }

    private static ClusterRoleBinding clusterBinding(String role, Subject subject) {
        return new ClusterRoleBindingBuilder().withNewMetadata().withName(role).endMetadata()
                .withRoleRef(new RoleRef("rbac.authorization.k8s.io", "ClusterRole", role)).withSubjects(subject)
                .build();
    }

    /**
     * @param user  the authenticated user
     * @param attrs the request
     * @return the binding, role and rule that allow it, or empty when RBAC denies it
     */
    public Optional<Grant> authorize(User user, RequestAttributes attrs) {
        for (ClusterRoleBinding b : clusterRoleBindings) {
            if (names(b.getSubjects(), user)) {
                Optional<Grant> g = grant("ClusterRoleBinding/" + b.getMetadata().getName(), b.getRoleRef(), null,
                        attrs);
                if (g.isPresent()) {
                    return g;
                }
            }
        }
        for (RoleBinding b : roleBindings) {
            String ns = b.getMetadata().getNamespace();
            if (attrs.namespace().isEmpty() || !Objects.equals(ns, attrs.namespace()) || !names(b.getSubjects(), user)) {
                continue;
            }
            Optional<Grant> g = grant("RoleBinding/" + ns + "/" + b.getMetadata().getName(), b.getRoleRef(), ns, attrs);
            if (g.isPresent()) {
                return g;
            }
        }
        return Optional.empty();
    }

    private Optional<Grant> grant(String binding, RoleRef ref, String namespace, RequestAttributes attrs) {
        List<PolicyRule> rules;
        String role;
        if ("ClusterRole".equals(ref.getKind())) {
            role = "ClusterRole/" + ref.getName();
            rules = clusterRoles.stream().filter(r -> r.getMetadata().getName().equals(ref.getName())).findFirst()
                    .map(ClusterRole::getRules).orElse(List.of());
        } else {
            role = "Role/" + namespace + "/" + ref.getName();
            rules = roles.stream().filter(r -> r.getMetadata().getName().equals(ref.getName())
                            && Objects.equals(r.getMetadata().getNamespace(), namespace)).findFirst()
                    .map(Role::getRules).orElse(List.of());
        }
        for (PolicyRule rule : rules) {
            if (allows(rule, attrs)) {
                return Optional.of(new Grant(binding, role, describe(rule)));
            }
        }
        return Optional.empty();
    }

    /**
     * rbac/v1's RuleAllows.
     *
     * @param rule  a policy rule
     * @param attrs a request
     * @return whether the rule covers the request
     */
    static boolean allows(PolicyRule rule, RequestAttributes attrs) {
        if (!matches(rule.getVerbs(), attrs.verb())) {
            return false;
        }
        if (!attrs.resourceRequest()) {
            return list(rule.getNonResourceURLs()).stream().anyMatch(u -> u.equals("*") || u.equals(attrs.path())
                    || (u.endsWith("*") && attrs.path().startsWith(u.substring(0, u.length() - 1))));
        }
        return matches(rule.getApiGroups(), attrs.apiGroup())
                && list(rule.getResources()).stream().anyMatch(r -> r.equals("*") || r.equals(attrs.combinedResource())
                        || (!attrs.subresource().isEmpty() && r.equals("*/" + attrs.subresource())))
                && (list(rule.getResourceNames()).isEmpty() || list(rule.getResourceNames()).contains(attrs.name()));
    }

    private static boolean matches(List<String> allowed, String value) {
        return list(allowed).stream().anyMatch(a -> a.equals("*") || a.equals(value));
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static boolean names(List<Subject> subjects, User user) {
        for (Subject s : list(subjects)) {
            boolean hit = switch (s.getKind()) {
                case "ServiceAccount" -> user.name().equals("system:serviceaccount:" + s.getNamespace() + ":" + s.getName());
                case "User" -> user.name().equals(s.getName());
                case "Group" -> user.groups().contains(s.getName());
                default -> false;
            };
            if (hit) {
                return true;
            }
        }
        return false;
    }

    private static String describe(PolicyRule rule) {
        if (!list(rule.getNonResourceURLs()).isEmpty()) {
            return "nonResourceURLs=" + rule.getNonResourceURLs() + " verbs=" + rule.getVerbs();
        }
        return "apiGroups=" + rule.getApiGroups() + " resources=" + rule.getResources()
                + (list(rule.getResourceNames()).isEmpty() ? "" : " resourceNames=" + rule.getResourceNames())
                + " verbs=" + rule.getVerbs();
    }

    /**
     * An authenticated identity.
     *
     * @param name   e.g. {@code system:serviceaccount:ns:name}
     * @param groups its groups
     */
    public record User(String name, List<String> groups) {
        /**
         * @param namespace the ServiceAccount's namespace
         * @param name      its name
         * @return the identity its token authenticates as
         */
        public static User serviceAccount(String namespace, String name) {
            return new User("system:serviceaccount:" + namespace + ":" + name,
                    List.of("system:serviceaccounts", "system:serviceaccounts:" + namespace, AUTHENTICATED));
        }

        /**
         * @param name a user name
         * @return a member of system:masters (what kubectl with an admin kubeconfig and Helm act as)
         */
        public static User admin(String name) {
            return new User(name, List.of("system:masters", AUTHENTICATED));
        }
    }

    /**
     * Why a request was allowed.
     *
     * @param binding the binding that names the user
     * @param role    the role it refers to
     * @param rule    the matching rule
     */
    public record Grant(String binding, String role, String rule) {
    }
}
