package moe.ids.scraper.web;

import io.helidon.config.Config;
import moe.ids.core.config.Settings;

import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the web scrapers ({@code scraper.web.*}).
 *
 * @param kaize         Kaize politeness ({@code scraper.web.kaize.*})
 * @param nautiljon     Nautiljon politeness ({@code scraper.web.nautiljon.*})
 * @param otakotaku     Otak Otaku politeness ({@code scraper.web.otakotaku.*})
 * @param kaizeEmail    Kaize login ({@code KAIZE_EMAIL}, or {@code scraper.web.kaize.email}); empty: Kaize is skipped
 * @param kaizePassword Kaize password ({@code KAIZE_PASSWORD}, or {@code scraper.web.kaize.password})
 * @param resumeMaxAge  an unfinished crawl younger than this is resumed, an older one started over
 *                      ({@code scraper.web.resume-max-age-hours})
 */
public record WebSettings(SiteSettings kaize, SiteSettings nautiljon, SiteSettings otakotaku,
                          Optional<String> kaizeEmail, Optional<String> kaizePassword, Duration resumeMaxAge) {

    /** Kaize: 4 pages at once, 0.3–1 s apart, every 14 days; any failed page fails the scrape. */
    public static final SiteSettings KAIZE = SiteSettings.of(4, 300, 1000, 14, 0);
    /** Nautiljon: one page at a time, 0.1–1.5 s apart, every 14 days; any failed page fails the scrape. */
    public static final SiteSettings NAUTILJON = SiteSettings.of(1, 100, 1500, 14, 0);
    /** Otak Otaku: 8 IDs at once, 0.1–0.4 s apart, every 14 days; up to 30 unreadable IDs keep their last record. */
    public static final SiteSettings OTAKOTAKU = SiteSettings.of(8, 100, 400, 14, 30);

    /**
     * @return the defaults above, credentials from the environment
     */
    public static WebSettings defaults() {
        return new WebSettings(KAIZE, NAUTILJON, OTAKOTAKU, env("KAIZE_EMAIL"), env("KAIZE_PASSWORD"),
                Duration.ofHours(72));
    }

    /**
     * @param config root config
     * @return validated settings
     */
    public static WebSettings from(Config config) {
        return new WebSettings(SiteSettings.from(config, "kaize", KAIZE),
                SiteSettings.from(config, "nautiljon", NAUTILJON),
                SiteSettings.from(config, "otakotaku", OTAKOTAKU),
                Optional.ofNullable(Settings.string(config, "KAIZE_EMAIL", "scraper.web.kaize.email", null))
                        .filter(s -> !s.isBlank()),
                Optional.ofNullable(Settings.string(config, "KAIZE_PASSWORD", "scraper.web.kaize.password", null))
                        .filter(s -> !s.isBlank()),
                Duration.ofHours(Settings.intIn(config, "scraper.web.resume-max-age-hours", 72, 0, 24 * 366)));
    }

    /**
     * @param email    Kaize login
     * @param password Kaize password
     * @return these settings with other credentials
     */
    public WebSettings withKaizeLogin(String email, String password) {
        return new WebSettings(kaize, nautiljon, otakotaku, Optional.ofNullable(email), Optional.ofNullable(password),
                resumeMaxAge);
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(s -> !s.isBlank());
    }

    @Override
    public String toString() {
        return "WebSettings[kaize=" + kaize + ", nautiljon=" + nautiljon + ", otakotaku=" + otakotaku
                + ", kaizeLogin=" + (kaizeEmail.isPresent() && kaizePassword.isPresent() ? "set" : "none")
                + ", resumeMaxAge=" + resumeMaxAge + "]";
    }
}
