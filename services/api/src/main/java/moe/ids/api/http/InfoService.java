package moe.ids.api.http;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import moe.ids.api.ApiConfig;
import moe.ids.api.store.EntryStore;
import moe.ids.core.error.UnavailableException;
import moe.ids.core.platform.Platform;
import moe.ids.core.platform.Platforms;
import moe.ids.store.Meta;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The service routes: {@code /} (landing page), {@code /status}, {@code /heartbeat} and {@code /ping},
 * {@code /updated}, {@code /schema} ({@code .json}), {@code /openapi} ({@code .json}), {@code /robots.txt}.
 */
public final class InfoService implements HttpService {
    private static final DateTimeFormatter UPDATED = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss 'UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final byte[] ROBOTS = "User-agent: *\nDisallow:".getBytes(StandardCharsets.US_ASCII);

    private final EntryStore store;
    private final ApiConfig cfg;
    private final byte[] schema;
    private final byte[] openapi;
    private final Header shortCache;
    private final Header longCache;

    /**
     * @param store entries and meta
     * @param cfg   settings
     */
    public InfoService(EntryStore store, ApiConfig cfg) {
        this.store = store;
        this.cfg = cfg;
        this.schema = resource("schema.json");
        this.openapi = resource("openapi.json");
        this.shortCache = Responses.cacheFor(Math.min(60, cfg.maxAge()));
        this.longCache = Responses.cacheFor(86_400);
    }

    @Override
    public void routing(HttpRules rules) {
        get(rules, "/", this::landing);
        get(rules, "/status", this::status);
        get(rules, "/heartbeat", this::heartbeat);
        get(rules, "/ping", this::heartbeat);
        get(rules, "/updated", this::updated);
        get(rules, "/schema", (req, res) -> staticJson(res, schema));
        get(rules, "/schema.json", (req, res) -> staticJson(res, schema));
        get(rules, "/openapi", (req, res) -> staticJson(res, openapi));
        get(rules, "/openapi.json", (req, res) -> staticJson(res, openapi));
        get(rules, "/robots.txt", this::robots);
    }

    private static void get(HttpRules rules, String path, Handler h) {
        rules.route(Method.predicate(Method.GET, Method.HEAD), PathMatchers.create(path), h);
    }

    private void robots(ServerRequest req, ServerResponse res) {
        res.header(longCache);
        res.header(Responses.CONTENT_TEXT);
        Responses.send(res, ROBOTS);
    }

    private void staticJson(ServerResponse res, byte[] body) {
        res.header(longCache);
        Responses.json(res, Status.OK_200, body);
    }

