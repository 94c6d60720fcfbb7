package moe.ids.scraper.source;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import moe.ids.core.snapshot.Records;

/**
 * AnimeAPI's manual mapping files: {@code {"<AOD title>": value}}. For Kaize the value is
 * {@code {"kaize": slug, "kaize_id": n}}, a list of those (first wins) or a bare slug; for Otak Otaku and
 * Silveryasha it is the numeric ID, or a list of them (first wins).
 */
public final class ManualSource extends JsonFileSource<Records.ManualEntry> {
    private static final String BASE = "https://raw.githubusercontent.com/nattadasu/animeApi/v3/database/raw/";

    private final boolean kaize;

    private ManualSource(String name, String file, boolean kaize) {
        super(name, BASE + file, Records.ManualEntry.class);
        this.kaize = kaize;
    }

    /**
     * @return {@code kaize-manual}
     */
    public static ManualSource kaize() {
        return new ManualSource("kaize-manual", "kaize_manual.json", true);
    }

    /**
     * @return {@code otakotaku-manual}
     */
    public static ManualSource otakotaku() {
        return new ManualSource("otakotaku-manual", "otakotaku_manual.json", false);
    }

    /**
     * @return {@code silveryasha-manual}
     */
    public static ManualSource silveryasha() {
        return new ManualSource("silveryasha-manual", "silveryasha_manual.json", false);
    }

    @Override
    protected List<Records.ManualEntry> parse(JsonNode root) {
        if (!root.isObject()) {
            throw new InvalidSourceException("expected a JSON object of title → ID, found " + root.getNodeType());
        }
        List<Records.ManualEntry> out = new ArrayList<>(root.size());
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String title = e.getKey().strip();
            JsonNode v = e.getValue();
            if (kaize) {
                JsonNode first = v.isArray() ? v.path(0) : v;
                String slug = first.isTextual() ? Normalize.text(first) : Normalize.text(first.get("kaize"));
                Integer id = first.isObject() ? Normalize.positiveInt(first.get("kaize_id")) : null;
                if (slug != null && !title.isEmpty()) {
                    out.add(new Records.ManualEntry(title, slug, id));
                }
            } else {
                List<Integer> ids = Normalize.intList(v);
                Integer id = ids.isEmpty() ? null : ids.getFirst();
                if (id != null && !title.isEmpty()) {
                    out.add(new Records.ManualEntry(title, id.toString(), id));
                }
            }
        }
        return out;
    }
}
