package moe.ids.merger.merge;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The title an anime's Anime-Planet slug spells ("astro-boy-2003" is "astro boy (2003)", "grisaia-phantom-trigger-tv"
 * is "grisaia phantom trigger tv"). Anime-Planet names a remake by its year and a season by its number where the
 * anime-offline-database title often says neither, so the slug is evidence of the same kind as a synonym (the
 * merger's DESIGN.md, "Second titles of anime").
 */
public final class SpelledTitles {
    /** A closing year in a slug: "berserk-2016". */
    private static final Pattern YEAR = Pattern.compile("(.+)-((?:19|20)\\d\\d)");
    /** Runs of characters other than ASCII letters and digits, as Anime-Planet writes them in a slug. */
    private static final Pattern NOT_SLUG = Pattern.compile("[^a-z0-9]+");

    private SpelledTitles() {
    }

    /**
     * The key of the title a slug spells for an anime, or null when it spells only the anime's title or contradicts
     * it.
     *
     * @param key   the key of the anime's title
     * @param title the anime's title
     * @param kinds its kinds from the data
     * @param year  its year from the data, or null
     * @param slug  its Anime-Planet slug, or null
     * @return the key, or null
     */
    public static TitleKey key(TitleKey key, String title, Set<TitleKey.Kind> kinds, Integer year, String slug) {
        String spelled = title(title, slug);
        if (spelled == null) {
            return null;
        }
        TitleKey reading = TitleKey.of(spelled, kinds, year);
        return addsTo(key, reading) ? reading : null;
    }

    /**
     * The title a slug spells, or null when it spells nothing but the anime's own title ("Bokura no" as
     * "bokura-no": more than half of the slugs), which would only cost a key and index space.
     *
     * @param title the anime's title, or null
     * @param slug  its Anime-Planet slug, or null
     * @return the title the slug spells, or null
     */
    public static String title(String title, String slug) {
        if (slug == null || slug.isBlank() || title != null && slugOf(title).equals(slug)) {
            return null;
        }
        Matcher m = YEAR.matcher(slug);
        String spelled = m.matches() ? m.group(1).replace('-', ' ') + " (" + m.group(2) + ")" : slug.replace('-', ' ');
        return spelled.isBlank() ? null : spelled;
    }

    /** A closing subtitle after " - " or ": " ("… Erandeiraremasen - Ryoushu no Youjo"). */
    private static final Pattern SUBTITLED = Pattern.compile("(.*\\S)\\s*(?: - |: )\\s*\\S[^:]*");

    /**
     * The anime-offline-database names some seasons by their arc alone ("Honzuki no Gekokujou: … - Ryoushu no
     * Youjo"), where Anime-Planet numbers them ("ascendance-of-a-bookworm-season-4") and the sites write the
     * series' name and the number ("… Erandeiraremasen 4"). This reads such a title as its name without the
     * closing subtitle, with the slug's number.
     *
     * @param key     the key of the anime's title
     * @param title   the anime's title
     * @param kinds   its kinds from the data
     * @param year    its year from the data, or null
     * @param spelled the key of the title its slug spells ({@link #key}), or null
     * @return "name N", or null when the title names a number itself, has no closing subtitle, or the slug names
     *         a kind ("…-2nd-season-ova" is an OVA of the season, not the season) or no single season number of 2
     *         or more
     */
    public static TitleKey arcSeason(TitleKey key, String title, Set<TitleKey.Kind> kinds, Integer year,
                                     TitleKey spelled) {
        if (spelled == null || spelled.numbers().size() != 1 || spelled.numbers().getFirst() < 2
                || spelled.movie() != null || !spelled.kinds().isEmpty() || !key.numbers().isEmpty()
                || key.movie() != null || title == null) {
            return null;
        }
        Matcher m = SUBTITLED.matcher(title);
        if (!m.matches()) {
            return null;
        }
        TitleKey reading = TitleKey.of(m.group(1) + " " + spelled.numbers().getFirst(), kinds, year);
        return reading.numbers().equals(spelled.numbers()) && !reading.name().isEmpty() ? reading : null;
    }

    /**
     * Whether a reading may stand beside the anime's title: it may add a number, a year or a kind the title leaves
     * out, never contradict one it states ("yu-yu-hakusho-eizou-hakusho" is no name for "… Eizou Hakusho II", which
     * would take the first part's items).
     */
    private static boolean addsTo(TitleKey title, TitleKey reading) {
        return (title.numbers().isEmpty() || title.numbers().equals(reading.numbers()))
                && (title.year() == null || reading.year() == null || title.year().equals(reading.year()))
                && (title.kinds().isEmpty() || reading.kinds().isEmpty() || title.kinds().equals(reading.kinds()));
    }

    /** A title as a slug: lower case, each run of other characters one hyphen, none at either end. */
    private static String slugOf(String title) {
        return NOT_SLUG.matcher(title.toLowerCase(Locale.ROOT)).replaceAll("-").replaceAll("^-|-$", "");
    }
}
