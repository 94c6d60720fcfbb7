package moe.ids.scraper.web;

import moe.ids.core.config.RecordText;
import io.helidon.config.Config;
import moe.ids.core.config.Settings;
import moe.ids.core.error.ConfigException;
import moe.ids.scraper.http.HttpSettings;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Politeness of one scraped site ({@code scraper.web.SITE.*}).
 *
 * @param concurrency  pages fetched at once ({@code concurrency})
 * @param delayMin     shortest pause before each request of a worker ({@code delay-min-ms})
 * @param delayMax     longest pause ({@code delay-max-ms}); the pause is uniform in [min, max]
 * @param interval     re-scrape interval: a source scraped successfully less than this ago is Skipped
 *                     ({@code interval-hours}); {@code --force} and the mirror ignore it
 * @param pageAttempts attempts per page on top of the HTTP retries (a malformed or unreadable page is fetched
 *                     again after a pause) ({@code page-attempts})
 * @param maxFailed    pages (Otak Otaku: IDs) that may fail without failing the scrape ({@code max-failed})
 * @param userAgent    {@code User-Agent} for this site, empty for {@code scraper.http.user-agent}
 * @param readTimeout  read timeout for this site, empty for {@code scraper.http.read-timeout-ms}
 * @param maxAttempts  HTTP attempts per request for this site, 0 for {@code scraper.http.max-attempts}
 */
public record SiteSettings(int concurrency, Duration delayMin, Duration delayMax, Duration interval, int pageAttempts,
                           int maxFailed, Optional<String> userAgent, Optional<Duration> readTimeout,
                           int maxAttempts) {

    /**
     * @param concurrency  pages at once
     * @param delayMinMs   shortest pause
     * @param delayMaxMs   longest pause
     * @param intervalDays re-scrape interval in days
     * @param maxFailed    tolerated failed pages
     * @return settings with 2 page attempts and the global HTTP settings
     */
    public static SiteSettings of(int concurrency, long delayMinMs, long delayMaxMs, int intervalDays, int maxFailed) {
        return new SiteSettings(concurrency, Duration.ofMillis(delayMinMs), Duration.ofMillis(delayMaxMs),
                Duration.ofDays(intervalDays), 2, maxFailed, Optional.empty(), Optional.empty(), 0);
    }

    /**
     * @param config   root config
     * @param site     {@code kaize}, {@code nautiljon} or {@code otakotaku}
     * @param defaults values for missing keys
     * @return validated settings
     */
    public static SiteSettings from(Config config, String site, SiteSettings defaults) {
        String p = "scraper.web." + site + ".";
        int min = Settings.intIn(config, p + "delay-min-ms", (int) defaults.delayMin().toMillis(), 0, 600_000);
        int max = Settings.intIn(config, p + "delay-max-ms", (int) defaults.delayMax().toMillis(), 0, 600_000);
        if (max < min) {
            throw new ConfigException(p + "delay-max-ms (" + max + ") must not be below delay-min-ms (" + min + ")");
        }
        int readTimeout = Settings.intIn(config, p + "read-timeout-ms", 0, 0, 3_600_000);
        return new SiteSettings(
                Settings.intIn(config, p + "concurrency", defaults.concurrency(), 1, 64),
                Duration.ofMillis(min), Duration.ofMillis(max),
                Duration.ofHours(Settings.intIn(config, p + "interval-hours", (int) defaults.interval().toHours(), 0,
                        24 * 366)),
                Settings.intIn(config, p + "page-attempts", defaults.pageAttempts(), 1, 10),
                Settings.intIn(config, p + "max-failed", defaults.maxFailed(), 0, 1_000_000),
                config.get(p + "user-agent").asString().asOptional().filter(s -> !s.isBlank()),
                readTimeout == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(readTimeout)),
                Settings.intIn(config, p + "max-attempts", 0, 0, 20));
    }

    /**
     * @param base the global HTTP settings
     * @return them with this site's overrides
     */
    public HttpSettings http(HttpSettings base) {
        return new HttpSettings(userAgent.orElse(base.userAgent()), base.connectTimeout(),
                readTimeout.orElse(base.readTimeout()), maxAttempts > 0 ? maxAttempts : base.maxAttempts(),
                base.backoffBase(), base.backoffMax(), base.githubToken(), base.mirror());
    }

    /**
     * @return a pause drawn uniformly from [delayMin, delayMax]
     */
    public Duration randomDelay() {
        long lo = delayMin.toMillis();
        long hi = delayMax.toMillis();
        return Duration.ofMillis(hi <= lo ? lo : ThreadLocalRandom.current().nextLong(lo, hi + 1));
    }

    /** Written out: the generated method costs the start path tens of milliseconds ({@link RecordText}). */
    @Override
    public String toString() {
        return RecordText.of("SiteSettings", "concurrency", concurrency, "delayMin", delayMin, "delayMax", delayMax,
                "interval", interval, "pageAttempts", pageAttempts, "maxFailed", maxFailed, "userAgent", userAgent,
                "readTimeout", readTimeout, "maxAttempts", maxAttempts);
    }
}
