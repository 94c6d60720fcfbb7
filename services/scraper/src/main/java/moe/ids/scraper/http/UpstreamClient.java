package moe.ids.scraper.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The scraper's one HTTP client (Helidon WebClient): timeouts, a User-Agent, the GitHub token for GitHub
 * hosts, retries with exponential backoff on 429/5xx/I/O errors honouring {@code Retry-After}, and the
 * {@code --mirror} rewrite to the replay server. Redirects are not followed (callers decide).
 */
public final class UpstreamClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UpstreamClient.class.getName());
    private static final Set<Integer> RETRYABLE = Set.of(429, 500, 502, 503, 504);
    private static final Set<String> GITHUB_HOSTS = Set.of("github.com", "api.github.com",
            "raw.githubusercontent.com", "objects.githubusercontent.com");

    private final HttpSettings settings;
    private final WebClient client;
    private final Sleeper sleeper;

    /**
     * @param settings timeouts, retries, mirror, token
     */
    public UpstreamClient(HttpSettings settings) {
        this(settings, Thread::sleep);
    }

    UpstreamClient(HttpSettings settings, Sleeper sleeper) {
        this.settings = settings;
        this.sleeper = sleeper;
        this.client = WebClient.builder()
                .connectTimeout(settings.connectTimeout())
                .readTimeout(settings.readTimeout())
                .followRedirects(false)
                .socketOptions(o -> o.tcpNoDelay(true))
                .build();
    }

    /**
     * @return the settings in use
     */
    public HttpSettings settings() {
        return settings;
    }

    /**
     * GET with extra headers (e.g. {@code If-None-Match}); retried as described above.
     *
     * @param url     upstream URL ({@code https://…})
     * @param headers extra request headers
     * @return the final answer (may be an error status after the retries)
     * @throws UpstreamException on an I/O error after the retries
     */
    public HttpResponse get(String url, Map<String, String> headers) {
        return send("GET", url, headers, null, null);
    }

    /**
     * HEAD with extra headers.
     *
     * @param url     upstream URL
     * @param headers extra request headers
     * @return the final answer
     */
    public HttpResponse head(String url, Map<String, String> headers) {
        return send("HEAD", url, headers, null, null);
    }

    /**
     * POST of an HTML form ({@code application/x-www-form-urlencoded}, UTF-8); retried as described above.
     *
     * @param url     upstream URL
     * @param form    fields in order
     * @param headers extra request headers (e.g. {@code Cookie})
     * @return the final answer (redirects are not followed)
     */
    public HttpResponse postForm(String url, Map<String, String> form, Map<String, String> headers) {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> {
            if (!body.isEmpty()) {
                body.append('&');
            }
            body.append(java.net.URLEncoder.encode(k, java.nio.charset.StandardCharsets.UTF_8)).append('=')
                    .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8));
        });
        return send("POST", url, headers, body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "application/x-www-form-urlencoded");
    }

    /**
     * Sends a request with an optional body; retried as described above.
     *
     * @param method      HTTP method
     * @param url         upstream URL
     * @param headers     extra request headers
     * @param body        body, or null
     * @param contentType body type, or null
     * @return the final answer
     */
    public HttpResponse send(String method, String url, Map<String, String> headers, byte[] body, String contentType) {
        int max = settings.maxAttempts();
        for (int attempt = 1; ; attempt++) {
            HttpResponse response;
            try {
                response = once(method, url, headers, body, contentType);
            } catch (RuntimeException ex) {
                if (attempt >= max) {
                    throw new UpstreamException(method + " " + url + " failed after " + attempt + " attempts: "
                            + describe(ex), 0, ex);
                }
                Duration wait = backoff(attempt);
                LOG.log(System.Logger.Level.WARNING, "{0} {1}: {2}; retry {3}/{4} in {5} ms", method, url,
                        describe(ex), attempt, max - 1, wait.toMillis());
                pause(wait);
                continue;
            }
            if (!RETRYABLE.contains(response.status()) || attempt >= max) {
                return response;
            }
            Duration backoff = backoff(attempt);
            Duration wait = retryAfter(response).filter(ra -> ra.compareTo(backoff) > 0).orElse(backoff);
            if (wait.compareTo(settings.backoffMax()) > 0) {
                wait = settings.backoffMax();
            }
            LOG.log(System.Logger.Level.WARNING, "{0} {1}: HTTP {2}; retry {3}/{4} in {5} ms", method, url,
                    response.status(), attempt, max - 1, wait.toMillis());
            pause(wait);
        }
    }

    /**
     * @param url upstream URL
     * @return where it is actually fetched from (the mirror's URL under {@code --mirror})
     */
    public String effectiveUrl(String url) {
        if (settings.mirror().isEmpty()) {
            return url;
        }
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            throw new IllegalArgumentException("not an absolute URL: " + url);
        }
        return settings.mirror().get() + "/" + url.substring(scheme + 3);
    }

    private HttpResponse once(String method, String url, Map<String, String> headers, byte[] body,
                              String contentType) {
        HttpClientRequest req = client.method(Method.create(method))
                .uri(effectiveUrl(url))
                .skipUriEncoding(true)
                .header(HeaderValues.create(HeaderNames.USER_AGENT, settings.userAgent()));
        String host = URI.create(url).getHost();
        if (settings.githubToken().isPresent() && host != null && GITHUB_HOSTS.contains(host)) {
            req.header(HeaderValues.create(HeaderNames.AUTHORIZATION, "token " + settings.githubToken().get()));
        }
        headers.forEach((k, v) -> req.header(HeaderValues.create(HeaderNames.create(k), v)));
        if (contentType != null) {
            req.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, contentType));
        }
        try (HttpClientResponse res = body == null ? req.request() : req.submit(body)) {
            Map<String, List<String>> hs = new HashMap<>();
            res.headers().forEach(h -> hs.computeIfAbsent(h.name().toLowerCase(Locale.ROOT),
                    k -> new ArrayList<>()).addAll(h.allValues()));
            byte[] bytes;
            if ("HEAD".equals(method) || !res.entity().hasEntity()) {
                bytes = new byte[0];
            } else {
                try (InputStream in = res.inputStream()) {
                    bytes = in.readAllBytes();
                }
            }
            return new HttpResponse(url, res.status().code(), hs, bytes);
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private Duration backoff(int attempt) {
        long ms = settings.backoffBase().toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(ms, settings.backoffMax().toMillis()));
    }

    static java.util.Optional<Duration> retryAfter(HttpResponse response) {
        return response.header("Retry-After").flatMap(v -> {
            String value = v.strip();
            try {
                return java.util.Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
            } catch (NumberFormatException notSeconds) {
                try {
                    ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                    Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                    return java.util.Optional.of(d.isNegative() ? Duration.ZERO : d);
                } catch (DateTimeParseException ex) {
                    return java.util.Optional.empty();
                }
            }
        });
    }

    private void pause(Duration d) {
        try {
            sleeper.sleep(d.toMillis());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new UpstreamException("interrupted while waiting to retry", 0, ex);
        }
    }

    private static String describe(Throwable ex) {
        Throwable t = ex;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof java.io.UncheckedIOException)) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    @Override
    public void close() {
        client.closeResource();
    }

    /** Waits between retries (replaced in unit tests). */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }
}
