package moe.ids.system;

import moe.ids.merger.MergeService;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import moe.ids.core.config.DatabaseUrl;
import moe.ids.core.config.RedisUrl;
import moe.ids.db.Database;
import moe.ids.db.Db;
import moe.ids.db.Migrations;
import moe.ids.testing.TestDatabases;
import moe.ids.store.RedisKeys;
import moe.ids.ingestor.Ingestor;
import moe.ids.ingestor.IngestorConfig;
import moe.ids.store.Layout;
import moe.ids.store.RedisClients;
import moe.ids.store.RedisReader;
import moe.ids.store.Tuning;
import moe.ids.merger.merge.MergeSettings;
import moe.ids.replay.ReplayServer;
import moe.ids.replay.SyntheticUpstream;
import moe.ids.scraper.Scraper;
import moe.ids.scraper.ScraperConfig;
import moe.ids.scraper.http.HttpSettings;
import moe.ids.scraper.source.Outcome;
import moe.ids.scraper.source.SourceResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The synthetic upstream (what the workflow's k3s test refreshes from, where the recorded one is absent) through
 * the real pipeline: replay server → scraper → merger → change set → ingestor → Redis, on real PostgreSQL (a
 * database of its own) and Redis (a key prefix of its own). Proves the fixture valid: every source is accepted,
 * every lookup its manifest promises is served, and a second refresh finds nothing changed.
 */
class SyntheticRefreshIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REDIS = System.getenv().getOrDefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/0");

    @TempDir
    Path tmp;

    @Test
    void refreshPublishesTheManifestsLookups() throws Exception {
        Path upstream = SyntheticUpstream.write(tmp.resolve("upstream"));
        DatabaseUrl db = TestDatabases.fresh("synthetic");
        RedisUrl redisUrl = RedisUrl.parse("TEST_REDIS_URL", REDIS);
        String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + ":";
        try (ReplayServer replay = ReplayServer.start(upstream, "b");
             HikariDataSource pool = Database.pool(migrated(db), "synthetic", 6);
             RedisClient redis = RedisClients.create(redisUrl, "ids-moe-test", 4)) {
            HttpSettings http = new HttpSettings("ids.moe-test", Duration.ofSeconds(5), Duration.ofSeconds(30), 2,
                    Duration.ofMillis(20), Duration.ofMillis(200), Optional.empty(), Optional.of(replay.baseUri()));
            MergeService merger = new MergeService(Db.over(pool), MergeSettings.DEFAULTS, 0.05);
            IngestorConfig ingest = new IngestorConfig(db, redisUrl, prefix, 0, "default", Duration.ofSeconds(60),
                    Duration.ofSeconds(2), Tuning.DEFAULT);
            try (Scraper scraper = new Scraper(new ScraperConfig(db, 0, http, 4, 0.5, 1, 3), pool);
                 Ingestor ingestor = moe.ids.ingestor.Main.create(ingest, moe.ids.db.Db.over(pool), moe.ids.store.RedisPool.of(redis))) {
                List<SourceResult> first = scraper.run(SyntheticUpstream.SOURCES, false);
                assertThat(first.toString(), first.stream().map(SourceResult::result).toList(),
                        everyItem(is(Outcome.Changed)));
                MergeService.Outcome published = merger.run(false);
                assertTrue(published.published());
                assertEquals(1, published.version());
                assertEquals(6, published.upserts(), "one entry per anime of the anime-offline-database");
                assertEquals(1, ingestor.syncOnce());

                RedisReader reader = new RedisReader(redis, new Layout(new RedisKeys(prefix)));
                Map<String, JsonNode> expected = SyntheticUpstream.expectedLookups(upstream);
                assertTrue(expected.containsKey("myanimelist/1"));
                for (Map.Entry<String, JsonNode> lookup : expected.entrySet()) {
                    byte[] json = reader.lookup(lookup.getKey()).orElseThrow(
                            () -> new AssertionError(lookup.getKey() + " is not served"));
                    JsonNode entry = JSON.readTree(json);
                    lookup.getValue().properties().forEach(field -> assertEquals(field.getValue(),
                            entry.get(field.getKey()), lookup.getKey() + " " + field.getKey() + " in " + entry));
                }
                assertEquals(Optional.empty(), reader.lookup("myanimelist/999999"));

                // the rows' validators work: the next refresh is all 304s, skips the merge and publishes nothing
                List<SourceResult> second = scraper.run(SyntheticUpstream.SOURCES, false);
                assertThat(second.toString(), second.stream().map(SourceResult::result).toList(),
                        everyItem(is(Outcome.Unchanged)));
                MergeService.Outcome again = merger.run(false);
                assertTrue(again.skipped(), "no new snapshot: the merge is skipped");
                assertFalse(again.published());
                assertEquals(1, again.version());
            } finally {
                deleteKeys(redis, prefix);
            }
        } finally {
            TestDatabases.drop(db);
        }
    }

    private static DatabaseUrl migrated(DatabaseUrl db) {
        Migrations.migrate(db);
        return db;
    }

    private static void deleteKeys(RedisClient redis, String prefix) {
        List<String> keys = new ArrayList<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams match = new ScanParams().match(prefix + "*").count(1000);
        do {
            ScanResult<String> page = redis.scan(cursor, match);
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        if (!keys.isEmpty()) {
            redis.unlink(keys.toArray(String[]::new));
        }
    }
}
