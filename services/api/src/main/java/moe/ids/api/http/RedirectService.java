package moe.ids.api.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import moe.ids.api.store.Answer;
import moe.ids.api.store.EntryStore;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.core.platform.IdType;
import moe.ids.core.platform.Platform;
import moe.ids.core.platform.Platforms;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET|HEAD /redirect} and {@code /rd}: parameters {@code platform|from|f}, {@code mediaid|id|i},
 * {@code target|to|t}, {@code raw|israw|r}. Looks the source ID up, then answers 302 to the target's page (the
 * source's own page when no target is given), or the URL as {@code text/plain} in raw mode. URLs are built only
 * from the registry's templates and the looked-up entry's values (integers in plain notation, strings
 * percent-encoded), so no request text reaches the host or a header line.
 */
public final class RedirectService implements HttpService {
    private static final Set<String> FALSE = Set.of("false", "0", "no", "off");

    private final EntryStore store;

    /**
     * @param store entries
     */
    public RedirectService(EntryStore store) {
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        var get = Method.predicate(Method.GET, Method.HEAD);
        rules.route(get, PathMatchers.create("/redirect"), this::redirect)
                .route(get, PathMatchers.create("/rd"), this::redirect);
    }

    private void redirect(ServerRequest req, ServerResponse res) {
        Request r = parse(req.query().rawValue());
        Platform source = r.source();
        Platform target = r.target();
        LookupKeys.Key key = r.key();
        String id = r.id();
        boolean raw = r.raw();
        Answer a = key.impossible() ? null : store.find(key.mappingKey());
        if (a == null || !a.found()) {
            throw new ApiException.Missing("Platform " + source.name() + " with ID " + id + " not found");
        }
        AnimeEntry e = CanonicalJson.parse(a.json());
        String url = url(target, e, source == target ? key.mappingKey() : null);
        if (url == null) {
            throw new ApiException.Missing(e.title() + " does not exist on " + target.name() + " using "
                    + source.name() + " with ID " + id);
        }
        res.header(Responses.NO_STORE);
        if (raw) {
            Responses.text(res, url);
            return;
        }
        res.header(HeaderNames.LOCATION, url);
        res.status(Status.FOUND_302);
        res.send();
    }

    /**
     * A parsed redirect request.
     *
     * @param source the platform the ID is on
     * @param target the platform whose page is asked for
     * @param key    the source ID's key
     * @param id     the source ID as given (decoded)
     * @param raw    answer the URL as text instead of a 302
     */
    record Request(Platform source, Platform target, LookupKeys.Key key, String id, boolean raw) {
    }

    /**
     * Reads the parameters of a redirect without I/O.
     *
     * @param rawQuery raw query string, may be null or empty
     * @return the request
     * @throws ApiException.Invalid for missing or malformed parameters (400)
     * @throws ApiException.Missing for an unknown source platform (404)
     */
    static Request parse(String rawQuery) {
        Map<String, String> q = query(rawQuery);
        String platformName = first(q, "platform", "from", "f");
        String id = first(q, "mediaid", "id", "i");
        String targetName = first(q, "target", "to", "t");
        String rawFlag = q.containsKey("raw") ? q.get("raw") : q.containsKey("israw") ? q.get("israw") : q.get("r");
        boolean raw = rawFlag != null && !FALSE.contains(rawFlag.toLowerCase(Locale.ROOT));
        if (platformName == null) {
            throw new ApiException.Invalid("Invalid platform", "Platform not found, please specify platform by "
                    + "adding `platform` parameter.");
        }
        if (id == null) {
            throw new ApiException.Invalid("Invalid platform ID", "Platform ID not found, please specify platform "
                    + "ID by adding `mediaid` parameter");
        }
        id = LookupKeys.checked(id);
        Platform source = LookupKeys.platform(platformName).orElse(null);
        if (source == null) {
            throw new ApiException.Missing("Platform " + platformName.toLowerCase(Locale.ROOT) + " with ID " + id
                    + " not found");
        }
        if (source.redirectOnly()) {
            throw new ApiException.Invalid("Invalid platform source", "Platform `" + source.name()
                    + "` is not supported as redirect source (one-way)");
        }
        Platform target = LookupKeys.pagePlatform(source); // never a template-less companion (kaize_id)
        if (targetName != null) {
            target = Platforms.find(targetName).orElseThrow(() -> new ApiException.Invalid("Invalid target",
                    "Target " + targetName.toLowerCase(Locale.ROOT) + " not found"));
        }
        List<String> parts = List.of(id.split("/", -1));
        LookupKeys.Key key = switch (source.name()) {
            case "trakt" -> LookupKeys.trakt(parts);
            case "themoviedb" -> LookupKeys.themoviedb(parts);
            default -> LookupKeys.plain(source, id);
        };
        return new Request(source, target, key, id, raw);
    }

    /**
     * @param target     target platform
     * @param e          the entry the source ID resolved to
     * @param traktAsked for trakt→trakt, the mapping key asked (keeps the season the caller named, or none)
     * @return the page URL, or null when the entry has no ID on the target
     */
    static String url(Platform target, AnimeEntry e, String traktAsked) {
        if (target.name().equals("trakt")) {
            if (e.trakt() == null || e.traktType() == null) {
                return null;
            }
            Integer season = e.traktSeason();
            if (traktAsked != null && !traktAsked.contains("/seasons/")) {
                season = null;
            }
            return Platforms.traktUrl(e.traktType(), e.trakt(), "shows".equals(e.traktType()) ? season : null);
        }
        String field = target.builtFrom().orElse(target.name());
        Object v = e.get(field);
        if (v == null) {
            return null;
        }
        return target.idType() == IdType.INT && v instanceof Integer n ? target.pageUrl(n.longValue())
                : target.pageUrl(v.toString());
    }

    /**
     * Parses a raw query string: names and values percent-decoded once, {@code +} kept.
     *
     * @param raw raw query, may be empty
     * @return the first value per name, stripped, empty when given empty (as Go's {@code Query().Get}: the readers
     *         treat an empty value as absent, except the raw flags and arm-server's {@code include})
     */
    static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                name = LookupKeys.decode(name).toLowerCase(Locale.ROOT);
                value = value.isEmpty() ? "" : LookupKeys.decode(value);
            } catch (ApiException.Invalid ex) {
                if (name.isEmpty()) {
                    continue;
                }
                throw ex;
            }
            out.putIfAbsent(name, value.strip()); // the first value, empty or not (readers skip empty ones)
        }
        return out;
    }

    private static String first(Map<String, String> q, String... names) {
        for (String n : names) {
            String v = q.get(n);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }
}
