package moe.ids.scraper.web;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A site limited to one page at a time is crawled one page at a time, except from a mirror (pauses off), where
 * four pages are fetched at once: the limit spares the site, and the mirror is a local replay.
 */
class CrawlerConcurrencyTest {
    private static final SiteSettings ONE_AT_A_TIME = SiteSettings.of(1, 0, 0, 14, 0);

    @Test
    void aSiteLimitedToOnePageIsCrawledOneAtATime() {
        assertEquals(1, mostAtOnce(new Pacer(ONE_AT_A_TIME, true)));
    }

    @Test
    void fromAMirrorFourPagesAreFetchedAtOnce() {
        assertEquals(4, mostAtOnce(new Pacer(ONE_AT_A_TIME, false)));
    }

    /** Crawls 40 pages, each taking 20 ms, and returns how many were being fetched at once at most. */
    private static int mostAtOnce(Pacer pacer) {
        Crawler<String> crawler = new Crawler<>("test", ONE_AT_A_TIME, pacer, ProgressStore.inMemory(), String.class);
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Crawler.Result<String> result = crawler.crawl(IntStream.rangeClosed(1, 40).boxed().toList(), Map.of(),
                unit -> {
                    most.accumulateAndGet(now.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        now.decrementAndGet();
                    }
                    return List.of("page " + unit);
                }, unit -> "page " + unit);
        assertEquals(40, result.pages().size());
        return most.get();
    }
}
