package moe.ids.api.http;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import moe.ids.api.ApiConfig;
import moe.ids.api.store.Datasets;
import moe.ids.core.platform.Platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Full dumps, one path segment: {@code /{platform}.json} or {@code /{platform}} (object keyed by that platform's
 * ID), {@code /{platform}().json} or {@code /{platform}()} (array), {@code /animeapi.json} (or {@code /aa}, every
 * entry), {@code /animeapi.tsv} (header = entry keys in order). Served from {@link Datasets} (built once per
 * version into a file), gzip when the client accepts it, with an ETag per version and dump.
 */
public final class DumpService implements HttpService {
    private static final Header VARY = HeaderValues.createCached(HeaderNames.VARY, "Accept-Encoding");
    private static final Header GZIP = HeaderValues.createCached(HeaderNames.CONTENT_ENCODING, "gzip");

    private final Datasets datasets;
    private final Header cache;

    /**
     * @param datasets prepared data
     * @param cfg      settings
     */
    public DumpService(Datasets datasets, ApiConfig cfg) {
        this.datasets = datasets;
        this.cache = Responses.cacheFor(cfg.maxAge());
    }

    @Override
    public void routing(HttpRules rules) {
        // GET|HEAD /{platform}[()][.json], /animeapi.json, /animeapi.tsv (one segment; longer paths go on)
        rules.route(Method.predicate(Method.GET, Method.HEAD), PathMatchers.create("/*"), this::dump);
    }

    private void dump(ServerRequest req, ServerResponse res) {
        List<String> raw = Paths.segments(req.path().rawPath());
        if (Paths.observe(req.path().rawPath()) || raw.size() != 1 || raw.getFirst().isEmpty()) {
            res.next();
            return;
        }
        String typed = LookupKeys.decode(raw.getFirst());
        Target t = target(typed);
        try (Datasets.Opened opened = datasets.open(t.name(), t.platform())) {
            send(req, res, opened);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void send(ServerRequest req, ServerResponse res, Datasets.Opened opened) throws IOException {
        Datasets.Dump d = opened.dump();
        res.header(cache);
        res.header(VARY);
        boolean gzip = Responses.acceptsGzip(req);
        // two representations, two strong validators (RFC 9110 §8.8.3): the gzip one is marked inside the quotes
        String etag = gzip ? d.etag().substring(0, d.etag().length() - 1) + "-gz\"" : d.etag();
        res.header(HeaderNames.ETAG, etag);
        if (Responses.notModified(req, res, etag)) {
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, d.contentType());
        res.status(Status.OK_200);
        if (gzip) {
            res.header(GZIP);
        }
        res.header(HeaderNames.CONTENT_LENGTH, Long.toString(gzip ? d.gzipLength() : d.length()));
        if (req.prologue().method() == Method.HEAD) {
            res.send();
            return;
        }
        try (InputStream in = gzip ? opened.gzip() : new GZIPInputStream(opened.gzip(), 1 << 16);
             OutputStream out = res.outputStream()) {
            in.transferTo(out);
        }
    }

    /**
     * A dump name.
     *
     * @param name     canonical file name
     * @param platform its platform, or null for the all-entries dumps
     */
    record Target(String name, Platform platform) {
    }

    /**
     * @param typed decoded segment, e.g. {@code MAL().json}, {@code aa}, {@code animeapi.tsv}
     * @return what to serve
     * @throws ApiException.Missing for unknown names
     */
    static Target target(String typed) {
        String s = typed.toLowerCase(Locale.ROOT);
        if (s.endsWith(".tsv")) {
            String base = s.substring(0, s.length() - 4);
            if (base.equals("animeapi") || base.equals("aa")) {
                return new Target("animeapi.tsv", null);
            }
            throw new ApiException.Missing("Dump " + typed + " not found; TSV is available as /animeapi.tsv");
        }
        if (s.endsWith(".json")) {
            s = s.substring(0, s.length() - 5);
        }
        boolean array = s.endsWith("()");
        if (array) {
            s = s.substring(0, s.length() - 2);
        }
        if (s.equals("animeapi") || s.equals("aa")) {
            return new Target("animeapi.json", null);
        }
        Platform p = LookupKeys.platform(s).filter(x -> !x.redirectOnly() && !x.code().isEmpty()).orElse(null);
        if (p == null) {
            throw new ApiException.Missing("Platform " + s + " not found, please check if it is a valid platform");
        }
        return new Target(p.name() + (array ? "().json" : ".json"), p);
    }
}
