package moe.ids.scraper.source;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import moe.ids.core.snapshot.Records;

/** The Silveryasha DataTables dump: {@code {draw, recordsTotal, recordsFiltered, data:[{id, mal_id (string), title}]}}. */
public final class SilveryashaSource extends JsonFileSource<Records.SilveryashaEntry> {
    /** Upstream URL. */
    public static final String URL = "https://raw.githubusercontent.com/rensetsu/db.rensetsu.public-dump/main/"
            + "Silveryasha/silveryasha_raw.json";

    /** Creates the source. */
    public SilveryashaSource() {
        super("silveryasha", URL, Records.SilveryashaEntry.class);
    }

    @Override
    protected List<Records.SilveryashaEntry> parse(JsonNode root) {
        JsonNode data = root.get("data");
        if (!root.isObject() || data == null || !data.isArray()) {
            throw new InvalidSourceException("document has no data array"
                    + (root.hasNonNull("error") ? " (upstream error: " + root.get("error").asText() + ")" : ""));
        }
        List<Records.SilveryashaEntry> out = new ArrayList<>(data.size());
        for (JsonNode e : data) {
            Integer id = Normalize.positiveInt(e.get("id"));
            String title = Normalize.text(e.get("title"));
            if (id != null && title != null) {
                out.add(new Records.SilveryashaEntry(id, Normalize.positiveInt(e.get("mal_id")), title,
                        Normalize.text(e.get("title_alt"))));
            }
        }
        return out;
    }
}
