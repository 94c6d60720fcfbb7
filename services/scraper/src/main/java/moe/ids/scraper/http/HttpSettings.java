package moe.ids.scraper.http;

import io.helidon.config.Config;
import moe.ids.core.config.Settings;
import moe.ids.core.error.ConfigException;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * How the scraper talks to upstream.
 *
 * @param userAgent      {@code User-Agent} header ({@code scraper.http.user-agent})
 * @param connectTimeout connect timeout ({@code scraper.http.connect-timeout-ms})
 * @param readTimeout    read timeout ({@code scraper.http.read-timeout-ms})
 * @param maxAttempts    attempts per request, retries included ({@code scraper.http.max-attempts})
 * @param backoffBase    first retry delay, doubled each retry ({@code scraper.http.backoff-base-ms})
 * @param backoffMax     largest retry delay, also the cap on an upstream {@code Retry-After}
 *                       ({@code scraper.http.backoff-max-ms})
 * @param githubToken    token sent as {@code Authorization: token …} to GitHub hosts ({@code GITHUB_TOKEN})
 * @param mirror         replay server base URL; every {@code https://HOST/PATH?Q} is fetched as
 *                       {@code MIRROR/HOST/PATH?Q} ({@code UPSTREAM_MIRROR})
 */
public record HttpSettings(String userAgent, Duration connectTimeout, Duration readTimeout, int maxAttempts,
                           Duration backoffBase, Duration backoffMax, Optional<String> githubToken,
                           Optional<URI> mirror) {
    /** Default User-Agent. */
    public static final String DEFAULT_USER_AGENT = "ids.moe-scraper/0.1 (+https://ids.moe)";

    /**
     * @param config root config
     * @return validated settings
     */
    public static HttpSettings from(Config config) {
        Config http = config.get("scraper.http");
        Optional<URI> mirror = Optional.ofNullable(Settings.string(config, "UPSTREAM_MIRROR", "scraper.mirror", null))
                .filter(s -> !s.isBlank()).map(s -> {
                    URI uri = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
                    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                        throw new ConfigException("UPSTREAM_MIRROR must be an http(s) URL: " + s);
                    }
                    return uri;
                });
        return new HttpSettings(
                http.get("user-agent").asString().orElse(DEFAULT_USER_AGENT),
                Duration.ofMillis(Settings.intIn(config, "scraper.http.connect-timeout-ms", 10_000, 100, 600_000)),
                Duration.ofMillis(Settings.intIn(config, "scraper.http.read-timeout-ms", 120_000, 100, 3_600_000)),
                Settings.intIn(config, "scraper.http.max-attempts", 4, 1, 20),
                Duration.ofMillis(Settings.intIn(config, "scraper.http.backoff-base-ms", 1_000, 0, 600_000)),
                Duration.ofMillis(Settings.intIn(config, "scraper.http.backoff-max-ms", 60_000, 0, 3_600_000)),
                Optional.ofNullable(Settings.string(config, "GITHUB_TOKEN", "scraper.http.github-token", null))
                        .filter(s -> !s.isBlank()),
                mirror);
    }

    @Override
    public String toString() {
        return "HttpSettings[userAgent=" + userAgent + ", connectTimeout=" + connectTimeout + ", readTimeout="
                + readTimeout + ", maxAttempts=" + maxAttempts + ", backoffBase=" + backoffBase + ", backoffMax="
                + backoffMax + ", githubToken=" + githubToken.map(t -> "***").orElse("none") + ", mirror="
                + mirror.map(URI::toString).orElse("none") + "]";
    }
}
