package moe.ids.deploy.cluster;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What Kubernetes' authorizer sees of one HTTP request: the verb, API group, resource, subresource, namespace
 * and name, computed from method, path and query exactly as the API server's request-info resolver does
 * (GET on a collection is {@code list}, or {@code watch} with a true {@code watch} parameter or the
 * {@code /watch/} prefix; a {@code metadata.name} field selector names the object; DELETE on a collection is
 * {@code deletecollection}; {@code /status} and friends are subresources; {@code /namespaces/{name}/status}
 * and {@code /finalize} are the namespace's own subresources). Anything outside {@code /api} and
 * {@code /apis} is a non-resource request whose verb is the lower-case method.
 *
 * @param resourceRequest false for non-resource URLs (discovery, {@code /version}, health)
 * @param verb            get, list, watch, create, update, patch, delete, deletecollection (or a non-resource verb)
 * @param apiGroup        "" for the core group
 * @param apiVersion      e.g. v1
 * @param resource        plural resource, e.g. leases
 * @param subresource     e.g. status, or ""
 * @param namespace       "" for cluster-scoped requests
 * @param name            "" when the request names no object
 * @param path            the URL path without the query
 */
public record RequestAttributes(boolean resourceRequest, String verb, String apiGroup, String apiVersion,
                                String resource, String subresource, String namespace, String name, String path) {
    private static final Set<String> SPECIAL_VERBS = Set.of("proxy", "watch");
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    /**
     * @param method HTTP method
     * @param target path with an optional query string, as sent on the request line
     * @return the attributes
     */
    public static RequestAttributes of(String method, String target) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);
        String methodVerb = method.toLowerCase(Locale.ROOT);
        List<String> parts = new ArrayList<>(Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList());
        RequestAttributes nonResource = new RequestAttributes(false, methodVerb, "", "", "", "", "", "", path);
        if (parts.size() < 3 || !(parts.get(0).equals("api") || parts.get(0).equals("apis"))) {
            return nonResource;
        }
        boolean groupless = parts.removeFirst().equals("api");
        String group = "";
        if (!groupless) {
            if (parts.size() < 3) {
                return nonResource;
            }
            group = parts.removeFirst();
        }
        String version = parts.removeFirst();
        String verb;
        if (SPECIAL_VERBS.contains(parts.getFirst())) {
            if (parts.size() < 2) {
                throw new IllegalArgumentException("unable to determine kind and namespace from " + path);
            }
            verb = parts.removeFirst();
        } else {
            verb = switch (method.toUpperCase(Locale.ROOT)) {
                case "POST" -> "create";
                case "GET", "HEAD" -> "get";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> "delete";
                default -> "";
            };
        }
        String namespace = "";
        if (parts.getFirst().equals("namespaces")) {
            if (parts.size() > 1) {
                namespace = parts.get(1);
                if (parts.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(parts.get(2))) {
                    parts = parts.subList(2, parts.size());
                }
            }
        }
        String resource = parts.getFirst();
        String name = parts.size() >= 2 ? parts.get(1) : "";
        String subresource = parts.size() >= 3 && !verb.equals("proxy") ? parts.get(2) : "";
        if (name.isEmpty() && verb.equals("get")) {
            verb = truthy(param(query, "watch")) ? "watch" : "list";
            String selected = exactName(param(query, "fieldSelector"));
            if (selected != null && validPathSegment(selected)) {
                name = selected;
            }
        }
        if (name.isEmpty() && verb.equals("delete")) {
            verb = "deletecollection";
        }
        return new RequestAttributes(true, verb, group, version, resource, subresource, namespace, name, path);
    }

    /**
     * @return {@code resource/subresource}, or the resource alone
     */
    public String combinedResource() {
        return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }

    /** Query parameters are decoded as the API server decodes them; only the first value counts. */
    private static String param(String query, String key) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (k.equals(key)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** A boolean query parameter is false only when absent, "0" or "false" (any case), as in apimachinery. */
    private static boolean truthy(String value) {
        return value != null && !value.equals("0") && !value.equalsIgnoreCase("false");
    }

    /** The value of a {@code metadata.name=} or {@code metadata.name==} term of a field selector, else null. */
    private static String exactName(String selector) {
        if (selector == null || selector.isBlank()) {
            return null;
        }
        for (String term : selector.split(",")) {
            String t = term.strip();
            for (String op : List.of("==", "=")) {
                int at = t.indexOf(op);
                if (at > 0 && t.substring(0, at).strip().equals("metadata.name")) {
                    return t.substring(at + op.length()).strip();
                }
            }
        }
        return null;
    }

    private static boolean validPathSegment(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && !name.contains("/")
                && !name.contains("%");
    }
}
