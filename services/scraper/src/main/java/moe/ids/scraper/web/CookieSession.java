package moe.ids.scraper.web;

import moe.ids.scraper.http.HttpResponse;
import moe.ids.scraper.http.UpstreamClient;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A browser-like session with one site: keeps the cookies it sets ({@code Set-Cookie} of every answer) and sends
 * them back ({@code Cookie}), plus fixed extra headers (e.g. {@code X-XSRF-TOKEN}). Thread-safe; cookies are kept
 * per name only (one site, path {@code /}).
 */
public final class CookieSession {
    private final UpstreamClient http;
    private final Map<String, String> cookies = new ConcurrentHashMap<>();
    private final Map<String, String> headers = new ConcurrentHashMap<>();

    /**
     * @param http the client
     */
    public CookieSession(UpstreamClient http) {
        this.http = http;
    }

    /**
     * @param url upstream URL
     * @return the answer (redirects not followed); its cookies are kept
     */
    public HttpResponse get(String url) {
        return capture(http.get(url, requestHeaders()));
    }

    /**
     * @param url  upstream URL
     * @param form form fields in order
     * @return the answer (redirects not followed); its cookies are kept
     */
    public HttpResponse postForm(String url, Map<String, String> form) {
        return capture(http.postForm(url, form, requestHeaders()));
    }

    /**
     * @param name  header name
     * @param value value sent with every later request
     */
    public void header(String name, String value) {
        headers.put(name, value);
    }

    /**
     * @param name cookie name
     * @return its current value (as sent by the site, not decoded)
     */
    public Optional<String> cookie(String name) {
        return Optional.ofNullable(cookies.get(name));
    }

    private Map<String, String> requestHeaders() {
        Map<String, String> h = new LinkedHashMap<>(headers);
        if (!cookies.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            new java.util.TreeMap<>(cookies).forEach((k, v) -> {
                if (!sb.isEmpty()) {
                    sb.append("; ");
                }
                sb.append(k).append('=').append(v);
            });
            h.put("Cookie", sb.toString());
        }
        return h;
    }

    private HttpResponse capture(HttpResponse r) {
        for (String line : r.headers("Set-Cookie")) {
            setCookie(line);
        }
        return r;
    }

    /**
     * Applies one {@code Set-Cookie} value: {@code name=value; attributes}; {@code Max-Age=0} or an empty value
     * deletes the cookie.
     *
     * @param line the header value
     */
    void setCookie(String line) {
        String[] parts = line.split(";");
        int eq = parts[0].indexOf('=');
        if (eq <= 0) {
            return;
        }
        String name = parts[0].substring(0, eq).strip();
        String value = parts[0].substring(eq + 1).strip();
        boolean expired = value.isEmpty();
        for (int i = 1; i < parts.length; i++) {
            String attr = parts[i].strip().toLowerCase(Locale.ROOT);
            if (attr.startsWith("max-age=") && attr.substring(8).strip().matches("-?0+|-\\d+")) {
                expired = true;
            }
        }
        if (expired) {
            cookies.remove(name);
        } else {
            cookies.put(name, value);
        }
    }
}
