package moe.ids.ingestor;

import moe.ids.store.Published;
import moe.ids.store.RedisReader;
import moe.ids.store.RedisStore;
import moe.ids.store.Tuning;
import moe.ids.testing.SyntheticData;
import moe.ids.testing.ChangeSets;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.core.error.UnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SIGKILLs a separate ingestor JVM ({@link CrashChild}) at random points of a full load from empty, an
 * incremental apply, and a staged resync that replaces a served dataset. After each kill Redis holds one
 * published state (or, for the load from empty, nothing yet); after the restart it holds the newest one; and a
 * concurrent reader checking every read against the version it came with never sees a mix (nor an empty store
 * while a dataset is served). The restart after each kill runs in-process (the same wiring as the child).
 * Kill points are spread uniformly over the child's measured run time.
 */
class CrashSafetyIT {
    private static final System.Logger LOG = System.getLogger(CrashSafetyIT.class.getName());
    /** Entries per dataset: with batches of 500 fields a load is still well over a hundred separate writes to kill between. */
    private static final int N = 3000;
    private static final int KILLS_PER_SCENARIO = Integer.getInteger("crash.kills", 10);
    private static final TreeMap<Long, AnimeEntry> A = SyntheticData.a(N, 11);
    private static final TreeMap<Long, AnimeEntry> B = SyntheticData.b(A, 12);
    private static final TreeMap<Long, AnimeEntry> C = SyntheticData.b(B, 13);
    private static final RedisState STATE_A = RedisState.expected(1, A);
    private static final RedisState STATE_B = RedisState.expected(2, B);
    private static final RedisState STATE_C = RedisState.expected(3, C);

    private static final AtomicLong KILLS = new AtomicLong();
    private static final AtomicLong MID_RUN = new AtomicLong();
    private static final AtomicLong READS = new AtomicLong();
    private static final AtomicLong TORN = new AtomicLong();
    private static final Random RANDOM = new Random(42);

    @AfterAll
    static void report() {
        String line = String.format("CRASH-SAFETY kills=%d (before the child finished: %d) reads=%d torn=%d",
                KILLS.get(), MID_RUN.get(), READS.get(), TORN.get());
        LOG.log(System.Logger.Level.INFO, line);
        System.err.println(line);
    }

