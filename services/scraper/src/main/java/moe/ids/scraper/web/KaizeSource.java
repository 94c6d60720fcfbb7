package moe.ids.scraper.web;

import moe.ids.scraper.http.HttpResponse;
import moe.ids.scraper.http.UpstreamClient;
import moe.ids.scraper.http.UpstreamException;
import moe.ids.core.snapshot.Records.KaizeEntry;
import moe.ids.db.snapshot.SourceState;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Evaluator;
import org.jsoup.select.Selector;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Kaize ({@code kaize.io}): logs in (CSRF token from the login page, form POST expecting a 302, login cookies
 * and {@code X-XSRF-TOKEN}, login check on {@code /account/settings}), finds the last page of
 * {@code /anime/top?page=N} by exponential probing and binary search, then crawls every page. Without
 * {@code KAIZE_EMAIL}/{@code KAIZE_PASSWORD} it is Skipped.
 */
public final class KaizeSource extends WebSource<KaizeEntry> {
    /** Source name. */
    public static final String NAME = "kaize";
    /** Site root. */
    public static final String BASE = "https://kaize.io";
    /** Login page and form target. */
    public static final String LOGIN = BASE + "/login";
    /** Page that answers 200 only to a logged-in client. */
    public static final String SETTINGS = BASE + "/account/settings";
    /** Anime per full page. */
    public static final int PER_PAGE = 50;
    private static final String PLAN = "kaize pages 1..";
    private static final Pattern IMAGE_ID = Pattern.compile("/anime_image_(\\d+)");
    private static final int MAX_PAGE = 1 << 20;
    // the page's selectors parsed once, not again for every element of every page
    private static final Evaluator ELEMENTS = Selector.evaluatorOf("div.anime-list-element");
    private static final Evaluator NAME_LINK = Selector.evaluatorOf("a.name");
    private static final Evaluator COVER = Selector.evaluatorOf("div.cover");

    /**
     * @param context settings, progress and store
     */
    public KaizeSource(WebContext context) {
        super(NAME, KaizeEntry.class, context);
    }

    /**
     * @param page page number from 1
     * @return its URL
     */
    public static String pageUrl(int page) {
        return BASE + "/anime/top?page=" + page;
    }

    @Override
    public List<String> urls() {
        return List.of(LOGIN, SETTINGS, BASE + "/anime/top?page=N");
    }

    @Override
    protected SiteSettings site() {
        return context.settings().kaize();
    }

    @Override
    protected Optional<String> precondition() {
        WebSettings s = context.settings();
        if (s.kaizeEmail().isEmpty() || s.kaizePassword().isEmpty()) {
            return Optional.of("no Kaize login: set KAIZE_EMAIL and KAIZE_PASSWORD to scrape kaize.io");
        }
        return Optional.empty();
    }

    @Override
    protected Scraped<KaizeEntry> scrape(UpstreamClient http, Pacer pacer, SourceState previous) {
        CookieSession browser = new CookieSession(http);
        login(browser, pacer);
        Crawler<KaizeEntry> crawler = crawler(pacer);
        Optional<ProgressStore.Run> run = resumable(PLAN);
        int last;
        Map<Integer, List<KaizeEntry>> done;
        if (run.isPresent()) {
            last = run.get().totalUnits();
            done = resume(run.get(), crawler);
        } else {
            Map<Integer, Page> probed = new HashMap<>();
            last = lastPage(browser, pacer, probed);
            begin(PLAN + last, last);
            done = new HashMap<>();
            for (Map.Entry<Integer, Page> e : probed.entrySet()) {
                int p = e.getKey();
                if (p <= last && (p == last || e.getValue().elements() >= PER_PAGE)) {
                    crawler.save(p, e.getValue().entries());
                    done.put(p, e.getValue().entries());
                }
            }
        }
        int lastPage = last;
        Crawler.Result<KaizeEntry> result = crawler.crawl(IntStream.rangeClosed(1, last).boxed().toList(), done,
                p -> fetchPage(browser, p, lastPage), p -> "page " + p);
        complete(result, "page", p -> "page " + p);
        List<KaizeEntry> records = result.records();
        long noId = records.stream().filter(e -> e.kaizeId() == null).count();
        int resumed = run.map(r -> r.pages().size()).orElse(0);
        return new Scraped<>(records, last + " pages (" + resumed + " resumed), " + noId
                + " entries without a numeric ID");
    }

