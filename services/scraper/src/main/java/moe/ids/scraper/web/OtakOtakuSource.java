package moe.ids.scraper.web;

import com.fasterxml.jackson.databind.JsonNode;
import moe.ids.scraper.http.HttpResponse;
import moe.ids.scraper.http.UpstreamClient;
import moe.ids.scraper.http.UpstreamException;
import moe.ids.scraper.source.Normalize;
import moe.ids.core.snapshot.Records.OtakOtakuEntry;
import moe.ids.db.snapshot.SourceState;
import org.jsoup.nodes.Element;
import org.jsoup.parser.Parser;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Otak Otaku ({@code otakotaku.com}): the highest ID from {@code /anime/feed}, then
 * {@code /api/anime/view/{id}} for every ID up to it. IDs without anime ({@code status: false}, 404) are counted;
 * an unreadable answer (not JSON, empty, error status) is retried and then counted as failed, and the ID keeps
 * its last known record, never read as "deleted". More than {@code max-failed} failed IDs fail the scrape.
 */
public final class OtakOtakuSource extends WebSource<OtakOtakuEntry> {
    private static final System.Logger LOG = System.getLogger(OtakOtakuSource.class.getName());
    /** Source name. */
    public static final String NAME = "otakotaku";
    /** Feed of the newest anime. */
    public static final String FEED = "https://otakotaku.com/anime/feed";
    /** API prefix; the ID follows. */
    public static final String API = "https://otakotaku.com/api/anime/view/";
    private static final String PLAN = "otakotaku ids 1..";
    private static final Map<String, String> HEADERS = Map.of("Referer", "https://otakotaku.com/",
            "Accept", "application/json");

    /**
     * @param context settings, progress and store
     */
    public OtakOtakuSource(WebContext context) {
        super(NAME, OtakOtakuEntry.class, context);
    }

    @Override
    public List<String> urls() {
        return List.of(FEED, API + "{id}");
    }

    @Override
    protected SiteSettings site() {
        return context.settings().otakotaku();
    }

    @Override
    protected Scraped<OtakOtakuEntry> scrape(UpstreamClient http, Pacer pacer, SourceState previous) {
        Crawler<OtakOtakuEntry> crawler = crawler(pacer);
        Optional<ProgressStore.Run> run = resumable(PLAN);
        int max;
        Map<Integer, List<OtakOtakuEntry>> done;
        if (run.isPresent()) {
            max = run.get().totalUnits();
            done = resume(run.get(), crawler);
        } else {
            pacer.beforeRequest();
            HttpResponse feed = http.get(FEED, HEADERS);
            if (feed.status() != 200) {
                throw new UpstreamException("HTTP " + feed.status() + " from " + FEED, feed.status(), null);
            }
            max = latestId(feed.body()).orElseThrow(() -> new UpstreamException("no anime ID in the first "
                    + "div.anime-img > a of " + FEED, feed.status(), null));
            begin(PLAN + max, max);
            done = new HashMap<>();
        }
        Crawler.Result<OtakOtakuEntry> result = crawler.crawl(IntStream.rangeClosed(1, max).boxed().toList(), done,
                id -> fetchId(http, id), id -> "id " + id);
        complete(result, "id", id -> "id " + id);
        long empty = result.pages().values().stream().filter(List::isEmpty).count();
        List<OtakOtakuEntry> records = new ArrayList<>(result.records());
        int resumed = run.map(r -> r.pages().size()).orElse(0);
        String note = max + " IDs, " + empty + " without anime (" + resumed + " resumed)";
        if (!result.failed().isEmpty()) {
            Map<Integer, OtakOtakuEntry> known = context.store()
                    .flatMap(s -> s.records(NAME, OtakOtakuEntry.class))
                    .map(l -> l.stream().collect(Collectors.toMap(OtakOtakuEntry::id, e -> e, (a, b) -> a)))
                    .orElse(Map.of());
            List<Integer> kept = new ArrayList<>();
            for (int id : result.failed().keySet()) {
                OtakOtakuEntry e = known.get(id);
                if (e != null) {
                    records.add(e);
                    kept.add(id);
                }
            }
            records.sort(java.util.Comparator.comparingInt(OtakOtakuEntry::id));
            note += "; " + result.failed().size() + " unreadable: " + result.failed().entrySet().stream().limit(10)
                    .map(e -> "id " + e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "))
                    + "; last known record kept for " + kept.size();
            LOG.log(System.Logger.Level.WARNING, "otakotaku: {0}", note);
        }
        return new Scraped<>(records, note);
    }

    private static List<OtakOtakuEntry> fetchId(UpstreamClient http, int id) {
        HttpResponse r = http.get(API + id, HEADERS);
        if (r.status() == 404) {
            return List.of();
        }
        if (r.status() != 200) {
            throw new PageException("HTTP " + r.status());
        }
        return parseAnswer(id, r.body(), r.header("Content-Type").orElse("?"));
    }

    /**
     * Reads one API answer.
     *
     * @param id          the ID asked for
     * @param body        answer bytes
     * @param contentType its content type (for the message)
     * @return the anime, or nothing for an ID without anime ({@code status: false}, no data, no title)
     * @throws PageException when the answer is empty or not JSON
     */
    public static List<OtakOtakuEntry> parseAnswer(int id, byte[] body, String contentType) {
        if (body.length == 0 || new String(body, 0, Math.min(body.length, 64),
                java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw new PageException("empty answer");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException ex) {
            throw new PageException("not JSON (" + contentType + ")");
        }
        if (root == null || !root.isObject()) {
            throw new PageException("not a JSON object (" + contentType + ")");
        }
        JsonNode data = root.get("data");
        if (!root.path("status").asBoolean(false) || data == null || !data.isObject()) {
            return List.of();
        }
        JsonNode judul = data.get("judul_anime");
        String title = judul == null || !judul.isTextual() ? null : judul.textValue();
        if (title == null || title.isBlank()) {
            return List.of();
        }
        Integer own = Normalize.positiveInt(data.get("id_anime"));
        return List.of(new OtakOtakuEntry(own == null ? id : own, Parser.unescapeEntities(title, false),
                Normalize.positiveInt(data.get("mal_id_anime")), Normalize.text(data.get("ap_id_anime")),
                Normalize.positiveInt(data.get("anidb_id_anime")), Normalize.positiveInt(data.get("ann_id_anime"))));
    }

    /**
     * @param html the feed page
     * @return the ID in the first {@code div.anime-img > a} ({@code …/anime/view/{id}/{slug}/}: the second-last
     *         path segment)
     */
    public static Optional<Integer> latestId(byte[] html) {
        Element a = KaizeSource.html(html, FEED).selectFirst("div.anime-img > a");
        if (a == null) {
            return Optional.empty();
        }
        String href = a.attr("href").strip();
        while (href.endsWith("/")) {
            href = href.substring(0, href.length() - 1);
        }
        String[] parts = href.split("/");
        return parts.length < 2 ? Optional.empty() : Optional.ofNullable(Normalize.positiveInt(parts[parts.length - 2]));
    }
}