    @Test
    void killedDuringAFullLoadFromEmpty() throws Exception {
        try (TestEnv env = new TestEnv("crashfull")) {
            TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), A), null);
            run(env, List.of(STATE_A), STATE_A, true, () -> RedisState.clear(env.redis, env.prefix));
        }
    }

    @Test
    void killedDuringAnIncrementalApply() throws Exception {
        try (TestEnv env = new TestEnv("crashincr")) {
            TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), A), null);
            TestOutbox.publish(env.db, ChangeSets.diff(2, 1, A, B), null);
            run(env, List.of(STATE_A, STATE_B), STATE_B, false, () -> serveA(env));
        }
    }

    @Test
    void killedDuringAStagedResyncReplacingAServedDataset() throws Exception {
        try (TestEnv env = new TestEnv("crashresync")) {
            TestOutbox.publish(env.db, ChangeSets.diff(1, 0, Map.of(), A), null);
            TestOutbox.publish(env.db, ChangeSets.diff(2, 1, A, B), null);
            TestOutbox.publish(env.db, ChangeSets.diff(3, 2, B, C), null);
            TestOutbox.prune(env.db, List.of(2L)); // Redis at 1 cannot reach 3 incrementally: staged full load
            run(env, List.of(STATE_A, STATE_C), STATE_C, false, () -> serveA(env));
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
                new RedisStore(env.redis, env.layout, Tuning.DEFAULT, new IngestorMetrics()).collectGarbage();
                return IngestorIT.expectedKeys(env, env.reader().meta()).equals(RedisState.keys(env.redis, env.prefix));
            });
        }
    }

    private static void run(TestEnv env, List<RedisState> allowed, RedisState last, boolean emptyAllowed,
                            Runnable reset) throws Exception {
        Map<Long, Map<String, String>> expected = expectedReads(allowed);
        List<String> sample = List.copyOf(expected.values().iterator().next().keySet());
        // calibration: one uninterrupted run measures how long the child works after READY
        reset.run();
        long work = runChild(env, -1);
        assertEquals(last, env.state());
        LOG.log(System.Logger.Level.INFO, "child works {0} ms after READY", work);
        Ingestor restarted = env.ingestor(Duration.ofSeconds(60));
        for (int i = 0; i < KILLS_PER_SCENARIO; i++) {
            reset.run();
            long delay = (long) (RANDOM.nextDouble() * work * 1.1);
            AtomicBoolean stop = new AtomicBoolean();
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            Thread reader = Thread.ofPlatform().start(() -> read(env, sample, expected, emptyAllowed, stop, problems));
            try {
                runChild(env, delay);
            } finally {
                stop.set(true);
                reader.join();
            }
            assertEquals(List.of(), problems.subList(0, Math.min(5, problems.size())));
            if (env.reader().metaIfPresent().isPresent()) {
                RedisState now = env.state();
                if (!allowed.contains(now)) {
                    fail("after kill " + i + " Redis holds version " + now.version() + " but not its published state");
                }
            } else if (!emptyAllowed) {
                fail("after kill " + i + " Redis serves nothing");
            }
            // restart (in-process, same code as the child, to keep the suite short): Redis reaches the head
            assertEquals(last.version(), restarted.syncOnce());
            assertEquals(last, env.state(), "after restart " + i);
        }
    }

    private static void read(TestEnv env, List<String> sample, Map<Long, Map<String, String>> expected,
                             boolean emptyAllowed, AtomicBoolean stop, List<String> problems) {
        RedisReader r = env.reader();
        while (!stop.get()) {
            try {
                RedisReader.Lookups l = r.findAll(sample);
                Map<String, String> want = expected.get(l.version());
                for (int k = 0; k < sample.size(); k++) {
                    String got = l.hits().get(k).map(h -> new String(h.json(), StandardCharsets.UTF_8)).orElse(null);
                    if (want == null || !Objects.equals(want.get(sample.get(k)), got)) {
                        TORN.incrementAndGet();
                        problems.add("version " + l.version() + " key " + sample.get(k) + ": " + got);
                        break;
                    }
                }
                READS.incrementAndGet();
            } catch (UnavailableException ex) {
                if (!emptyAllowed) {
                    problems.add("empty store served: " + ex.getMessage());
                }
            }
        }
    }

    /** 300 keys of all allowed states, with what each state answers for them. */
    private static Map<Long, Map<String, String>> expectedReads(List<RedisState> states) {
        TreeSet<String> keys = new TreeSet<>();
        states.forEach(s -> keys.addAll(s.mappings().keySet()));
        List<String> all = new ArrayList<>(keys);
        Collections.shuffle(all, new Random(7));
        List<String> sample = all.subList(0, 300);
        Map<Long, Map<String, String>> expected = new HashMap<>();
        for (RedisState s : states) {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            for (String k : sample) {
                Long id = s.mappings().get(k);
                m.put(k, id == null ? null : s.entries().get(id));
            }
            expected.put(s.version(), m);
        }
        return expected;
    }

    /** Makes Redis serve a at version 1 (a staged load of a, whatever the outbox head is). */
    private static void serveA(TestEnv env) {
        RedisState.clear(env.redis, env.prefix);
        List<Published.IdJson> entries = new ArrayList<>();
        A.forEach((id, e) -> entries.add(new Published.IdJson(id, CanonicalJson.toBytes(e))));
        List<Published.KeyId> mappings = new ArrayList<>();
        STATE_A.mappings().forEach((k, id) -> mappings.add(new Published.KeyId(k, id)));
        assertTrue(new RedisStore(env.redis, env.layout, Tuning.DEFAULT, new IngestorMetrics())
                .load(new Published(1, Instant.now(), null, entries, mappings), -1));
    }

    /**
     * Runs the child; with {@code killAfterMs >= 0} SIGKILLs it that long after READY.
     *
     * @return ms from READY to exit when it ran to completion (exit 0), -1 when it failed, the delay when killed
     */
    private static long runChild(TestEnv env, long killAfterMs) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        File log = Path.of("target", "crash-child.log").toFile();
        String jdbc = env.dbUrl.jdbcUrl() + (env.dbUrl.user() == null ? ""
                : (env.dbUrl.jdbcUrl().contains("?") ? "&" : "?") + "user=" + env.dbUrl.user());
        Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp",
                System.getProperty("java.class.path"), CrashChild.class.getName(), jdbc, env.redisUrl.toString()
                .replace("***", env.redisUrl.password() == null ? "" : env.redisUrl.password()), env.prefix, "500")
                .redirectError(ProcessBuilder.Redirect.appendTo(log))
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY")) {
                // wait until the child is connected
            }
            long ready = System.nanoTime();
            if (killAfterMs < 0) {
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child finishes");
                return p.exitValue() == 0 ? (System.nanoTime() - ready) / 1_000_000 : -1;
            }
            boolean finished = p.waitFor(killAfterMs, TimeUnit.MILLISECONDS);
            p.destroyForcibly().waitFor();
            KILLS.incrementAndGet();
            if (!finished) {
                MID_RUN.incrementAndGet();
            }
            return killAfterMs;
        } finally {
            p.destroyForcibly();
        }
    }
}