    private void login(CookieSession browser, Pacer pacer) {
        WebSettings creds = context.settings();
        pacer.beforeRequest();
        HttpResponse page = browser.get(LOGIN);
        if (page.status() != 200) {
            throw new UpstreamException("login failed: GET " + LOGIN + " answered HTTP " + page.status(),
                    page.status(), null);
        }
        Element meta = html(page.body(), LOGIN).selectFirst("meta[name=csrf-token]");
        String token = meta == null ? "" : meta.attr("content").strip();
        if (token.isEmpty()) {
            throw new UpstreamException("login failed: no <meta name=\"csrf-token\"> on " + LOGIN, page.status(), null);
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("_token", token);
        form.put("email", creds.kaizeEmail().orElseThrow());
        form.put("password", creds.kaizePassword().orElseThrow());
        form.put("remember", "on");
        pacer.beforeRequest();
        HttpResponse post = browser.postForm(LOGIN, form);
        if (post.status() != 302) {
            throw new UpstreamException("login failed: POST " + LOGIN + " answered HTTP " + post.status()
                    + " instead of a 302 redirect" + (post.status() == 419 ? " (CSRF token rejected)" : ""),
                    post.status(), null);
        }
        String location = post.header("Location").orElse("");
        if (location.contains("/login")) {
            throw new UpstreamException("login failed: redirected back to " + location
                    + " (wrong KAIZE_EMAIL/KAIZE_PASSWORD?)", post.status(), null);
        }
        browser.cookie("XSRF-TOKEN").ifPresent(v ->
                browser.header("X-XSRF-TOKEN", URLDecoder.decode(v, StandardCharsets.UTF_8)));
        pacer.beforeRequest();
        HttpResponse check = browser.get(SETTINGS);
        if (check.status() != 200) {
            throw new UpstreamException("session check failed: GET " + SETTINGS + " answered HTTP " + check.status()
                    + check.header("Location").map(l -> " → " + l).orElse("") + " instead of 200; not crawling",
                    check.status(), null);
        }
    }

    /**
     * Finds the last page with anime: probes 1, 2, 4, … until a page has none, then binary search.
     *
     * @return the last page (0 when page 1 is empty)
     */
    private static int lastPage(CookieSession browser, Pacer pacer, Map<Integer, Page> probed) {
        if (!exists(browser, pacer, 1, probed)) {
            return 0;
        }
        int lo = 1;
        int hi = 2;
        while (exists(browser, pacer, hi, probed)) {
            lo = hi;
            hi *= 2;
            if (hi > MAX_PAGE) {
                throw new UpstreamException("no end of the top list found below page " + MAX_PAGE, 0, null);
            }
        }
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (exists(browser, pacer, mid, probed)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static boolean exists(CookieSession browser, Pacer pacer, int page, Map<Integer, Page> probed) {
        pacer.beforeRequest();
        HttpResponse r = browser.get(pageUrl(page));
        if (r.status() == 404) {
            return false;
        }
        if (r.status() != 200) {
            throw new UpstreamException("looking for the last page: page " + page + " answered HTTP " + r.status(),
                    r.status(), null);
        }
        Page p = parsePage(r.body());
        if (p.elements() == 0) {
            return false;
        }
        probed.put(page, p);
        return true;
    }

    private static List<KaizeEntry> fetchPage(CookieSession browser, int page, int last) {
        HttpResponse r = browser.get(pageUrl(page));
        if (r.status() != 200) {
            throw new PageException("HTTP " + r.status());
        }
        Page p = parsePage(r.body());
        if (p.elements() == 0) {
            throw new PageException("no div.anime-list-element on the page");
        }
        if (page < last && p.elements() < PER_PAGE) {
            throw new PageException("only " + p.elements() + " anime on a page before the last (" + PER_PAGE
                    + " expected)");
        }
        if (page < last && p.entries().size() < p.elements()) {
            throw new PageException((p.elements() - p.entries().size()) + " unreadable anime on a page before the "
                    + "last (a truncated answer?)");
        }
        return p.entries();
    }

    /**
     * One parsed page of the top list.
     *
     * @param entries usable entries in page order
     * @param elements {@code div.anime-list-element} count (entries plus skipped ones)
     */
    public record Page(List<KaizeEntry> entries, int elements) {
    }

    /**
     * Reads a top-list page: every {@code div.anime-list-element} with an {@code a.name} link gives title (its
     * text, verbatim), slug (last path segment of its href) and the numeric ID of the cover image
     * {@code anime_image_{id}} (null when absent).
     *
     * @param html page bytes (UTF-8)
     * @return entries and the element count
     */
    public static Page parsePage(byte[] html) {
        Document doc = html(html, BASE + "/anime/top");
        List<KaizeEntry> out = new ArrayList<>();
        var elements = doc.select(ELEMENTS);
        for (Element el : elements) {
            Element name = el.selectFirst(NAME_LINK);
            if (name == null || name.attr("href").isBlank()) {
                continue;
            }
            String href = name.attr("href").strip();
            String slug = href.substring(href.lastIndexOf('/') + 1);
            if (slug.isEmpty()) {
                continue;
            }
            Integer id = null;
            Element cover = el.selectFirst(COVER);
            if (cover != null) {
                Matcher m = IMAGE_ID.matcher(cover.attr("style"));
                if (m.find()) {
                    id = moe.ids.scraper.source.Normalize.positiveInt(m.group(1));
                }
            }
            out.add(new KaizeEntry(name.wholeText(), slug, id));
        }
        return new Page(List.copyOf(out), elements.size());
    }

    static Document html(byte[] bytes, String baseUri) {
        try {
            return Jsoup.parse(new ByteArrayInputStream(bytes), "UTF-8", baseUri);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
