package moe.ids.merger.merge;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A source record that links to an anime by ID or title: Silveryasha, Otak Otaku, Kaize, Nautiljon.
 *
 * @param title     its title
 * @param altTitle  a second title the site shows beside it (Nautiljon's French or English title), or null
 * @param id        its ID on the platform (slug or number as text)
 * @param numericId numeric ID beside a slug ({@code kaize_id}, {@code nautiljon_id}), or the number itself
 * @param format    the site's format label (Nautiljon's Série, OAV, Film, …), or null
 * @param links     IDs of other platforms it carries, by entry key ({@code myanimelist}, {@code anidb},
 *                  {@code animeplanet}, {@code animenewsnetwork}); null values are left out
 */
public record External(String title, String altTitle, String id, Integer numericId, String format,
                       Map<String, Object> links) {
    /** Copies the links, dropping null values. */
    public External {
        Map<String, Object> copy = new LinkedHashMap<>();
        if (links != null) {
            links.forEach((k, v) -> {
                if (v != null) {
                    copy.put(k, v);
                }
            });
        }
        links = java.util.Collections.unmodifiableMap(copy);
    }

    /**
     * A record with a title and at most a MAL ID.
     *
     * @param title       its title
     * @param id          its ID on the platform
     * @param numericId   numeric ID, or null
     * @param myanimelist MAL ID it carries, or null
     */
    public External(String title, String id, Integer numericId, Integer myanimelist) {
        this(title, null, id, numericId, null, myanimelistLink(myanimelist));
    }

    private static Map<String, Object> myanimelistLink(Integer myanimelist) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("myanimelist", myanimelist);
        return m;
    }

    /**
     * @return the MAL ID it carries, or null
     */
    public Integer myanimelist() {
        return (Integer) links.get("myanimelist");
    }
}
