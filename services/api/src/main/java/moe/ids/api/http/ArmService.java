package moe.ids.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Header;
import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import moe.ids.api.ApiConfig;
import moe.ids.api.store.Answer;
import moe.ids.api.store.Datasets;
import moe.ids.api.store.EntryStore;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * arm-server v2 compatibility: {@code GET /api/v2/ids?source=&id=&include=},
 * {@code POST /api/v2/ids} (an object or an array of 1–100 objects), {@code GET /api/v2/imdb|themoviedb|thetvdb?id=}
 * (arrays). Not found is 200 {@code null} (or {@code []}); validation errors are arm-server's
 * {@code FST_ERR_VALIDATION} shape. Relations are arm-server's kebab-case object built from our entries.
 */
public final class ArmService implements HttpService {
    /** Lookup sources → our mapping-key platform. */
    static final Map<String, String> SOURCES = Map.of("anilist", "anilist", "anidb", "anidb", "animecountdown",
            "simkl", "animenewsnetwork", "animenewsnetwork", "anisearch", "anisearch", "kitsu", "kitsu", "livechart",
            "livechart", "myanimelist", "myanimelist", "anime-planet", "animeplanet");
    /** Relation keys, in arm-server's order. */
    static final List<String> RELATION_KEYS = List.of("anidb", "anilist", "animecountdown", "animenewsnetwork",
            "anime-planet", "anisearch", "imdb", "kitsu", "livechart", "myanimelist", "media", "simkl", "themoviedb",
            "themoviedb-season", "thetvdb", "thetvdb-season");
    private static final Pattern INCLUDE = Pattern.compile("^[\\-a-z,]+$");
    /** ECMAScript StrDecimalLiteral; possessive, so that a long non-number fails in linear time (no backtracking). */
    private static final Pattern JS_DECIMAL = Pattern.compile(
            "[+-]?+(?:Infinity|(?:[0-9]++(?:\\.[0-9]*+)?+|\\.[0-9]++)(?:[eE][+-]?+[0-9]++)?+)");
    /** ECMAScript NonDecimalIntegerLiteral (unsigned). */
    private static final Pattern JS_RADIX = Pattern.compile("0(?:[xX][0-9a-fA-F]++|[oO][0-7]++|[bB][01]++)");
    private static final int MAX_ITEMS = 100;
    private static final long MAX_ID = 50_000_000L;

    private final EntryStore store;
    private final Datasets datasets;
    private final Header cache = Responses.cacheFor(21_600);
    private final int maxBody;

    /**
     * @param store    entries
     * @param datasets one-to-many indexes
     * @param cfg      settings
     */
    public ArmService(EntryStore store, Datasets datasets, ApiConfig cfg) {
        this.store = store;
        this.datasets = datasets;
        this.maxBody = cfg.maxBodyBytes();
    }

    @Override
    public void routing(HttpRules rules) {
        var get = Method.predicate(Method.GET, Method.HEAD);
        rules.route(get, PathMatchers.create("/api/v2/ids"), this::ids)
                .route(Method.predicate(Method.POST), PathMatchers.create("/api/v2/ids"), this::idsBatch)
                .route(get, PathMatchers.create("/api/v2/imdb"), this::imdb)
                .route(get, PathMatchers.create("/api/v2/themoviedb"), (q, r) -> numeric(q, r, "themoviedb"))
                .route(get, PathMatchers.create("/api/v2/thetvdb"), (q, r) -> numeric(q, r, "thetvdb"));
    }

    private void ids(ServerRequest req, ServerResponse res) {
        Map<String, String> q = RedirectService.query(req.query().rawValue());
        Set<String> include = include(q.get("include"));
        String key = idsKey(q);
        Answer a = store.find(key);
        res.header(cache);
        Responses.json(res, Status.OK_200, a.found() ? relation(CanonicalJson.parse(a.json()), include) : null);
    }

