package moe.ids.merger.merge;

/**
 * A source record that links to an anime by ID or title: Silveryasha, Otak Otaku, Kaize, Nautiljon.
 *
 * @param title       its title
 * @param id          its ID on the platform (slug or number as text)
 * @param numericId   numeric ID beside a slug ({@code kaize_id}, {@code nautiljon_id}), or the number itself
 * @param myanimelist MAL ID it carries, or null
 */
public record External(String title, String id, Integer numericId, Integer myanimelist) {
}
