package moe.ids.scraper.web;

import moe.ids.scraper.http.HttpResponse;
import moe.ids.scraper.http.UpstreamClient;
import moe.ids.scraper.http.UpstreamException;
import moe.ids.scraper.source.Normalize;
import moe.ids.core.snapshot.Records.NautiljonEntry;
import moe.ids.db.snapshot.SourceState;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.jsoup.select.Evaluator;
import org.jsoup.select.Selector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Nautiljon ({@code www.nautiljon.com/animes/}): the first page gives the offset of the last page (last link of
 * {@code p.menupage}); every offset 0, 15, … up to <em>and including</em> it is read (the original pipeline
 * stopped one page short). A page other than the last with fewer than 15 usable rows is a failed page.
 */
public final class NautiljonSource extends WebSource<NautiljonEntry> {
    /** Source name. */
    public static final String NAME = "nautiljon";
    /** The list. */
    public static final String BASE = "https://www.nautiljon.com/animes/";
    /** Rows per full page. */
    public static final int PER_PAGE = 15;
    /** Largest last offset believed (about a million pages); beyond it the pagination is malformed. */
    public static final int MAX_OFFSET = PER_PAGE << 20;
    private static final String PLAN = "nautiljon offsets 0..";
    private static final Pattern DBT = Pattern.compile("[?&]dbt=(\\d+)");
    private static final Pattern ENTRY_ID = Pattern.compile("_(\\d+)\\.webp");
    // the page's selectors parsed once: parsing one again for every row of ~800 pages took an eighth of the crawl's CPU
    private static final Evaluator ROWS = Selector.evaluatorOf("table.search > tbody > tr");
    private static final Evaluator CELLS = Selector.evaluatorOf("> td");
    private static final Evaluator LINK = Selector.evaluatorOf("a[href]");
    private static final Evaluator TITLE = Selector.evaluatorOf("a.eTitre");
    private static final Evaluator IMAGE = Selector.evaluatorOf("img[src]");
    private static final Evaluator INFOS = Selector.evaluatorOf("span.infos_small");
    private static final Evaluator LAST_PAGE = Selector.evaluatorOf("p.menupage a:last-of-type");

    /**
     * @param context settings, progress and store
     */
    public NautiljonSource(WebContext context) {
        super(NAME, NautiljonEntry.class, context);
    }

    /**
     * @param offset row offset (multiple of 15)
     * @return the page URL ({@code /animes/} for 0)
     */
    public static String pageUrl(int offset) {
        return offset == 0 ? BASE : BASE + "?dbt=" + offset;
    }

    @Override
    public List<String> urls() {
        return List.of(BASE, BASE + "?dbt=N");
    }

    @Override
    protected SiteSettings site() {
        return context.settings().nautiljon();
    }

    @Override
    protected Scraped<NautiljonEntry> scrape(UpstreamClient http, Pacer pacer, SourceState previous) {
        Crawler<NautiljonEntry> crawler = crawler(pacer);
        Optional<ProgressStore.Run> run = resumable(PLAN);
        int last;
        Map<Integer, List<NautiljonEntry>> done;
        if (run.isPresent()) {
            last = Integer.parseInt(run.get().plan().substring(PLAN.length()));
            done = resume(run.get(), crawler);
        } else {
            pacer.beforeRequest();
            HttpResponse r = http.get(BASE, Map.of());
            if (r.status() != 200) {
                throw new UpstreamException("HTTP " + r.status() + " from " + BASE, r.status(), null);
            }
            Page first = parsePage(r.body());
            last = first.lastOffset() == null ? 0 : first.lastOffset();
            begin(PLAN + last, last / PER_PAGE + 1);
            done = new HashMap<>();
            if (first.rows().size() >= PER_PAGE || last == 0) {
                crawler.save(0, first.rows());
                done.put(0, first.rows());
            }
        }
        List<Integer> offsets = new ArrayList<>();
        for (int o = 0; o < last; o += PER_PAGE) {
            offsets.add(o);
        }
        offsets.add(last);
        int lastOffset = last;
        Crawler.Result<NautiljonEntry> result = crawler.crawl(offsets, done, o -> fetchPage(http, o, lastOffset),
                o -> "dbt=" + o);
        complete(result, "page", o -> "dbt=" + o);
        List<NautiljonEntry> records = result.records();
        int resumed = run.map(r -> r.pages().size()).orElse(0);
        return new Scraped<>(records, offsets.size() + " pages up to dbt=" + last + " (" + resumed + " resumed)");
    }

