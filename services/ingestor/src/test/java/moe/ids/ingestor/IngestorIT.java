package moe.ids.ingestor;

import moe.ids.store.Meta;
import moe.ids.store.RedisReader;
import moe.ids.store.RedisStore;
import moe.ids.store.Tuning;
import moe.ids.testing.SyntheticData;
import moe.ids.testing.ChangeSets;
import moe.ids.core.changeset.ChangeSet;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.core.entry.MappingKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Applying change sets against real PostgreSQL and Redis: order, idempotence, gaps, resyncs, replicas. */
class IngestorIT {
    private static final int N = 6000;
    private static final TreeMap<Long, AnimeEntry> A = SyntheticData.a(N, 1);
    private static final TreeMap<Long, AnimeEntry> B = SyntheticData.b(A, 2);
    private static final TreeMap<Long, AnimeEntry> C = SyntheticData.b(B, 3);

    private TestEnv env;

    @BeforeEach
    void setUp() {
        env = new TestEnv("ingestor");
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    @Test
    void aThenBEqualsAFreshLoadOfB() throws Exception {
        Ingestor ingestor = env.ingestor(Duration.ofSeconds(60));
        TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), A), null);
        assertEquals(1, ingestor.syncOnce());
        assertEquals(RedisState.expected(1, A), env.state());
        long genA = env.reader().meta().generation();

        ChangeSet ab = ChangeSets.diff(2, 1, A, B);
        assertThat(ab.mapDel(), not(empty()));
        TestOutbox.publish(env.db, ab, null);
        assertEquals(2, ingestor.syncOnce());
        assertEquals(genA, env.reader().meta().generation(), "a→b is applied in place, not reloaded");
        RedisState incremental = env.state();
        assertEquals(RedisState.expected(2, B), incremental);

        // stale mapping keys of a are gone, for readers too
        RedisReader reader = env.reader();
        for (String k : ab.mapDel()) {
            assertEquals(Optional.empty(), reader.lookup(k), k);
        }
        for (long id : ab.delete()) {
            assertEquals(null, reader.entries(List.of(id)).getValue().getFirst());
        }
        // every key of b resolves to the exact canonical bytes
        Map<String, Long> bMap = SyntheticData.mappings(B);
        RedisReader.Lookups all = reader.findAll(List.copyOf(bMap.keySet()));
        assertEquals(2, all.version());
        int i = 0;
        for (Map.Entry<String, Long> e : bMap.entrySet()) {
            RedisReader.Hit hit = all.hits().get(i++).orElseThrow(() -> new AssertionError(e.getKey()));
            assertEquals(e.getValue(), hit.id());
            assertEquals(new String(CanonicalJson.toBytes(B.get(e.getValue())), StandardCharsets.UTF_8),
                    new String(hit.json(), StandardCharsets.UTF_8));
        }

        // a fresh full load of b (another prefix, same database) holds exactly the same
        try (TestEnv fresh = new TestEnv("ingestorfresh")) {
            TestOutbox.publish(fresh.db, ChangeSets.diff(2, 0, Map.of(), B), null);
            fresh.ingestor(Duration.ofSeconds(60)).syncOnce();
            assertEquals(fresh.state(), incremental);
        }
        assertEquals(2, new Outbox(moe.ids.db.Db.over(env.db)).reportedVersion("default"));
        // nothing but the served generation and the bookkeeping keys remain
        assertEquals(expectedKeys(env, env.reader().meta()), RedisState.keys(env.redis, env.prefix));
    }

    @Test
    void replayOfAnOldVersionIsANoOp() throws Exception {
        Ingestor ingestor = env.ingestor(Duration.ofSeconds(60));
        ChangeSet v1 = ChangeSets.diff(1, 0, Map.of(), A);
        ChangeSet v2 = ChangeSets.diff(2, 1, A, B);
        TestOutbox.publish(env.db, v1, null);
        TestOutbox.publish(env.db, v2, null);
        ingestor.syncOnce();
        RedisState before = env.state();
        RedisStore store = new RedisStore(env.redis, env.layout, Tuning.DEFAULT, new IngestorMetrics());
        assertEquals(RedisStore.Outcome.ALREADY, store.apply(v1, null));
        assertEquals(RedisStore.Outcome.ALREADY, store.apply(v2, null));
        assertEquals(before, env.state());
        assertEquals(RedisState.expected(2, B), before);
    }

    @Test
    void aGapIsFilledFromTheOutboxInOrder() throws Exception {
        Ingestor ingestor = env.ingestor(Duration.ofSeconds(60));
        TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), A), null);
        ingestor.syncOnce();
        long gen = env.reader().meta().generation();
        TestOutbox.publish(env.db, ChangeSets.diff(2, 1, A, B), null);
        TestOutbox.publish(env.db, ChangeSets.diff(3, 2, B, C), null);
        RedisStore store = new RedisStore(env.redis, env.layout, Tuning.DEFAULT, new IngestorMetrics());
        assertEquals(RedisStore.Outcome.GAP, store.apply(ChangeSets.diff(3, 2, B, C), null));
        assertEquals(3, ingestor.syncOnce());
        assertEquals(gen, env.reader().meta().generation(), "filled incrementally");
        assertEquals(RedisState.expected(3, C), env.state());
    }

    @Test
    void redisBehindWhatTheOutboxHoldsResyncsFromThePublishedState() throws Exception {
        Ingestor ingestor = env.ingestor(Duration.ofSeconds(60));
        TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), A), null);
        ingestor.syncOnce();
        long gen = env.reader().meta().generation();
        TestOutbox.publish(env.db, ChangeSets.diff(2, 1, A, B), null);
        TestOutbox.publish(env.db, ChangeSets.diff(3, 2, B, C), "{\"counts\":{\"anidb\":7,\"total\":9},"
                + "\"sources\":{\"aod\":{\"updated\":\"2026-01-02T03:04:05Z\",\"records\":9,\"result\":\"Changed\"}}}");
        TestOutbox.prune(env.db, List.of(2L));
        assertEquals(3, ingestor.syncOnce());
        Meta meta = env.reader().meta();
        assertThat(meta.generation(), not(is(gen)));
        RedisState s = env.state();
        assertEquals(RedisState.expected(3, C).mappings(), s.mappings());
        assertEquals(RedisState.expected(3, C).entries(), s.entries());
        assertEquals(Map.of("anidb", 7L, "total", 9L), meta.counts(), "counts come from the merge report");
        assertEquals(new Meta.Source("2026-01-02T03:04:05Z", 9L, "Changed"), meta.sources().get("aod"));
        assertEquals(expectedKeys(env, meta), RedisState.keys(env.redis, env.prefix), "old generation dropped");
    }

    @Test
    void tooLargeChangeSetsGoThroughAStagedLoad() throws Exception {
        Ingestor ingestor = env.ingestor(Duration.ofSeconds(60), new Tuning(64, 32, 5000, 100, Duration.ofSeconds(30)));
        TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), A), null);
        ingestor.syncOnce();
        TestOutbox.publish(env.db, ChangeSets.diff(2, 1, A, B), null);
        long gen = env.reader().meta().generation();
        ingestor.syncOnce();
        assertThat(env.reader().meta().generation(), not(is(gen)));
        assertEquals(RedisState.expected(2, B), env.state());
    }

    @Test
    void listensForNewChangeSets() throws Exception {
        Ingestor ingestor = env.ingestor(Duration.ofSeconds(120)).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> env.reader().metaIfPresent().isPresent());
        assertEquals(0, env.reader().meta().version());
        TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), A), null);
        await().atMost(Duration.ofSeconds(20)).until(() -> env.reader().meta().version() == 1);
        TestOutbox.publish(env.db, ChangeSets.diff(2, 1, A, B), null);
        await().atMost(Duration.ofSeconds(20)).until(() -> env.reader().meta().version() == 2);
        assertEquals(RedisState.expected(2, B), env.state());
        assertThat(ingestor.problem(), is(Optional.empty()));
        await().atMost(Duration.ofSeconds(10)).until(() -> new Outbox(moe.ids.db.Db.over(env.db)).reportedVersion("default") == 2);
    }

    @Test
    void twoIngestorsAtOnce() throws Exception {
        TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), A), null);
        Ingestor one = env.ingestor(Duration.ofSeconds(1)).start();
        Ingestor two = env.ingestor(Duration.ofSeconds(1)).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> env.reader().metaIfPresent().map(Meta::version).orElse(0L) == 1);
        TreeMap<Long, AnimeEntry> prev = A;
        for (long v = 2; v <= 6; v++) {
            TreeMap<Long, AnimeEntry> next = SyntheticData.b(prev, v * 10);
            TestOutbox.publish(env.db, ChangeSets.diff(v, v - 1, prev, next), null);
            prev = next;
        }
        TreeMap<Long, AnimeEntry> last = prev;
        await().atMost(Duration.ofSeconds(60)).until(() -> env.reader().meta().version() == 6
                && one.problem().isEmpty() && two.problem().isEmpty());
        assertEquals(RedisState.expected(6, last), env.state());
        // both resyncing at once from empty: one wins, the other's generation is dropped
        RedisState.clear(env.redis, env.prefix);
        await().atMost(Duration.ofSeconds(60)).until(() -> env.reader().metaIfPresent().isPresent());
        assertEquals(RedisState.expected(6, last), env.state());
        one.close();
        two.close();
        new RedisStore(env.redis, env.layout, Tuning.DEFAULT, new IngestorMetrics()).collectGarbage();
        TreeSet<String> keys = RedisState.keys(env.redis, env.prefix);
        keys.removeIf(k -> k.startsWith(env.prefix + "build:"));
        assertEquals(expectedKeys(env, env.reader().meta()), keys);
    }

    @Test
    void readerSeesMappingKeysOfEveryShape() throws Exception {
        TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), A), null);
        env.ingestor(Duration.ofSeconds(60)).syncOnce();
        AnimeEntry withTrakt = A.values().stream().filter(e -> e.trakt() != null).findFirst().orElseThrow();
        String season = MappingKeys.trakt("shows", withTrakt.trakt(), withTrakt.traktSeason());
        assertTrue(env.reader().lookup(season).isPresent());
        AnimeEntry unicode = A.values().stream().filter(e -> e.animeplanet() != null && !e.animeplanet().matches("\\p{ASCII}+"))
                .findFirst().orElseThrow();
        assertEquals(new String(CanonicalJson.toBytes(unicode), StandardCharsets.UTF_8), new String(env.reader()
                .lookup("animeplanet/" + unicode.animeplanet()).orElseThrow(), StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), env.reader().lookup("myanimelist/999999999"));
    }

    static TreeSet<String> expectedKeys(TestEnv env, Meta m) {
        TreeSet<String> keys = new TreeSet<>(List.of(env.layout.meta(), env.layout.generations(),
                env.layout.generationSequence()));
        keys.addAll(RedisState.keys(env.redis, env.prefix + "g" + m.generation() + ":"));
        return keys;
    }
}
