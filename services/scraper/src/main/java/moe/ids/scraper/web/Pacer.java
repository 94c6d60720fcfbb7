package moe.ids.scraper.web;

import moe.ids.scraper.http.UpstreamException;

import java.time.Duration;

/**
 * The pause before each request to a site (uniform in the site's delay range), and the pause before a page is
 * fetched again. Off under the mirror: the replay is local.
 */
public final class Pacer {
    private final SiteSettings site;
    private final boolean enabled;

    /**
     * @param site    the site's politeness
     * @param enabled false to never pause (mirror)
     */
    public Pacer(SiteSettings site, boolean enabled) {
        this.site = site;
        this.enabled = enabled;
    }

    /**
     * Pauses before a request.
     *
     * @throws UpstreamException when interrupted
     */
    public void beforeRequest() {
        if (enabled) {
            sleep(site.randomDelay());
        }
    }

    /**
     * Pauses before a page is fetched again (at least a second, at least the longest delay).
     *
     * @param attempt the attempt that failed, from 1
     * @throws UpstreamException when interrupted
     */
    public void beforeRetry(int attempt) {
        if (enabled) {
            long base = Math.max(1000, site.delayMax().toMillis());
            sleep(Duration.ofMillis(base * attempt));
        }
    }

    /**
     * @return whether pauses are on
     */
    public boolean enabled() {
        return enabled;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new UpstreamException("interrupted", 0, ex);
        }
    }
}
