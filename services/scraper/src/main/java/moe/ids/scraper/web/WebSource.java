package moe.ids.scraper.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.CollectionType;
import moe.ids.scraper.http.HttpSettings;
import moe.ids.scraper.http.UpstreamClient;
import moe.ids.scraper.http.UpstreamException;
import moe.ids.scraper.source.Fetched;
import moe.ids.scraper.source.InvalidSourceException;
import moe.ids.scraper.source.Source;
import moe.ids.db.snapshot.SourceState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.stream.Collectors;

/**
 * A scraped site as a {@link Source}: the crawl happens in {@link #fetch}, which returns the records as canonical
 * JSON (so {@code SourceRunner}'s SHA-256 change detection, count floor and storage apply unchanged) and
 * {@link #parse} reads that JSON back. Adds the re-scrape interval and resumable progress.
 *
 * @param <R> record type
 */
public abstract class WebSource<R> implements Source {
    /** Shared JSON mapper. */
    protected static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(WebSource.class.getName());

    private final String name;
    private final Class<R> type;
    /** Settings, progress and store. */
    protected final WebContext context;

    /**
     * @param name    source name
     * @param type    record type
     * @param context settings, progress and store
     */
    protected WebSource(String name, Class<R> type, WebContext context) {
        this.name = name;
        this.type = type;
        this.context = context;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Class<?> recordType() {
        return type;
    }

    /**
     * @return this site's politeness
     */
    protected abstract SiteSettings site();

    /**
     * @return why the source cannot run at all (e.g. no credentials), or empty
     */
    protected Optional<String> precondition() {
        return Optional.empty();
    }

    /**
     * Crawls the site.
     *
     * @param http     a client with this site's settings
     * @param pacer    pauses between requests
     * @param previous the last good state, or null
     * @return the records in a stable order, and a note for the result message
     * @throws UpstreamException when the scrape cannot complete (the last good snapshot stays)
     */
    protected abstract Scraped<R> scrape(UpstreamClient http, Pacer pacer, SourceState previous);

    /**
     * What a crawl produced.
     *
     * @param records records in a stable order
     * @param note    summary for the result message
     * @param <R>     record type
     */
    protected record Scraped<R>(List<R> records, String note) {
    }

    @Override
    public Optional<String> skipReason(SourceState previous, boolean force, HttpSettings http) {
        Optional<String> pre = precondition();
        if (pre.isPresent() || force || http.mirror().isPresent()) {
            return pre;
        }
        if (context.progress().unfinished(name).isPresent()) {
            return Optional.empty();
        }
        Duration interval = site().interval();
        Instant last = context.store().flatMap(s -> s.lastSuccess(name))
                .orElse(previous == null ? null : previous.updatedAt());
        if (last == null || interval.isZero()) {
            return Optional.empty();
        }
        Instant next = last.plus(interval);
        if (Instant.now().isBefore(next)) {
            return Optional.of("scraped successfully at " + last.truncatedTo(ChronoUnit.SECONDS)
                    + "; re-scrape interval " + interval.toHours() + " h not over before "
                    + next.truncatedTo(ChronoUnit.SECONDS) + " (--force overrides)");
        }
        return Optional.empty();
    }

    @Override
    public Fetched fetch(UpstreamClient http, SourceState previous, boolean force) {
        HttpSettings settings = site().http(http.settings());
        try (UpstreamClient client = new UpstreamClient(settings)) {
            Scraped<R> scraped = scrape(client, new Pacer(site(), settings.mirror().isEmpty()), previous);
            byte[] raw;
            try {
                raw = JSON.writeValueAsBytes(scraped.records());
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            return new Fetched(false, 200, raw, null, null, "zstd", scraped.note());
        }
    }

    @Override
    public List<R> parse(byte[] raw) {
        CollectionType listType = JSON.getTypeFactory().constructCollectionType(List.class, type);
        List<R> records;
        try {
            records = JSON.readValue(raw, listType);
        } catch (IOException ex) {
            throw new InvalidSourceException("scraped records do not read back: " + ex.getMessage(), ex);
        }
        // a JSON null reads back as no list at all, and [null] as a list holding no record
        if (records == null || records.contains(null)) {
            throw new InvalidSourceException("scraped records do not read back: not an array of "
                    + type.getSimpleName() + " objects");
        }
        return records;
    }

    /**
     * @param pacer pauses
     * @return a crawler for this source
     */
    protected Crawler<R> crawler(Pacer pacer) {
        return new Crawler<>(name, site(), pacer, context.progress(), type);
    }

    /**
     * @param planPrefix how this source's plans start
     * @return the unfinished crawl of this source, if it is young enough to resume
     */
    protected Optional<ProgressStore.Run> resumable(String planPrefix) {
        Instant oldest = Instant.now().minus(context.settings().resumeMaxAge());
        return context.progress().unfinished(name)
                .filter(r -> r.plan().startsWith(planPrefix) && r.startedAt().isAfter(oldest));
    }

    /**
     * Takes over the pages of an unfinished crawl.
     *
     * @param run     the crawl
     * @param crawler to decode its pages
     * @return records by unit
     */
    protected Map<Integer, List<R>> resume(ProgressStore.Run run, Crawler<R> crawler) {
        LOG.log(System.Logger.Level.INFO, "{0}: resuming the crawl started at {1} ({2}): {3} of {4} pages already "
                + "fetched", name, run.startedAt(), run.plan(), run.pages().size(), run.totalUnits());
        Map<Integer, List<R>> done = new HashMap<>();
        run.pages().forEach((u, json) -> done.put(u, crawler.decode(json)));
        return done;
    }

    /**
     * Starts a new crawl (dropping an older unfinished one).
     *
     * @param plan  what it covers
     * @param total pages in it
     */
    protected void begin(String plan, int total) {
        context.progress().begin(name, plan, total);
    }

    /**
     * Ends a crawl: more failed pages than tolerated fail the scrape and keep the progress for the next run;
     * otherwise the progress is dropped.
     *
     * @param result    the crawl
     * @param label     how pages are called in the message ({@code page}, {@code id})
     * @param unitLabel how one page is named ({@code page 5}, {@code dbt=30})
     * @throws UpstreamException when too many pages failed
     */
    protected void complete(Crawler.Result<R> result, String label, java.util.function.IntFunction<String> unitLabel) {
        SortedMap<Integer, String> failed = result.failed();
        if (failed.size() > site().maxFailed()) {
            String list = failed.entrySet().stream().limit(10).map(e -> unitLabel.apply(e.getKey()) + " ("
                    + e.getValue() + ")").collect(Collectors.joining(", "));
            throw new UpstreamException("scrape incomplete: " + failed.size() + " " + label
                    + (failed.size() == 1 ? "" : "s") + " failed: " + list + (failed.size() > 10 ? ", …" : "") + "; "
                    + result.pages().size() + " fetched " + label + "s kept for the next run", 0, null);
        }
        context.progress().finish(name);
    }
}
