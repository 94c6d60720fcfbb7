package moe.ids.merger.merge;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a title says, split into the facts the matcher compares: the folded title, the name left when the type
 * markers, sequel numbers and year are taken out, and those facts themselves.
 *
 * @param raw     case- and width-folded title, punctuation and symbols kept, blanks collapsed
 * @param name    the name: diacritics and punctuation removed, words joined without blanks, markers, numbers and
 *                the year taken out ("" when nothing is left)
 * @param core    the name with long vowels written once ({@code ou}, {@code oo}, {@code uu}), for names that
 *                differ only by romanization
 * @param kinds    the types the title names (TV, OVA, movie, …); empty when none
 * @param labelled the types the site's format or the anime's type names, used where the title names none
 * @param numbers sequel, season and part numbers in order, the implicit 1 left out ({@code II}, {@code 2nd},
 *                {@code Second Season}, {@code S2}, {@code 02} are all 2)
 * @param movie   the N of "Movie N", or null
 * @param year    a parenthesised year in the title or the anime's season year, or null
 * @param marks   the symbols of the title in order, ordinary punctuation left out ({@code !!}, {@code ∬},
 *                {@code *}, {@code ××}): titles whose names are equal but whose marks differ are often sequels
 */
public record TitleKey(String raw, String name, String core, Set<Kind> kinds, Set<Kind> labelled,
                       List<Integer> numbers, Integer movie, Integer year, String marks) {

    /** Types a title or a site's format can name; each is compatible with a few others. */
    public enum Kind {
        /** TV series (Nautiljon's Série). */
        TV,
        /** Web series. */
        ONA,
        /** OVA, OAV or OAD. */
        OVA,
        /** Specials, TV specials, bonus episodes. */
        SPECIAL,
        /** Films. */
        MOVIE,
        /** Recap episodes or films. */
        RECAP,
        /** Promotional videos and commercials (PV, CM). */
        PROMO,
        /** Music videos. */
        MUSIC;

        /**
         * @param format a site's format label (Nautiljon: Série, Film, OAV, Spécial, …) or an anime's type (TV,
         *               MOVIE, OVA, ONA, SPECIAL, MUSIC); null or unknown labels give nothing
         * @return the kinds it names
         */
        public static Set<Kind> ofLabel(String format) {
            if (format == null) {
                return Set.of();
            }
            return switch (format.strip().toLowerCase(Locale.ROOT)) {
                case "série", "serie", "tv" -> Set.of(TV);
                case "ona" -> Set.of(ONA);
                case "film", "movie" -> Set.of(MOVIE);
                case "oav", "ova" -> Set.of(OVA);
                case "spécial", "special", "bonus" -> Set.of(SPECIAL);
                case "publicité", "publicite" -> Set.of(PROMO);
                case "musique", "music" -> Set.of(MUSIC);
                default -> Set.of();
            };
        }

        /** Kinds that an unmarked title on the other side does not stand for: they must be named on both. */
        static final Set<Kind> NAMED_ONLY = EnumSet.of(RECAP, PROMO, MUSIC);

        boolean compatible(Kind other) {
            return this == other || switch (this) {
                case TV -> other == ONA;
                case ONA -> other == TV || other == OVA || other == SPECIAL;
                case OVA -> other == ONA || other == SPECIAL;
                case SPECIAL -> other == OVA || other == ONA || other == RECAP || other == MUSIC;
                case MOVIE -> false;
                case RECAP -> other == SPECIAL;
                case PROMO -> other == MUSIC;
                case MUSIC -> other == PROMO || other == SPECIAL;
            };
        }
    }

    /** Why two titles with related names cannot be the same anime. */
    public enum Veto {
        /** Incompatible types (TV against OVA, a PV against a series). */
        TYPE,
        /** Different sequel, season or movie numbers. */
        SEASON,
        /** Different years. */
        YEAR
    }

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern INVISIBLE = Pattern.compile("[\\u00ad\\u200b-\\u200f\\u2060\\ufeff]");
    private static final Pattern APOSTROPHES = Pattern.compile("['’`´]");
    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}]+");
    /** Ordinary punctuation, not counted among a title's marks. */
    private static final String PUNCTUATION = ".,:;-–—_'\"’`´()[]/?~";
    private static final Pattern BLANKS = Pattern.compile("\\s+");
    /** Years apart within which a sequel may be named by its own year. */
    private static final int SEQUEL_YEARS = 5;
    private static final Pattern YEAR = Pattern.compile("\\((19\\d\\d|20\\d\\d)\\)");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,4}");
    private static final Pattern ORDINAL = Pattern.compile("(\\d{1,3})(?:st|nd|rd|th)");
    private static final Pattern S_NUMBER = Pattern.compile("s(\\d{1,2})");
    /** Markers read at the end of a title (the name may end in a number: "OVA 2"). */
    private static final Map<String, Kind> MARKERS = Map.ofEntries(Map.entry("tv", Kind.TV),
            Map.entry("ona", Kind.ONA), Map.entry("ova", Kind.OVA), Map.entry("oav", Kind.OVA),
            Map.entry("oad", Kind.OVA), Map.entry("ovas", Kind.OVA), Map.entry("movie", Kind.MOVIE),
            Map.entry("movies", Kind.MOVIE), Map.entry("film", Kind.MOVIE), Map.entry("special", Kind.SPECIAL),
            Map.entry("specials", Kind.SPECIAL), Map.entry("recap", Kind.RECAP), Map.entry("recaps", Kind.RECAP),
            Map.entry("pv", Kind.PROMO), Map.entry("pvs", Kind.PROMO), Map.entry("cm", Kind.PROMO),
            Map.entry("cms", Kind.PROMO), Map.entry("mv", Kind.MUSIC));
    /** A marker in parentheses, anywhere: "Piano no Mori (TV) 2nd Season". */
    private static final Pattern BRACKETED_MARKER = Pattern.compile(
            "\\((tv|ona|ova|oav|oad|movie|film|specials?|recaps?|pv|cm)\\)");
    private static final Pattern BRACKETS = Pattern.compile("\\([^)]*\\)");
    private static final Pattern MARKER_WORDS = Pattern.compile(
            "(?<![\\p{L}\\p{N}])(tv|ona|ova|oav|oad|ovas|movies?|film|specials?|recaps?|pvs?|cms?|mv)"
                    + "(?![\\p{L}\\p{N}])");
    /**
     * The one spelling of each marker word in {@link #spelled()}: plural and singular, OVA and OAV are one word,
     * while words of one kind stay apart ("PVs" is "PV", not "CM").
     */
    private static final Map<String, String> MARKER_SPELLING = Map.ofEntries(Map.entry("ovas", "ova"),
            Map.entry("oav", "ova"), Map.entry("oad", "ova"), Map.entry("movies", "movie"), Map.entry("film", "movie"),
            Map.entry("specials", "special"), Map.entry("recaps", "recap"), Map.entry("pvs", "pv"),
            Map.entry("cms", "cm"));
    private static final Map<String, Integer> ROMAN = Map.of("ii", 2, "iii", 3, "iv", 4, "vi", 6, "vii", 7,
            "viii", 8, "ix", 9);
    private static final Map<String, Integer> ORDINAL_WORDS = Map.of("first", 1, "second", 2, "third", 3,
            "fourth", 4, "fifth", 5, "sixth", 6, "seventh", 7, "eighth", 8, "ninth", 9, "tenth", 10);
    /** Words that only say "the number beside me is a sequel number". */
    private static final Set<String> NUMBER_WORDS = Set.of("season", "saison", "cour");
    /** A number joined by a hyphen to the word after it belongs to the name ("5-toubun", "100-man"). */
    private static final Pattern JOINED_NUMBER = Pattern.compile("\\b(\\d{1,4})-(?=\\p{L})");
    /** A number before a Japanese counter belongs to the name, hyphen or not ("20 Seiki" is "20-seiki"). */
    private static final Pattern COUNTED = Pattern.compile("\\b(\\d{1,4}) (seiki|nen|nenme|kai|kaime|ban|banme|nin|"
            + "byou|fun|pun|gatsu|nichi|kagetsu|hiki|man|oku|sai|toubun|shuunen|jigen|ri|ji|dome|me)\\b");
    /** Japanese numerals written out before a hyphenated counter ("Go-Toubun" is "5-toubun"). */
    private static final Pattern JOINED_NUMERAL = Pattern.compile(
            "\\b(ichi|ni|san|yon|go|roku|nana|hachi|kyuu|juu)-(?=\\p{L})");
    /** The counters a Japanese numeral is written together with: a title without any has no fused numeral. */
    private static final List<String> FUSED_COUNTERS = List.of("toubun", "nenme", "kaime", "banme", "shuunen",
            "kagetsu", "seiki");
    /** Japanese numerals written together with a counter ("Gotoubun" is "5-toubun"). */
    private static final Pattern FUSED_NUMERAL = Pattern.compile("\\b(ichi|ni|san|yon|go|roku|nana|hachi|kyuu|juu)"
            + "(" + String.join("|", FUSED_COUNTERS) + ")\\b");
    private static final Map<String, String> NUMERALS = Map.of("ichi", "1", "ni", "2", "san", "3", "yon", "4",
            "go", "5", "roku", "6", "nana", "7", "hachi", "8", "kyuu", "9", "juu", "10");

    /**
     * @param title a title (null or blank gives an empty key)
     * @return its key, with no type or year besides what the title says
     */
    public static TitleKey of(String title) {
        return of(title, Set.of(), null);
    }

    /**
     * @param title     a title (null or blank gives an empty key)
     * @param kinds     types known besides the title (the site's format, the anime's type)
     * @param knownYear the anime's year when known, used when the title names none
     * @return its key
     */
    public static TitleKey of(String title, Set<Kind> kinds, Integer knownYear) {
        if (title == null || title.isBlank()) {
            return new TitleKey("", "", "", Set.of(), Set.of(), List.of(), null, null, "");
        }
        // Most titles are plain ASCII: the Unicode passes and the rarer rewrites run only where they can apply.
        boolean ascii = title.chars().allMatch(c -> c < 0x80);
        String folded = ascii ? title
                : INVISIBLE.matcher(Normalizer.normalize(title, Normalizer.Form.NFKC)).replaceAll("")
                        .replace("ω", " double "); // the small omega is read "double" ("Asobitai! ω")
        String raw = BLANKS.matcher(folded.toLowerCase(Locale.ROOT)).replaceAll(" ").strip();
        String plain = ascii ? raw : MARKS.matcher(Normalizer.normalize(raw, Normalizer.Form.NFKD)).replaceAll("");
        plain = APOSTROPHES.matcher(plain).replaceAll("").replace('×', 'x').replace("&", " to ");
        boolean hyphen = plain.indexOf('-') >= 0;
        boolean digit = plain.chars().anyMatch(Character::isDigit);
        if (hyphen) {
            plain = JOINED_NUMERAL.matcher(plain).replaceAll(m -> NUMERALS.get(m.group(1)));
        }
        if (mentionsCounter(plain)) {
            Matcher fused = FUSED_NUMERAL.matcher(plain);
            if (fused.find()) {
                plain = fused.replaceAll(m -> NUMERALS.get(m.group(1)) + m.group(2));
                digit = true;
            }
        }
        if (hyphen && digit) {
            plain = JOINED_NUMBER.matcher(plain).replaceAll("$1");
        }
        if (digit) {
            plain = COUNTED.matcher(plain).replaceAll("$1$2");
        }
        Integer year = null;
        boolean bracket = plain.indexOf('(') >= 0;
        Matcher y = YEAR.matcher(plain);
        if (bracket && y.find()) {
            year = Integer.valueOf(y.group(1));
            plain = plain.substring(0, y.start()) + " " + plain.substring(y.end());
        }
        EnumSet<Kind> found = EnumSet.noneOf(Kind.class);
        EnumSet<Kind> bracketed = EnumSet.noneOf(Kind.class);
        if (bracket) {
            Matcher marker = BRACKETED_MARKER.matcher(plain);
            while (marker.find()) {
                bracketed.add(MARKERS.get(marker.group(1)));
            }
            plain = marker.replaceAll(" ");
        }
        List<String> tokens = new ArrayList<>();
        Matcher t = TOKEN.matcher(plain);
        while (t.find()) {
            tokens.add(t.group());
        }
        Integer movie = null;
        // "Movie N" anywhere; "Gekijouban" first.
        for (int i = 0; i + 1 < tokens.size(); i++) {
            if (tokens.get(i).equals("movie") && number(tokens.get(i + 1)) != null) {
                movie = number(tokens.get(i + 1));
                found.add(Kind.MOVIE);
                tokens.remove(i + 1);
                tokens.remove(i);
                break;
            }
        }
        if (!tokens.isEmpty() && (tokens.getFirst().equals("gekijouban") || tokens.getFirst().equals("eiga"))) {
            found.add(Kind.MOVIE);
            tokens.removeFirst();
        } else if (tokens.size() > 1 && tokens.get(0).equals("gekijou") && tokens.get(1).equals("ban")) {
            found.add(Kind.MOVIE);
            tokens.subList(0, 2).clear();
        }
        // "X Movie: Subtitle": the word says the kind wherever it stands ("Movie" at the end is read below).
        for (int i = 1; i + 1 < tokens.size(); i++) {
            if (tokens.get(i).equals("movie")) {
                found.add(Kind.MOVIE);
                tokens.remove(i);
                if (tokens.get(i - 1).equals("the")) {
                    tokens.remove(i - 1);
                }
                break;
            }
        }
        // Markers at the end, numbers between them skipped ("OVA 2", "Specials").
        for (int i = tokens.size() - 1; i > 0; i--) {
            String tok = tokens.get(i);
            Kind k = MARKERS.get(tok);
            if (k != null) {
                found.add(k);
                tokens.remove(i);
                if (k == Kind.MOVIE && i > 0 && tokens.get(i - 1).equals("the")) {
                    tokens.remove(i - 1);
                    i--;
                }
            } else if (number(tok) == null) {
                break;
            }
        }
        // A number that opens the title names it ("91 Days", "180 Byou de …"), as a hyphen would ("180-byou").
        if (tokens.size() > 1 && DIGITS.matcher(tokens.get(0)).matches() && number(tokens.get(1)) == null
                && !NUMBER_WORDS.contains(tokens.get(1))) {
            tokens.set(1, Integer.parseInt(tokens.get(0)) + tokens.get(1));
            tokens.removeFirst();
        }
        if (found.isEmpty()) {
            // "Days (TV) OVA" is an OVA of the TV series: a bracketed marker counts only when none follows.
            found.addAll(bracketed);
        }
        List<Integer> numbers = new ArrayList<>();
        List<String> name = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            String tok = tokens.get(i);
            Integer n = number(tok);
            String next = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
            if (n == null && ORDINAL_WORDS.containsKey(tok) && NUMBER_WORDS.contains(next)) {
                n = ORDINAL_WORDS.get(tok);
            }
            if (n == null && NUMBER_WORDS.contains(tok) && number(next) != null) {
                continue; // "Season 2": the number follows
            }
            if (n == null) {
                name.add(tok.equals("oav") || tok.equals("oad") ? "ova" : tok);
                continue;
            }
            if (NUMBER_WORDS.contains(next)) {
                i++; // "2nd Season": the word is said by the number
            }
            if (n != 1) {
                numbers.add(n);
            }
        }
        if (year == null) {
            year = knownYear;
        }
        String joined = String.join("", name);
        String core = joined.replace("ou", "o").replace("oo", "o").replace("uu", "u");
        StringBuilder marks = new StringBuilder();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (!Character.isLetterOrDigit(c) && !Character.isWhitespace(c) && PUNCTUATION.indexOf(c) < 0) {
                marks.append(c);
            }
        }
        return new TitleKey(raw, joined, core, Set.copyOf(found), Set.copyOf(kinds), List.copyOf(numbers), movie, year,
                marks.toString());
    }

    /** Whether a counter of {@link #FUSED_NUMERAL} occurs: most titles have none, and skip that matcher. */
    private static boolean mentionsCounter(String plain) {
        for (String counter : FUSED_COUNTERS) {
            if (plain.contains(counter)) {
                return true;
            }
        }
        return false;
    }

    /** A sequel number written as digits (leading zeros dropped), an ordinal, {@code S2} or a Roman numeral. */
    private static Integer number(String tok) {
        // Asked of every word of every title, most of them no number: only a word opening with an ASCII digit can
        // be digits or an ordinal, only one opening with "s" an S-number, so the others skip those matchers.
        char first = tok.isEmpty() ? ' ' : tok.charAt(0);
        if (first >= '0' && first <= '9') {
            if (DIGITS.matcher(tok).matches()) {
                return Integer.valueOf(tok);
            }
            Matcher m = ORDINAL.matcher(tok);
            if (m.matches()) {
                return Integer.valueOf(m.group(1));
            }
        } else if (first == 's') {
            Matcher m = S_NUMBER.matcher(tok);
            if (m.matches()) {
                return Integer.valueOf(m.group(1));
            }
        }
        return ROMAN.get(tok);
    }

    /**
     * @return the folded title without its parenthesised parts, each type marker written one way ("PVs" as "pv",
     *         "OAV" as "ova") and moved to the end: how it is spelled, apart from the facts compared on their own
     */
    public String spelled() {
        String s = raw.indexOf('(') >= 0 ? BRACKETS.matcher(raw).replaceAll(" ") : raw;
        StringBuilder markers = new StringBuilder();
        s = MARKER_WORDS.matcher(s).replaceAll(m -> {
            markers.append(' ').append(MARKER_SPELLING.getOrDefault(m.group(1), m.group(1)));
            return " ";
        });
        return BLANKS.matcher(s + markers).replaceAll(" ").strip();
    }

    /**
     * @param season a season number, 2 or more
     * @return this title as the name of that season ("Phi Brain: Kami no Puzzle" → "… 2"), for a sequel whose own
     *         title names it otherwise
     */
    public TitleKey asSeason(int season) {
        return new TitleKey(raw + " " + season, name, core, kinds, labelled, List.of(season), movie, year, marks);
    }

    /**
     * @return true when the title had nothing to compare ({@code ""} core and no numbers)
     */
    public boolean isEmpty() {
        return raw.isEmpty();
    }

    /**
     * @return the name and every fact the title states in one string: two titles with equal normalized keys say the
     *         same thing
     */
    public String normalized() {
        return name + '|' + kinds.stream().map(Enum::name).sorted().toList() + numbers + '|' + movie + '|' + year;
    }

    /**
     * @param other the other title's key
     * @return why the two cannot name the same anime, or null when nothing forbids it
     */
    public Veto veto(TitleKey other) {
        boolean laterSeason = laterSeasonOf(other) || other.laterSeasonOf(this);
        if (year != null && other.year != null && !year.equals(other.year) && !laterSeason) {
            return Veto.YEAR;
        }
        if (!numbersAgree(other) && !laterSeason) {
            return Veto.SEASON;
        }
        Set<Kind> mine = allKinds();
        Set<Kind> theirs = other.allKinds();
        if (!kindsAgree(mine, kinds.isEmpty(), theirs) || !kindsAgree(theirs, other.kinds.isEmpty(), mine)) {
            return Veto.TYPE;
        }
        return null;
    }

    /**
     * @param other the other title's key
     * @return true when both name the same kind (a Série item and an anime titled "… (TV)")
     */
    public boolean sameKindNamed(TitleKey other) {
        Set<Kind> theirs = other.allKinds();
        return allKinds().stream().anyMatch(theirs::contains);
    }

    /**
     * @return the kinds the title names, or, when it names none, the kinds its format or type names (a site files
     *         a title ending in "Special" under Série: the title is the finer word)
     */
    public Set<Kind> allKinds() {
        return kinds.isEmpty() ? labelled : kinds;
    }

    /**
     * A year on a sequel's title is the year of the series it continues ("Urusei Yatsura (2022) 2nd Season"); a site
     * may name that season by its own, later year instead ("Urusei Yatsura (2024)").
     *
     * @return true when this title names a year and no number, and the other title an earlier year (at most
     *         {@value #SEQUEL_YEARS} before) and a sequel number; a year known besides the title is the anime's own
     *         and does not count
     */
    private boolean laterSeasonOf(TitleKey other) {
        return year != null && other.year != null && year > other.year && year - other.year <= SEQUEL_YEARS
                && numbers.isEmpty() && movie == null && !other.numbers.isEmpty() && other.movie == null
                && raw.contains("(" + year + ")") && other.raw.contains("(" + other.year + ")");
    }

    private boolean numbersAgree(TitleKey other) {
        if (movie != null && other.movie != null) {
            return movie.equals(other.movie) && numbers.equals(other.numbers);
        }
        if (numbers.equals(other.numbers)) {
            return true;
        }
        // "Movie 2: X" on one side may be "2: X" on the other.
        TitleKey withMovie = movie != null ? this : other.movie != null ? other : null;
        if (withMovie == null || withMovie.movie == 1) {
            return false;
        }
        TitleKey plain = withMovie == this ? other : this;
        List<Integer> rest = new ArrayList<>(plain.numbers);
        return rest.remove(withMovie.movie) && rest.equals(withMovie.numbers);
    }

    /**
     * Every kind named on one side has a compatible kind on the other; a named-only kind the title names needs one
     * named on the other side. One that only the format gives does not: a site files a commercial under
     * "Publicité" whatever its title, while the anime-offline-database titles most commercials like any other
     * anime ("Yu-Gi-Oh! Card Game: The Chronicles"), so only a kind the other side states vetoes it.
     */
    private static boolean kindsAgree(Set<Kind> mine, boolean labelledOnly, Set<Kind> theirs) {
        for (Kind k : mine) {
            if (theirs.isEmpty() ? !labelledOnly && Kind.NAMED_ONLY.contains(k)
                    : theirs.stream().noneMatch(k::compatible)) {
                return false;
            }
        }
        return true;
    }
}