    private void status(ServerRequest req, ServerResponse res) {
        Meta m = store.meta();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("updated", updated(m));
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Platform p : Platforms.lookupPlatforms()) {
            counts.put(p.name(), m.counts().getOrDefault(p.name(), 0L));
        }
        counts.put("total", m.total());
        out.put("counts", counts);
        Map<String, Object> sources = new LinkedHashMap<>();
        m.sources().forEach((name, s) -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("updated", s.updated());
            o.put("records", s.records());
            o.put("result", s.result());
            sources.put(name, o);
        });
        out.put("sources", sources);
        out.put("version", m.version());
        out.put("applied_at", m.appliedAt() == null ? null : m.appliedAt().toString());
        out.put("license", cfg.license());
        out.put("repository", cfg.repository());
        String etag = "\"s" + m.version() + "-g" + m.generation() + "\""; // a resync may keep the version
        res.header(shortCache);
        res.header(HeaderNames.ETAG, etag);
        if (!Responses.notModified(req, res, etag)) {
            Responses.json(res, Status.OK_200, out);
        }
    }

    private static Map<String, Object> updated(Meta m) {
        Instant at = freshness(m);
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("timestamp", at == null ? null : at.getEpochSecond());
        u.put("iso", at == null ? null : at.toString());
        return u;
    }

    /**
     * @param m meta
     * @return when the served data was produced (the change set's creation, else its application)
     */
    static Instant freshness(Meta m) {
        return m.createdAt() != null ? m.createdAt() : m.appliedAt();
    }

    private void heartbeat(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        long epoch = Instant.now().getEpochSecond();
        store.findAll(List.of("myanimelist/1")); // meta and both tiers through the lookup script; throws → 503
        long end = System.nanoTime();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", "OK");
        out.put("code", 200);
        String took = String.format(Locale.ROOT, "%.3fs", (end - start) / 1e9);
        out.put("request_time", took);
        out.put("response_time", took);
        out.put("request_epoch", epoch);
        res.header(Responses.NO_STORE);
        Responses.json(res, Status.OK_200, out);
    }

    private void updated(ServerRequest req, ServerResponse res) {
        Instant at = freshness(store.meta());
        res.header(shortCache);
        Responses.text(res, at == null ? "Updated endpoint - timestamp not available" : "Updated on "
                + UPDATED.format(at));
    }

    private void landing(ServerRequest req, ServerResponse res) {
        Meta m;
        String fresh = "no data loaded yet";
        try {
            m = store.metaIfPresent().orElse(null);
        } catch (UnavailableException ex) {
            m = null; // the page still renders: what this is and how to use it does not need the store
            fresh = "the data store is unavailable right now, please try again later";
        }
        StringBuilder options = new StringBuilder();
        for (Platform p : Platforms.lookupPlatforms()) {
            options.append("<option value=\"").append(p.name()).append("\"")
                    .append(p.name().equals("myanimelist") ? " selected" : "").append('>').append(p.name())
                    .append("</option>");
        }
        StringBuilder targets = new StringBuilder("<option value=\"\">(same)</option>");
        for (Platform p : Platforms.all()) {
            targets.append("<option value=\"").append(p.name()).append("\">").append(p.name()).append("</option>");
        }
        StringBuilder counts = new StringBuilder();
        if (m != null) {
            for (Platform p : Platforms.lookupPlatforms()) {
                counts.append("<tr><td>").append(p.name()).append("</td><td>")
                        .append(m.counts().getOrDefault(p.name(), 0L)).append("</td></tr>");
            }
            counts.append("<tr><th>total</th><th>").append(m.total()).append("</th></tr>");
            Instant at = freshness(m);
            fresh = "version " + m.version() + (at == null ? "" : ", data from " + at);
        }
        String html = """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>ids.moe</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}
                table{border-collapse:collapse}td,th{padding:.1rem .8rem;text-align:left}code{background:#eee}</style>
                </head><body>
                <h1>ids.moe</h1>
                <p>Given an anime's ID on one database, its IDs on all the others: <code>GET /{platform}/{id}</code>
                (e.g. <a href="/myanimelist/1">/myanimelist/1</a>), <code>/redirect?platform=mal&amp;id=1&amp;target=anilist</code>,
                batches (<code>POST /{platform}</code>), full dumps (<a href="/animeapi.json">/animeapi.json</a>,
                <a href="/animeapi.tsv">/animeapi.tsv</a>), <a href="/status">/status</a>,
                <a href="/openapi">OpenAPI</a>, <a href="/schema">schema</a>.</p>
                <form action="/redirect" method="get">
                <label>Platform <select name="platform">%s</select></label>
                <label>ID <input name="id" required size="12" value="1"></label>
                <label>Open on <select name="target">%s</select></label>
                <button>Go</button></form>
                <p>Or look up the JSON: <code>/myanimelist/1</code>.</p>
                <h2>Data</h2><p>%s</p>
                <table>%s</table>
                <p><a href="%s">Source</a> · %s</p>
                </body></html>
                """.formatted(options, targets, escape(fresh), counts, escape(cfg.repository()),
                escape(cfg.license()));
        res.header(Responses.NO_STORE);
        res.header(Responses.CONTENT_HTML);
        Responses.send(res, html.getBytes(StandardCharsets.UTF_8));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static byte[] resource(String name) {
        try (InputStream in = InfoService.class.getResourceAsStream("/static/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource /static/" + name);
            }
            return in.readAllBytes();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
