package moe.ids.deploy.cluster;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The request-info resolver against the Kubernetes API server's documented rules, one request per row. */
class RequestAttributesTest {
    @ParameterizedTest(name = "{0} {1} -> {2} {3}/{4}/{5}/{6} {7}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            // method | target | verb | group | resource | subresource | namespace | name
            "GET    | /api/v1/namespaces/ns/pods/p1                                   | get              |                     | pods        |            | ns | p1",
            "HEAD   | /api/v1/namespaces/ns/pods/p1                                   | get              |                     | pods        |            | ns | p1",
            "GET    | /api/v1/namespaces/ns/pods                                      | list             |                     | pods        |            | ns | ",
            "GET    | /api/v1/namespaces/ns/pods?watch=1                              | watch            |                     | pods        |            | ns | ",
            "GET    | /api/v1/namespaces/ns/pods?watch=true&resourceVersion=5         | watch            |                     | pods        |            | ns | ",
            "GET    | /api/v1/namespaces/ns/pods?watch=false                          | list             |                     | pods        |            | ns | ",
            "GET    | /api/v1/namespaces/ns/pods?watch=0                              | list             |                     | pods        |            | ns | ",
            "GET    | /api/v1/watch/namespaces/ns/pods                                | watch            |                     | pods        |            | ns | ",
            "GET    | /api/v1/watch/namespaces/ns/pods/p1                             | watch            |                     | pods        |            | ns | p1",
            "GET    | /api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Dp1     | list             |                     | pods        |            | ns | p1",
            "GET    | /api/v1/namespaces/ns/pods?watch=1&fieldSelector=metadata.name%3D%3Dp1 | watch     |                     | pods        |            | ns | p1",
            "GET    | /api/v1/namespaces/ns/pods?fieldSelector=metadata.name%21%3Dp1  | list             |                     | pods        |            | ns | ",
            "GET    | /api/v1/pods                                                    | list             |                     | pods        |            |    | ",
            "POST   | /api/v1/namespaces/ns/pods                                      | create           |                     | pods        |            | ns | ",
            "PUT    | /api/v1/namespaces/ns/pods/p1                                   | update           |                     | pods        |            | ns | p1",
            "PATCH  | /apis/coordination.k8s.io/v1/namespaces/ns/leases/l1            | patch            | coordination.k8s.io | leases      |            | ns | l1",
            "PUT    | /apis/coordination.k8s.io/v1/namespaces/ns/leases/l1            | update           | coordination.k8s.io | leases      |            | ns | l1",
            "DELETE | /apis/batch/v1/namespaces/ns/jobs/j1                            | delete           | batch               | jobs        |            | ns | j1",
            "DELETE | /apis/batch/v1/namespaces/ns/jobs                               | deletecollection | batch               | jobs        |            | ns | ",
            "PUT    | /apis/ids.moe/v1/namespaces/ns/refreshes/r1/status              | update           | ids.moe             | refreshes   | status     | ns | r1",
            "PATCH  | /apis/ids.moe/v1/namespaces/ns/refreshes/r1/status              | patch            | ids.moe             | refreshes   | status     | ns | r1",
            "GET    | /apis/ids.moe/v1/namespaces/ns/refreshes/r1/status              | get              | ids.moe             | refreshes   | status     | ns | r1",
            "PUT    | /apis/ids.moe/v1/namespaces/ns/refreshes/r1/finalizers          | update           | ids.moe             | refreshes   | finalizers | ns | r1",
            "GET    | /api/v1/namespaces/ns                                           | get              |                     | namespaces  |            | ns | ns",
            "PUT    | /api/v1/namespaces/ns/status                                    | update           |                     | namespaces  | status     | ns | ns",
            "PUT    | /api/v1/namespaces/ns/finalize                                  | update           |                     | namespaces  | finalize   | ns | ns",
            "GET    | /api/v1/namespaces                                              | list             |                     | namespaces  |            |    | ",
            "POST   | /api/v1/namespaces/ns/pods/p1/eviction                          | create           |                     | pods        | eviction   | ns | p1",
            "GET    | /api/v1/nodes/n1                                                | get              |                     | nodes       |            |    | n1",
            "GET    | /apis/apiextensions.k8s.io/v1/customresourcedefinitions         | list             | apiextensions.k8s.io | customresourcedefinitions |  |    | ",
            "GET    | /api/v1/namespaces/ns/services/s1:http/proxy/x/y                | get              |                     | services    | proxy      | ns | s1:http",
            "GET    | /api/v1/proxy/namespaces/ns/services/s1/x                       | proxy            |                     | services    |            | ns | s1",
    })
    void resolvesResourceRequests(String method, String target, String verb, String group, String resource,
                                  String subresource, String namespace, String name) {
        RequestAttributes a = RequestAttributes.of(method, target);
        assertEquals(true, a.resourceRequest());
        assertEquals(verb, a.verb(), "verb");
        assertEquals(group == null ? "" : group, a.apiGroup(), "group");
        assertEquals(resource, a.resource(), "resource");
        assertEquals(subresource == null ? "" : subresource, a.subresource(), "subresource");
        assertEquals(namespace == null ? "" : namespace, a.namespace(), "namespace");
        assertEquals(name == null ? "" : name, a.name(), "name");
    }

    @ParameterizedTest(name = "{0} {1} is a non-resource request")
    @CsvSource(delimiter = '|', value = {
            "GET  | /version | get",
            "GET  | /apis | get",
            "GET  | /apis/ids.moe | get",
            "GET  | /apis/ids.moe/v1 | get",
            "GET  | /api/v1 | get",
            "GET  | /healthz | get",
            "POST | /openapi/v3 | post",
    })
    void resolvesNonResourceRequests(String method, String target, String verb) {
        RequestAttributes a = RequestAttributes.of(method, target);
        assertEquals(false, a.resourceRequest());
        assertEquals(verb, a.verb());
        assertEquals(target, a.path());
    }
}
