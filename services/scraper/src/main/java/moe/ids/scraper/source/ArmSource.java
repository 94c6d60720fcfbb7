package moe.ids.scraper.source;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import moe.ids.core.snapshot.Records;

/** kawaiioverflow's ARM: MAL / AniList / Annict / Syoboi rows; keys omitted when unknown. */
public final class ArmSource extends JsonFileSource<Records.ArmEntry> {
    /** Upstream URL. */
    public static final String URL = "https://raw.githubusercontent.com/kawaiioverflow/arm/master/arm.json";

    /** Creates the source. */
    public ArmSource() {
        super("arm", URL, Records.ArmEntry.class);
    }

    @Override
    protected List<Records.ArmEntry> parse(JsonNode root) {
        List<Records.ArmEntry> out = new ArrayList<>(root.size());
        for (JsonNode e : requireArray(root)) {
            if (!e.isObject()) {
                throw new InvalidSourceException("row " + out.size() + " is not an object");
            }
            Records.ArmEntry r = new Records.ArmEntry(Normalize.positiveInt(e.get("mal_id")),
                    Normalize.positiveInt(e.get("anilist_id")), Normalize.positiveInt(e.get("annict_id")),
                    Normalize.positiveInt(e.get("syobocal_tid")));
            if (r.myanimelist() != null || r.anilist() != null || r.annict() != null || r.shoboi() != null) {
                out.add(r);
            }
        }
        return out;
    }
}
