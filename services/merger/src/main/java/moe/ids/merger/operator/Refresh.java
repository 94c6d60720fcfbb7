package moe.ids.merger.operator;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A refresh of the dataset: scrape the requested sources, merge, publish a change set and wait until the
 * ingestor applied it. Created by the CronJob, by {@code kubectl create -f}, or by {@code refresh create}.
 */
@Group("ids.moe")
@Version("v1")
@Kind("Refresh")
@Singular("refresh")
@Plural("refreshes")
@ShortNames("rf")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.changeSet.version",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Upserts", jsonPath = ".status.changeSet.upserts",
        type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Message", jsonPath = ".status.conditions[?(@.type==\"Ready\")].message",
        type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class Refresh extends CustomResource<RefreshSpec, RefreshStatus> implements Namespaced {
    @Override
    protected RefreshSpec initSpec() {
        return new RefreshSpec();
    }
}
