package moe.ids.deploy.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The API server's request chain in front of fabric8's CRUD mock: authentication (a bearer token names a
 * user), RBAC authorization of the request's {@link RequestAttributes}, then — for writes — the
 * OwnerReferencesPermissionEnforcement admission plugin (setting {@code blockOwnerDeletion} needs
 * {@code update} on the owner's {@code finalizers}; changing owner references of an existing object needs
 * {@code delete} on it). A request that fails a step is answered as Kubernetes answers it (401, or 403 with
 * a {@code Status} body and Kubernetes' wording) and never reaches the store; every request is recorded with
 * its decision, so a test can list who did what under which rule.
 */
public final class AuthorizingDispatcher extends Dispatcher {
    private static final System.Logger LOG = System.getLogger(AuthorizingDispatcher.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What {@code /version} answers: the Kubernetes version the chart is rendered for. */
    private static final String VERSION = "{\"major\":\"1\",\"minor\":\"33\",\"gitVersion\":\"v1.33.0\","
            + "\"platform\":\"linux/amd64\"}";

    private final KubernetesCrudDispatcher store;
    private final Map<String, Rbac.User> tokens = new ConcurrentHashMap<>();
    private final List<Decision> audit = new CopyOnWriteArrayList<>();
    private final Function<String, String> kindToResource;
    /** The REST mapper's part for custom resources: {@code group/Kind} → plural, from the CRDs created. */
    private final Map<String, String> customResources = new ConcurrentHashMap<>();
    private final Rbac rbac;

    /**
     * @param store          the CRUD store the allowed requests go to
     * @param rbac           the authorizer
     * @param kindToResource {@code group/Kind} → plural resource of the built-in kinds (the API server's REST
     *                       mapper; custom resources are learnt from the CRDs created)
     */
    AuthorizingDispatcher(KubernetesCrudDispatcher store, Rbac rbac, Function<String, String> kindToResource) {
        this.store = store;
        this.rbac = rbac;
        this.kindToResource = kindToResource;
    }

    void token(String token, Rbac.User user) {
        tokens.put(token, user);
    }

    List<Decision> audit() {
        return List.copyOf(audit);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        RequestAttributes attrs;
        try {
            attrs = RequestAttributes.of(request.getMethod(), request.getPath());
        } catch (IllegalArgumentException ex) {
            return status(404, "NotFound", ex.getMessage(), null);
        }
        String auth = request.getHeader("Authorization");
        Rbac.User user = auth != null && auth.startsWith("Bearer ") ? tokens.get(auth.substring(7).strip()) : null;
        if (user == null) {
            audit.add(new Decision(Instant.now(), null, attrs, null, "no valid bearer token", 401));
            return status(401, "Unauthorized", "Unauthorized", null);
        }
        Optional<Rbac.Grant> grant = rbac.authorize(user, attrs);
        if (grant.isEmpty()) {
            String message = forbidden(user, attrs);
            audit.add(new Decision(Instant.now(), user.name(), attrs, null, message, 403));
            LOG.log(System.Logger.Level.WARNING, "403 {0} {1}: {2}", request.getMethod(), request.getPath(), message);
            return status(403, "Forbidden", message, attrs);
        }
        String denied = admit(user, attrs, request);
        if (denied != null) {
            audit.add(new Decision(Instant.now(), user.name(), attrs, grant.get(), denied, 403));
            LOG.log(System.Logger.Level.WARNING, "403 (admission) {0} {1}: {2}", request.getMethod(),
                    request.getPath(), denied);
            return status(403, "Forbidden", denied, attrs);
        }
        byte[] body = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
        MockResponse response = !attrs.resourceRequest() && attrs.path().equals("/version")
                ? new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                        .setBody(VERSION)
                : store.dispatch(request);
        if (response.getWebSocketListener() != null) {
            response.withWebSocketUpgrade(new OffLoopCloseListener(response.getWebSocketListener()));
        }
        audit.add(new Decision(Instant.now(), user.name(), attrs, grant.get(), null, response.code()));
        if (attrs.verb().equals("create") && attrs.resource().equals("customresourcedefinitions")
                && response.code() / 100 == 2) {
            learn(body);
        }
        return response;
    }

    private void learn(byte[] crd) {
        try {
            JsonNode spec = JSON.readTree(crd).path("spec");
            customResources.put(spec.path("group").asText() + "/" + spec.path("names").path("kind").asText(),
                    spec.path("names").path("plural").asText());
        } catch (Exception ex) {
            LOG.log(System.Logger.Level.WARNING, "unreadable CustomResourceDefinition: {0}", ex.getMessage());
        }
    }

    /** OwnerReferencesPermissionEnforcement; null when admitted. Subresource writes are not checked. */
    private String admit(Rbac.User user, RequestAttributes attrs, RecordedRequest request) {
        boolean create = attrs.verb().equals("create");
        if (!(create || attrs.verb().equals("update") || attrs.verb().equals("patch")) || !attrs.subresource().isEmpty()) {
            return null;
        }
        JsonNode body;
        try {
            // getBytes() leaves the body for the store (getUtf8Body() would consume it)
            body = JSON.readTree(request.getBody() == null ? new byte[0] : request.getBody().getBytes());
        } catch (Exception ex) {
            return null; // the store answers a malformed body
        }
        JsonNode newRefs = body.path("metadata").path("ownerReferences");
        if (!create && newRefs.isMissingNode()) {
            return null; // an update or patch that does not mention owner references keeps them
        }
        JsonNode oldRefs = create ? JSON.createArrayNode() : current(request).path("metadata").path("ownerReferences");
        if (Objects.equals(normalized(newRefs), normalized(oldRefs))) {
            return null;
        }
        if (!create) {
            RequestAttributes delete = new RequestAttributes(true, "delete", attrs.apiGroup(), attrs.apiVersion(),
                    attrs.resource(), "", attrs.namespace(), attrs.name(), "");
            if (rbac.authorize(user, delete).isEmpty()) {
                return "cannot set an ownerRef on a resource you can't delete: " + forbidden(user, delete);
            }
        }
        for (JsonNode ref : newRefs) {
            if (!ref.path("blockOwnerDeletion").asBoolean(false) || blocking(oldRefs, ref)) {
                continue;
            }
            String apiVersion = ref.path("apiVersion").asText();
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
            String groupKind = group + "/" + ref.path("kind").asText();
            String resource = customResources.getOrDefault(groupKind, kindToResource.apply(groupKind));
            RequestAttributes finalizers = new RequestAttributes(true, "update", group, version,
                    resource == null ? ref.path("kind").asText().toLowerCase() : resource, "finalizers",
                    attrs.namespace(), ref.path("name").asText(), "");
            if (rbac.authorize(user, finalizers).isEmpty()) {
                return "cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set "
                        + "finalizers on: " + forbidden(user, finalizers);
            }
        }
        return null;
    }

    private static boolean blocking(JsonNode oldRefs, JsonNode ref) {
        for (JsonNode old : oldRefs) {
            if (old.path("uid").asText().equals(ref.path("uid").asText()) && old.path("blockOwnerDeletion").asBoolean()) {
                return true;
            }
        }
        return false;
    }

    private static List<JsonNode> normalized(JsonNode refs) {
        List<JsonNode> out = new ArrayList<>();
        refs.forEach(out::add);
        return out;
    }

    private JsonNode current(RecordedRequest request) {
        String path = request.getPath();
        int q = path.indexOf('?');
        MockResponse found = store.handleGet(q < 0 ? path : path.substring(0, q));
        try {
            return found.code() == 200 ? JSON.readTree(found.getBody().readUtf8()) : JSON.createObjectNode();
        } catch (Exception ex) {
            return JSON.createObjectNode();
        }
    }

    /** Kubernetes' wording of an RBAC denial. */
    static String forbidden(Rbac.User user, RequestAttributes a) {
        if (!a.resourceRequest()) {
            return "forbidden: User \"" + user.name() + "\" cannot " + a.verb() + " path \"" + a.path() + "\"";
        }
        String gr = a.apiGroup().isEmpty() ? a.resource() : a.resource() + "." + a.apiGroup();
        String subject = a.name().isEmpty() ? gr + " is forbidden: " : gr + " \"" + a.name() + "\" is forbidden: ";
        return subject + "User \"" + user.name() + "\" cannot " + a.verb() + " resource \"" + a.combinedResource()
                + "\"" + (a.apiGroup().isEmpty() ? "" : " in API group \"" + a.apiGroup() + "\"")
                + (a.namespace().isEmpty() ? " at the cluster scope" : " in the namespace \"" + a.namespace() + "\"");
    }

    private static MockResponse status(int code, String reason, String message, RequestAttributes a) {
        ObjectNode s = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure").put("message", message).put("reason", reason);
        if (a != null && a.resourceRequest()) {
            ObjectNode d = s.putObject("details");
            if (!a.name().isEmpty()) {
                d.put("name", a.name());
            }
            d.put("group", a.apiGroup()).put("kind", a.resource());
        }
        s.put("code", code);
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(s.toString());
    }

    @Override
    public void shutdown() {
        store.shutdown();
    }

    /**
     * One request as the API server decided it.
     *
     * @param at      when
     * @param user    who (null: not authenticated)
     * @param attrs   what
     * @param grant   the rule that allowed it (null when denied by RBAC)
     * @param denial  why it was refused (null when it reached the store)
     * @param code    the HTTP status answered
     */
    public record Decision(Instant at, String user, RequestAttributes attrs, Rbac.Grant grant, String denial, int code) {
        /**
         * @return whether the request was refused
         */
        public boolean denied() {
            return denial != null;
        }
    }
}
