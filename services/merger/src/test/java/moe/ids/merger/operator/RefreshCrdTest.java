package moe.ids.merger.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import moe.ids.core.snapshot.SourceNames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CRD generated from the Refresh classes (fabric8 CRD generator, at build time). */
class RefreshCrdTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode crd;
    private static JsonSchema schema;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = RefreshCrdTest.class.getClassLoader()
                .getResourceAsStream("META-INF/fabric8/refreshes.ids.moe-v1.yml")) {
            crd = YAML.readTree(in);
        }
        JsonNode openApi = crd.at("/spec/versions/0/schema/openAPIV3Schema");
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi);
    }

    private static Set<ValidationMessage> validate(String json) throws Exception {
        return schema.validate(JSON.readTree(json));
    }

    @Test
    void namesAndColumns() {
        assertEquals("refreshes.ids.moe", crd.at("/metadata/name").asText());
        assertEquals("Refresh", crd.at("/spec/names/kind").asText());
        assertEquals("rf", crd.at("/spec/names/shortNames/0").asText());
        assertEquals("Namespaced", crd.at("/spec/scope").asText());
        assertTrue(crd.at("/spec/versions/0/subresources/status").isObject());
        List<String> columns = crd.at("/spec/versions/0/additionalPrinterColumns").findValuesAsText("name");
        assertTrue(columns.containsAll(List.of("Phase", "Version", "Age")), columns.toString());
    }

    @Test
    void validatesASampleAndRejectsBadOnes() throws Exception {
        assertEquals(Set.of(), validate("""
                {"apiVersion": "ids.moe/v1", "kind": "Refresh", "metadata": {"name": "manual"},
                 "spec": {"sources": ["aod", "arm", "kaize"], "force": true}}"""));
        assertEquals(Set.of(), validate("{\"spec\": {}}"));
        Set<ValidationMessage> unknown = validate("{\"spec\": {\"sources\": [\"aod\", \"myanimelist\"]}}");
        assertFalse(unknown.isEmpty());
        assertTrue(unknown.toString().contains("enum"), unknown.toString());
        assertFalse(validate("{\"spec\": {\"force\": \"yes\"}}").isEmpty(), "force must be a boolean");
        assertFalse(validate("{\"spec\": {\"sources\": \"aod\"}}").isEmpty(), "sources must be an array");
    }

    @Test
    void theSpecIsImmutable() {
        JsonNode rules = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/x-kubernetes-validations");
        assertTrue(rules.isArray() && rules.size() == 1, rules.toString());
        assertEquals("self == oldSelf", rules.get(0).get("rule").asText());
        assertTrue(rules.get(0).get("message").asText().contains("create a new Refresh"), rules.toString());
    }

    @Test
    void sourceNamesAreTheScrapersSources() {
        assertEquals(SourceNames.ALL.stream().sorted().toList(),
                Arrays.stream(SourceName.values()).map(SourceName::id).sorted().toList());
    }

    @Test
    void theChartCarriesTheGeneratedCrd() throws Exception {
        Path chart = Path.of("../../charts/ids-moe/crds/refreshes.ids.moe-v1.yml");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(chart), "no chart yet at " + chart);
        try (InputStream in = RefreshCrdTest.class.getClassLoader()
                .getResourceAsStream("META-INF/fabric8/refreshes.ids.moe-v1.yml")) {
            assertEquals(new String(in.readAllBytes()), Files.readString(chart),
                    "charts/ids-moe/crds is stale: copy services/merger/target/classes/META-INF/fabric8/"
                            + "refreshes.ids.moe-v1.yml there (bin/ids-moe crd does)");
        }
    }
}