    /**
     * @param q parameters of {@code GET /api/v2/ids} ({@code source}, {@code id})
     * @return the mapping key asked for
     * @throws ApiException.ArmValidation when the source or the ID is invalid
     */
    static String idsKey(Map<String, String> q) {
        Map<String, List<String>> problems = new LinkedHashMap<>();
        String source = q.get("source");
        String key = null;
        if (source == null || !SOURCES.containsKey(source)) {
            problems.put("source", List.of("Invalid source: expected one of " + String.join(", ",
                    new java.util.TreeSet<>(SOURCES.keySet()))));
        } else {
            try {
                key = mappingKey(source, q.get("id"));
            } catch (IllegalArgumentException ex) {
                problems.put("id", List.of(ex.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException.ArmValidation(List.of(), problems);
        }
        return key;
    }

    private void idsBatch(ServerRequest req, ServerResponse res) {
        Set<String> include = include(RedirectService.query(req.query().rawValue()).get("include"));
        IdsBody body = idsBody(EntryService.readBody(req, maxBody));
        List<Answer> answers = store.findAll(body.keys());
        List<Object> out = new ArrayList<>(answers.size());
        for (Answer a : answers) {
            out.add(a.found() ? relation(CanonicalJson.parse(a.json()), include) : null);
        }
        Responses.json(res, Status.OK_200, body.single() ? out.getFirst() : out);
    }

    /**
     * The body of {@code POST /api/v2/ids}, read.
     *
     * @param single the body was one object (the answer is one relation, not an array)
     * @param keys   the mapping key of each item, in order
     */
    record IdsBody(boolean single, List<String> keys) {
    }

    /**
     * Reads the body of {@code POST /api/v2/ids}: an object, or an array of 1–100 objects, each naming one known
     * source (its first key is looked up).
     *
     * @param bytes the request body
     * @return the keys asked for
     * @throws ApiException.ArmValidation when the body is not valid JSON of that shape, or an item is invalid
     * @throws ApiException.Invalid       when the body cannot be read
     */
    static IdsBody idsBody(byte[] bytes) {
        JsonNode body;
        try {
            body = Responses.JSON.readTree(bytes);
        } catch (JsonProcessingException ex) {
            throw new ApiException.ArmValidation(List.of("Body must be valid JSON"), Map.of());
        } catch (IOException ex) {
            throw new ApiException.Invalid("Invalid request", "Could not read the request body");
        }
        if (body == null || !(body.isObject() || body.isArray())) {
            throw new ApiException.ArmValidation(List.of("Body must be an object or an array of objects"), Map.of());
        }
        boolean single = body.isObject();
        List<JsonNode> items = new ArrayList<>();
        if (single) {
            items.add(body);
        } else {
            body.forEach(items::add);
            if (items.isEmpty() || items.size() > MAX_ITEMS) {
                throw new ApiException.ArmValidation(List.of("Array must contain between 1 and " + MAX_ITEMS
                        + " items"), Map.of());
            }
        }
        List<String> keys = new ArrayList<>();
        Map<String, List<String>> problems = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String where = single ? "root" : Integer.toString(i);
            if (!item.isObject() || item.isEmpty()) {
                problems.put(where, List.of("At least one ID must be provided"));
                keys.add(null);
                continue;
            }
            List<String> bad = new ArrayList<>();
            item.fieldNames().forEachRemaining(f -> {
                if (!SOURCES.containsKey(f)) {
                    bad.add("Unknown key: " + f);
                }
            });
            var firstField = item.properties().iterator().next();
            String key = null;
            if (bad.isEmpty()) {
                JsonNode v = firstField.getValue();
                try {
                    key = mappingKey(firstField.getKey(), v.isValueNode() && !v.isNull() ? v.asText() : null);
                } catch (IllegalArgumentException ex) {
                    bad.add(firstField.getKey() + ": " + ex.getMessage());
                }
            }
            if (!bad.isEmpty()) {
                problems.put(where, bad);
            }
            keys.add(key);
        }
        if (!problems.isEmpty()) {
            List<String> root = problems.remove("root");
            throw new ApiException.ArmValidation(root == null ? List.of() : root, problems);
        }
        return new IdsBody(single, keys);
    }

    private void imdb(ServerRequest req, ServerResponse res) {
        Map<String, String> q = RedirectService.query(req.query().rawValue());
        Set<String> include = include(q.get("include"));
        String id = q.get("id");
        if (id == null || !id.startsWith("tt") || id.length() < 3 || id.length() > 50) {
            throw new ApiException.ArmValidation(List.of(), Map.of("id", List.of(
                    "Invalid IMDB ID: must start with tt and be 3 to 50 characters long")));
        }
        respondMany(res, datasets.byImdb(id), include);
    }

    private void numeric(ServerRequest req, ServerResponse res, String which) {
        Map<String, String> q = RedirectService.query(req.query().rawValue());
        Set<String> include = include(q.get("include"));
        int id;
        try {
            id = (int) number(q.get("id"));
        } catch (IllegalArgumentException ex) {
            throw new ApiException.ArmValidation(List.of(), Map.of("id", List.of(ex.getMessage())));
        }
        respondMany(res, which.equals("thetvdb") ? datasets.byThetvdb(id) : datasets.byThemoviedb(id), include);
    }

    private void respondMany(ServerResponse res, List<AnimeEntry> entries, Set<String> include) {
        List<Object> out = new ArrayList<>(entries.size());
        entries.forEach(e -> out.add(relation(e, include)));
        res.header(cache);
        Responses.json(res, Status.OK_200, out);
    }

    /**
     * @param source an arm-server lookup source
     * @param id     the ID as given
     * @return our mapping key
     * @throws IllegalArgumentException with arm-server's message when the ID is invalid
     */
    static String mappingKey(String source, String id) {
        String platform = SOURCES.get(source);
        if (source.equals("anime-planet")) {
            if (id == null || id.isEmpty() || id.length() > 150) {
                throw new IllegalArgumentException("Invalid length: expected 1 to 150 characters");
            }
            return platform + "/" + LookupKeys.checked(id);
        }
        return platform + "/" + number(id);
    }

    /**
     * JavaScript {@code Number()} semantics (a StringNumericLiteral after trimming: decimal with optional sign,
     * fraction and exponent, {@code Infinity}, or unsigned {@code 0x}/{@code 0o}/{@code 0b} integers — not Java's
     * extras such as {@code 1d}, {@code 1f} or {@code 0x+10}), then integer in 1…50,000,000.
     *
     * @param raw text
     * @return the number
     * @throws IllegalArgumentException with a message
     */
    static long number(String raw) {
        String s = raw == null ? "" : jsTrim(raw);
        if (s.isEmpty()) {
            throw new IllegalArgumentException("Invalid type: expected a number");
        }
        double d;
        if (JS_DECIMAL.matcher(s).matches()) {
            d = Double.parseDouble(s); // the grammar is a subset of Java's, Infinity included
        } else if (JS_RADIX.matcher(s).matches()) {
            int radix = switch (Character.toLowerCase(s.charAt(1))) {
                case 'x' -> 16;
                case 'o' -> 8;
                default -> 2;
            };
            String digits = s.substring(2).replaceFirst("^0++", "");
            // 32 significant digits exceed 50,000,000 in every radix: no need to convert a huge one
            d = digits.isEmpty() ? 0 : digits.length() > 32 ? Double.POSITIVE_INFINITY
                    : new java.math.BigInteger(digits, radix).doubleValue();
        } else {
            throw new IllegalArgumentException("Invalid type: expected a number");
        }
        if (Double.isNaN(d) || d != Math.rint(d)) {
            throw new IllegalArgumentException("Invalid integer");
        }
        if (d < 1) {
            throw new IllegalArgumentException("Invalid value: expected >=1");
        }
        if (d > MAX_ID) {
            throw new IllegalArgumentException("Invalid value: expected <=" + MAX_ID);
        }
        return (long) d;
    }

    /** JavaScript's {@code String.prototype.trim}: ECMAScript WhiteSpace and LineTerminator code points. */
    private static String jsTrim(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && jsSpace(s.charAt(from))) {
            from++;
        }
        while (to > from && jsSpace(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean jsSpace(char c) {
        return c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r' || c == '\u2028' || c == '\u2029'
                || c == '\uFEFF' || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    /**
     * @param raw the {@code include} parameter, or null
     * @return relation keys to keep (empty = all)
     */
    static Set<String> include(String raw) {
        if (raw == null) {
            return Set.of();
        }
        if (!INCLUDE.matcher(raw).matches()) {
            throw new ApiException.ArmValidation(List.of(), Map.of("include", List.of("Invalid format: expected "
                    + "comma-separated lower-case source names")));
        }
        Set<String> keys = new LinkedHashSet<>();
        for (String s : raw.split(",")) {
            if (!s.isEmpty()) {
                keys.add(s);
            }
        }
        if (keys.isEmpty() || keys.size() > RELATION_KEYS.size()) {
            throw new ApiException.ArmValidation(List.of(), Map.of("include", List.of("Invalid length: expected 1 "
                    + "to " + RELATION_KEYS.size() + " sources")));
        }
        keys.retainAll(RELATION_KEYS);
        return keys.isEmpty() ? Set.of("\0none") : keys; // every name unknown: an empty object, like arm-server
    }

    /**
     * @param e       entry
     * @param include keys to keep (empty = all)
     * @return arm-server's relation object
     */
    static Map<String, Object> relation(AnimeEntry e, Set<String> include) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (String k : RELATION_KEYS) {
            if (!include.isEmpty() && !include.contains(k)) {
                continue;
            }
            r.put(k, switch (k) {
                case "animecountdown", "simkl" -> e.simkl();
                case "anime-planet" -> e.animeplanet();
                case "themoviedb" -> e.themoviedbTv() != null ? e.themoviedbTv() : e.themoviedb();
                case "media", "themoviedb-season", "thetvdb-season" -> null;
                default -> e.get(k);
            });
        }
        return r;
    }
}
