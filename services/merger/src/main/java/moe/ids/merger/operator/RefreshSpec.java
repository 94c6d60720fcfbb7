package moe.ids.merger.operator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.ArrayList;
import java.util.List;

/**
 * What a Refresh asks for. Immutable once created (a CEL rule in the CRD): a Refresh is one run, and an edit
 * could not reach the steps already running — create a new Refresh instead.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "spec is immutable: create a new Refresh",
        reason = "FieldValueForbidden")
public class RefreshSpec {
    @JsonPropertyDescription("Sources to fetch; absent or empty means all.")
    private List<SourceName> sources = new ArrayList<>();

    @JsonPropertyDescription("Ignore HTTP validators, content hashes, re-scrape intervals and the mass-deletion guard.")
    private boolean force;

    /**
     * @return requested sources (empty = all)
     */
    public List<SourceName> getSources() {
        return sources;
    }

    /**
     * @param sources requested sources
     */
    public void setSources(List<SourceName> sources) {
        this.sources = sources == null ? new ArrayList<>() : sources;
    }

    /**
     * @return true to force
     */
    public boolean isForce() {
        return force;
    }

    /**
     * @param force true to force
     */
    public void setForce(boolean force) {
        this.force = force;
    }
}
