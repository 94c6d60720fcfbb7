package moe.ids.merger.merge;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Normalizes titles for matching: Unicode compatibility folding, diacritics and invisible characters removed,
 * lower case, punctuation to spaces, one spelling for season numbers ({@code 2nd Season}, {@code Season 2},
 * {@code S2} → {@code season 2}), blanks collapsed. Two titles that normalize equal are an exact match.
 */
public final class TitleNormalizer {
    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern INVISIBLE = Pattern.compile("[\\u00ad\\u200b-\\u200f\\u2060\\ufeff]");
    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
    private static final Pattern ORDINAL_SEASON = Pattern.compile("\\b(\\d{1,2})(?:st|nd|rd|th) season\\b");
    private static final Pattern SEASON_N = Pattern.compile("\\bseason (\\d{1,2})\\b");
    private static final Pattern S_N = Pattern.compile("\\bs(\\d{1,2})\\b");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private TitleNormalizer() {
    }

    /**
     * @param title a title, may be null
     * @return its normalized form ("" for null or blank)
     */
    public static String normalize(String title) {
        if (title == null) {
            return "";
        }
        String t = Normalizer.normalize(title, Normalizer.Form.NFKD);
        t = MARKS.matcher(t).replaceAll("");
        t = INVISIBLE.matcher(t).replaceAll("");
        t = t.toLowerCase(Locale.ROOT).replace('&', ' ');
        t = NON_WORD.matcher(t).replaceAll(" ");
        t = SPACES.matcher(t).replaceAll(" ").strip();
        t = replace(ORDINAL_SEASON, t);
        t = replace(S_N, t);
        t = replace(SEASON_N, t);
        return t;
    }

    private static String replace(Pattern p, String t) {
        Matcher m = p.matcher(t);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, "season " + Integer.parseInt(m.group(1)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