    private static List<NautiljonEntry> fetchPage(UpstreamClient http, int offset, int last) {
        HttpResponse r = http.get(pageUrl(offset), Map.of());
        if (r.status() != 200) {
            throw new PageException("HTTP " + r.status());
        }
        Page p = parsePage(r.body());
        if (offset < last && p.rows().size() < PER_PAGE) {
            throw new PageException(p.rows().size() + " of " + PER_PAGE + " rows usable"
                    + (p.problems().isEmpty() ? "" : ", skipped: " + String.join("; ", p.problems())));
        }
        if (p.rows().isEmpty()) {
            throw new PageException("no rows on the last page");
        }
        return p.rows();
    }

    /**
     * One parsed list page.
     *
     * @param rows       usable rows in page order
     * @param problems   why other rows were skipped ({@code row 4: 3 cells})
     * @param lastOffset offset of the last pagination link, or null without pagination
     */
    public record Page(List<NautiljonEntry> rows, List<String> problems, Integer lastOffset) {
    }

    /**
     * Reads a list page: rows {@code table.search > tbody > tr} with at least 4 cells; slug from the first cell's
     * link ({@code .html} stripped, kept verbatim; null for {@code javascript:;}), ID from the image name
     * {@code _{id}.webp}, title from {@code a.eTitre}, French title from {@code span.infos_small} (one outer pair
     * of parentheses removed), format and status from cells 3 and 4. Text is taken whole (jsoup's
     * {@code text()} would drop U+200B and U+00AD) and stripped of surrounding whitespace.
     *
     * @param html page bytes (UTF-8)
     * @return rows, problems and the last offset
     * @throws PageException when the last pagination link names an offset beyond {@link #MAX_OFFSET}
     */
    public static Page parsePage(byte[] html) {
        Document doc = KaizeSource.html(html, BASE);
        List<NautiljonEntry> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Elements trs = doc.select(ROWS);
        int n = 0;
        for (Element tr : trs) {
            n++;
            Elements td = tr.select(CELLS);
            if (td.size() < 4) {
                problems.add("row " + n + ": " + td.size() + " cells");
                continue;
            }
            Element link = td.get(0).selectFirst(LINK);
            if (link == null) {
                problems.add("row " + n + ": no link in the first cell");
                continue;
            }
            Element titleLink = td.get(1).selectFirst(TITLE);
            if (titleLink == null) {
                problems.add("row " + n + ": no a.eTitre");
                continue;
            }
            if (!titleLink.children().isEmpty()) {
                problems.add("row " + n + ": a.eTitre not closed");
                continue;
            }
            String href = link.attr("href").strip();
            String slug = null;
            if (!href.startsWith("javascript:")) {
                slug = href.substring(href.lastIndexOf('/') + 1);
                if (slug.endsWith(".html")) {
                    slug = slug.substring(0, slug.length() - 5);
                }
                if (slug.isEmpty()) {
                    problems.add("row " + n + ": empty slug in " + href);
                    continue;
                }
            }
            Integer entryId = null;
            Element img = td.get(0).selectFirst(IMAGE);
            if (img != null) {
                Matcher m = ENTRY_ID.matcher(img.attr("src"));
                if (m.find()) {
                    entryId = Normalize.positiveInt(m.group(1));
                }
            }
            Element small = td.get(1).selectFirst(INFOS);
            rows.add(new NautiljonEntry(text(titleLink), small == null ? null : unparen(text(small)), slug, entryId,
                    text(td.get(2)), text(td.get(3))));
        }
        Integer lastOffset = null;
        Element lastLink = doc.selectFirst(LAST_PAGE);
        if (lastLink != null) {
            Matcher m = DBT.matcher(lastLink.attr("href"));
            if (m.find()) {
                lastOffset = offset(m.group(1));
            }
        }
        return new Page(List.copyOf(rows), List.copyOf(problems), lastOffset);
    }

    /**
     * @param digits the {@code dbt} value of a pagination link (ASCII digits)
     * @return the offset
     * @throws PageException when it is beyond {@link #MAX_OFFSET}
     */
    private static int offset(String digits) {
        long v = 0;
        for (int i = 0; i < digits.length(); i++) {
            v = v * 10 + (digits.charAt(i) - '0');
            if (v > MAX_OFFSET) {
                throw new PageException("pagination offset dbt="
                        + (digits.length() > 20 ? digits.substring(0, 20) + "…" : digits) + " is beyond " + MAX_OFFSET);
            }
        }
        return (int) v;
    }

    /**
     * @param s French title as shown, e.g. {@code (AKIRA (TV))}
     * @return without exactly one leading {@code (} and one trailing {@code )}: {@code AKIRA (TV)}
     */
    static String unparen(String s) {
        String t = s;
        if (t.startsWith("(")) {
            t = t.substring(1);
        }
        if (t.endsWith(")")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    /**
     * @param el element
     * @return its whole text (every character kept) without surrounding whitespace
     */
    static String text(Element el) {
        return el.wholeText().strip();
    }
}
