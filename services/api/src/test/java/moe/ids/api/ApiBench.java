package moe.ids.api;

import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.platform.Platform;
import moe.ids.testing.Http;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * The API benchmark ({@code bench/api.sh}, see bench/README.md): loads ~35k synthetic entries through the
 * ingestor's writer ({@code RedisStore}) into its own key prefix, then starts the built API jar as processes of
 * their own on loopback, for each JVM configuration ({@code bench.unconstrained-jvm}, the flags the benchmark ran
 * the API with before; {@code bench.small-jvm}, by default the chart's {@code api.javaOptions}) one with the near
 * cache on and one with it off. It warms every route (and fills each near cache to its budget with random IDs),
 * then runs in one go:
 * {@code redis-benchmark -t get -c 64}, and rounds ({@code bench.rounds}, 3) of wrk at 64 connections on
 * {@code /robots.txt} (baseline), on 1,000 hot IDs (near cache on) and on uniformly random IDs over every mapping
 * key (near cache off), per configuration, the order of the configurations alternating between rounds, closed by
 * one more static run of each. Prints every rate, p50/p99, the resident memory (VmRSS sampled during the run, VmHWM)
 * of the process under test, its CPU and redis-server's per request and its JIT compile time; per round, each
 * configuration's ratios against the static runs around it (rates and p99s) and the small/unconstrained ratios; their
 * medians; exits non-zero when a goal is missed.
 */
public final class ApiBench {
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P50 = Pattern.compile("\\s50%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern METRIC = Pattern.compile("(?m)^([a-z_]+)(\\{[^}]*\\})? ([0-9.eE+-]+)$");

    /** The flags the benchmark ran the API with before it measured a small pod: the throughput baseline. */
    static final String UNCONSTRAINED = "-Xmx1g -XX:+UseParallelGC";
    /** Where the chart's defaults are, relative to the repository's root (the bench's working directory). */
    static final Path CHART_VALUES = Path.of("charts/ids-moe/values.yaml");

    /** Goals: small/unconstrained throughput, the small pod's resident memory, lookup p99 against static p99. */
    private static final double SMALL_RATIO_GOAL = 0.90;
    private static final long SMALL_RSS_GOAL_MIB = 200;
    private static final double P99_RATIO_GOAL = 1.5;

    private ApiBench() {
    }

    /**
     * One measured wrk run.
     *
     * @param name    what ran
     * @param rate    requests per second
     * @param p50ms   median latency
     * @param p99ms   99th percentile
     * @param errors  non-2xx/3xx answers
     * @param apiUs   CPU of the API process per request, µs (-1: not measured)
     * @param redisUs CPU of redis-server per request, µs
     * @param jitMs   the API's JIT compile time during the run (-1: unknown)
     * @param rssMiB  the API's largest VmRSS sampled during the run (-1: not measured)
     * @param hwmMiB  the API's VmHWM (peak since its start) after the run
     */
    record Run(String name, double rate, double p50ms, double p99ms, long errors, double apiUs, double redisUs,
               long jitMs, long rssMiB, long hwmMiB) {
        @Override
        public String toString() {
            String rss = rssMiB < 0 ? "" : String.format(Locale.ROOT, "  rss %4d MiB (hwm %4d)", rssMiB, hwmMiB);
            String cpu = apiUs < 0 ? "" : String.format(Locale.ROOT,
                    "  cpu/req: api %4.1f us, redis %4.1f us, jit %4d ms", apiUs, redisUs, jitMs);
            return String.format(Locale.ROOT, "%-52s %8.0f req/s  p50 %5.2f ms  p99 %6.2f ms%s%s%s", name, rate,
                    p50ms, p99ms, rss, cpu, errors > 0 ? "   NON-2XX " + errors : "");
        }
    }

    /** An API process: the built jar with one configuration's JVM flags, near cache on or off. */
    static final class ApiProcess implements AutoCloseable {
        final String name;
        final Process process;
        final String base;
        final String observe;
        final Path log;

        private ApiProcess(String name, Process process, String base, String observe, Path log) {
            this.name = name;
            this.process = process;
            this.base = base;
            this.observe = observe;
            this.log = log;
        }

        /**
         * Starts {@code java FLAGS -jar JAR} against the fixture's Redis and prefix, on free loopback ports.
         */
        static ApiProcess start(String name, String flags, long nearCacheBytes, Fixture data, Path dir)
                throws IOException {
            int port = freePort();
            int observe = freePort();
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String f : flags.strip().split("\\s+")) {
                if (!f.isEmpty()) {
                    cmd.add(f);
                }
            }
            cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Dserver.host=127.0.0.1",
                    "-Dserver.port=" + port, "-Dserver.observe-port=" + observe,
                    "-Dapi.near-cache-bytes=" + nearCacheBytes,
                    "-Dapi.redis-pipes=" + Integer.getInteger("bench.pipes", ApiConfig.DEFAULT_REDIS_PIPES),
                    "-jar", System.getProperty("bench.api-jar", "services/api/target/ids-moe-api.jar")));
            Path log = dir.resolve(name.replaceAll("[^a-z0-9]+", "-") + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("REDIS_URL", Fixture.REDIS);
            pb.environment().put("REDIS_PREFIX", data.prefix);
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().remove("JDK_JAVA_OPTIONS");
            return new ApiProcess(name, pb.start(), "http://127.0.0.1:" + port, "http://127.0.0.1:" + observe, log);
        }

        /** Waits until it is ready and, with a near cache, subscribed to invalidations. */
        void awaitReady(boolean nearCache) throws IOException {
            Http obs = new Http(observe);
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .failFast(name + " exited", () -> !process.isAlive())
                        .until(() -> obs.get("/observe/health/ready").status() == 200
                                && (!nearCache || metric("api_near_cache_live") == 1));
            } catch (ConditionTimeoutException | TerminalFailureException e) {
                throw new IllegalStateException(name + " did not become ready:\n" + Files.readString(log), e);
            }
        }

        long pid() {
            return process.pid();
        }

        /** @return a field of /proc/PID/status in KiB (VmRSS, VmHWM), or -1 */
        long statusKiB(String field) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                    if (line.startsWith(field + ":")) {
                        return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // not on Linux, or gone
            }
            return -1;
        }

        /** @return user + system CPU time in ns (clock ticks of 10 ms), or 0 */
        long cpuNanos() {
            return procCpu(Path.of("/proc", Long.toString(pid())));
        }

        /** @return the JIT's total compile time in ms (jstat), or -1 */
        long jitMs() {
            try {
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstat").toString(),
                        "-compiler", Long.toString(pid())).redirectErrorStream(true).start();
                String[] lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()
                        .split("\n");
                p.waitFor();
                String[] f = lines[lines.length - 1].strip().split("\\s+");
                return Math.round(Double.parseDouble(f[3]) * 1000);
            } catch (IOException | RuntimeException | InterruptedException e) {
                return -1;
            }
        }

        /** @return the value of one unlabelled metric from /observe/metrics, or NaN */
        double metric(String name) throws IOException {
            return metrics().getOrDefault(name, Double.NaN);
        }

        /** @return the samples of /observe/metrics by name (the first of a name; labels such as the scope ignored) */
        Map<String, Double> metrics() throws IOException {
            String text = new Http(observe).get("/observe/metrics").text();
            Map<String, Double> out = new LinkedHashMap<>();
            Matcher m = METRIC.matcher(text);
            while (m.find()) {
                out.putIfAbsent(m.group(1), Double.parseDouble(m.group(3)));
            }
            return out;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One JVM configuration: its flags, and its two API processes.
     *
     * @param name     short name
     * @param flags    JVM flags
     * @param cached   near cache on (hot lookups, static route)
     * @param uncached near cache off (random lookups)
     */
    record Config(String name, String flags, ApiProcess cached, ApiProcess uncached) {
        /** @return the larger VmHWM of its two processes, MiB */
        long peakMiB() {
            return Math.max(cached.statusKiB("VmHWM"), uncached.statusKiB("VmHWM")) / 1024;
        }
    }

    /** What one configuration measured: its runs, round by round. */
    private static final class Series {
        final Config config;
        final List<Run> statics = new ArrayList<>();
        final List<Run> hots = new ArrayList<>();
        final List<Run> randoms = new ArrayList<>();

        Series(Config config) {
            this.config = config;
        }

        /** @return the mean rate of the static runs before and after round {@code r} */
        double staticRate(int r) {
            return (statics.get(r).rate() + statics.get(r + 1).rate()) / 2;
        }

        /** @return the mean p99 of the static runs before and after round {@code r} */
        double staticP99(int r) {
            return (statics.get(r).p99ms() + statics.get(r + 1).p99ms()) / 2;
        }
    }

    /** CPU time (ns) of the redis-server processes. */
    private static long redisCpu() {
        long redis = 0;
        try (var dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : dirs) {
                Path comm = p.resolve("comm");
                try {
                    if (Files.isReadable(comm) && Files.readString(comm).strip().equals("redis-server")) {
                        redis += procCpu(p);
                    }
                } catch (IOException | RuntimeException ignored) {
                    // gone meanwhile
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not on Linux: report 0
        }
        return redis;
    }

    private static long procCpu(Path proc) {
        try {
            String[] f = Files.readString(proc.resolve("stat")).split("\\) ")[1].split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // clock ticks of 10 ms
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * @param args [entries (35000)] [seconds per wrk run (10)]
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 35_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        long nearCacheBytes = Long.getLong("bench.near-cache-bytes", ApiConfig.DEFAULT_NEAR_CACHE_BYTES);
        Path dir = Files.createTempDirectory("ids-api-bench");
        List<ApiProcess> started = java.util.Collections.synchronizedList(new ArrayList<>());
        boolean ok = true;
        try (Fixture data = new Fixture()) {
            // the API processes and the key prefix go with the bench, also when it is interrupted (serve mode)
            AtomicBoolean finished = new AtomicBoolean();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                List.copyOf(started).forEach(ApiProcess::close);
                if (!finished.get()) {
                    try {
                        data.clear();
                    } catch (RuntimeException alreadyClosed) {
                        // the fixture was closed (and its keys deleted) on the way out
                    }
                }
            }));
            TreeMap<Long, AnimeEntry> entries = moe.ids.testing.SyntheticData.a(n, 42);
            long t0 = System.nanoTime();
            data.load(1, entries);
            TreeMap<String, Long> mappings = Fixture.mappings(entries);
            System.out.printf(Locale.ROOT, "data: %,d entries, %,d mapping keys, loaded through RedisStore in %d ms%n",
                    entries.size(), mappings.size(), (System.nanoTime() - t0) / 1_000_000);
            entries = null; // only the keys are needed from here on

            Map<String, String> flags = new LinkedHashMap<>();
            flags.put("unconstrained", System.getProperty("bench.unconstrained-jvm", UNCONSTRAINED));
            String small = System.getProperty("bench.small-jvm");
            if (small == null) {
                small = chartJavaOptions();
            }
            if (!small.equals("none")) {
                flags.put("small", small);
            }
            List<Config> configs = new ArrayList<>();
            for (var e : flags.entrySet()) {
                ApiProcess on = ApiProcess.start(e.getKey() + " near cache", e.getValue(), nearCacheBytes, data, dir);
                started.add(on);
                ApiProcess off = ApiProcess.start(e.getKey() + " no near cache", e.getValue(), 0, data, dir);
                started.add(off);
                configs.add(new Config(e.getKey(), e.getValue(), on, off));
            }
            for (Config c : configs) {
                c.cached().awaitReady(true);
                c.uncached().awaitReady(false);
                System.out.printf(Locale.ROOT, "%-13s JVM flags: %s (near cache %,d bytes; pids %d, %d)%n", c.name(),
                        c.flags(), nearCacheBytes, c.cached().pid(), c.uncached().pid());
            }

            List<String> all = new ArrayList<>(mappings.size());
            mappings.keySet().forEach(k -> all.add(path(k)));
            mappings = null;
            List<String> hot = new ArrayList<>(all);
            Collections.shuffle(hot, new Random(1));
            hot = hot.subList(0, 1000);
            Path allFile = Files.write(dir.resolve("all.txt"), all, StandardCharsets.UTF_8);
            Path hotFile = Files.write(dir.resolve("hot.txt"), hot, StandardCharsets.UTF_8);
            Path lua = Files.writeString(dir.resolve("ids.lua"), """
                    -- every request preformatted once per thread (in init, once wrk.headers holds Host);
                    -- request() only picks one
                    local reqs = {}
                    local n = 0
                    local random = math.random
                    init = function(args)
                      for line in io.lines(os.getenv("IDS_FILE")) do reqs[#reqs + 1] = wrk.format("GET", line) end
                      n = #reqs
                      math.randomseed(os.time() + math.floor(os.clock() * 1000000) + tonumber(tostring({}):sub(8), 16) % 100000)
                    end
                    request = function()
                      return reqs[random(n)]
                    end
                    """);
            // sanity: every list answers 200 on every server
            for (ApiProcess p : started) {
                Http h = new Http(p.base);
                for (int i = 0; i < 200; i++) {
                    String path = all.get(new Random(i).nextInt(all.size()));
                    if (h.get(path).status() != 200) {
                        throw new IllegalStateException("bench path does not answer 200 on " + p.name + ": " + path);
                    }
                }
            }
            String only = System.getProperty("bench.only", "");
            if (!only.isEmpty()) {
                only(only, configs, dir, seconds, lua, hotFile, allFile);
                List.copyOf(started).forEach(ApiProcess::close);
                finished.set(true);
                return;
            }
            warmUp(configs, lua, hotFile, allFile);

            String redisBench = exec(List.of("redis-benchmark", "-h", data.redisUrl.host(), "-p",
                    Integer.toString(data.redisUrl.port()), "-t", "get", "-c", "64", "-n", "300000", "-q",
                    "-P", "1"), null);
            // -q still draws progress lines separated by CR: keep the final summary only
            String[] parts = redisBench.strip().split("\r");
            System.out.println("redis-benchmark -t get -c 64: " + parts[parts.length - 1].strip());

            // rounds of static, hot, random per configuration, the configurations' order alternating, closed by one
            // more static run of each: each round's ratios take the mean of the static runs of the same
            // configuration just before and after it, and the goals are judged on the medians over the rounds, so
            // that a minute in which the shared host slows down (±15 % seen within one run) cannot decide alone;
            // every run is printed. A short pre-run per route absorbs the recompilation a route switch triggers.
            int rounds = Math.max(1, Integer.getInteger("bench.rounds", 3));
            List<Series> series = configs.stream().map(Series::new).toList();
            for (int r = 1; r <= rounds; r++) {
                String tag = rounds == 1 ? "" : " #" + r;
                List<Series> order = new ArrayList<>(series);
                if (r % 2 == 0) {
                    Collections.reverse(order);
                }
                for (Series s : order) {
                    Config c = s.config;
                    s.statics.add(measure(c.name() + " static /robots.txt" + tag, c.cached(), "/robots.txt", null,
                            null, seconds));
                    s.hots.add(measure(c.name() + " hot lookups, 1,000 IDs, near cache" + tag, c.cached(), "/",
                            lua, hotFile, seconds));
                    s.randoms.add(measure(c.name() + " random IDs, all keys, no near cache" + tag, c.uncached(), "/",
                            lua, allFile, seconds));
                }
            }
            for (Series s : series) {
                s.statics.add(measure(s.config.name() + " static /robots.txt (closing)", s.config.cached(),
                        "/robots.txt", null, null, seconds));
            }
            List<Run> floor = reference(dir, seconds);
            ok = report(series, rounds, floor);
            for (Config c : configs) {
                ok &= dumps(c);
            }
            List.copyOf(started).forEach(ApiProcess::close); // before the fixture deletes their keys
            finished.set(true);
        }
        if (ok) {
            deleteTree(dir); // the API processes' logs stay for a failed run
        } else {
            System.out.println("the API processes' logs: " + dir);
        }
        System.exit(ok ? 0 : 1);
    }

    /** Prints every run round by round, the ratios and their medians, and judges the goals. */
    private static boolean report(List<Series> series, int rounds, List<Run> floor) throws IOException {
        System.out.println();
        Series unconstrained = series.getFirst();
        Series small = series.size() > 1 ? series.get(1) : null;
        Map<String, double[]> ratios = new LinkedHashMap<>();
        for (Series s : series) {
            for (String k : List.of("hot/static", "random/static", "hot p99/static p99", "random p99/static p99")) {
                ratios.put(s.config.name() + " " + k, new double[rounds]);
            }
        }
        double[] smallHot = new double[rounds];
        double[] smallRandom = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            System.out.printf(Locale.ROOT, "round %d%n", r + 1);
            for (Series s : series) {
                String c = s.config.name();
                System.out.println("  " + s.statics.get(r));
                System.out.println("  " + s.hots.get(r));
                System.out.println("  " + s.randoms.get(r));
                double base = s.staticRate(r);
                double p99 = s.staticP99(r);
                ratios.get(c + " hot/static")[r] = s.hots.get(r).rate() / base;
                ratios.get(c + " random/static")[r] = s.randoms.get(r).rate() / base;
                ratios.get(c + " hot p99/static p99")[r] = s.hots.get(r).p99ms() / p99;
                ratios.get(c + " random p99/static p99")[r] = s.randoms.get(r).p99ms() / p99;
                System.out.printf(Locale.ROOT, "  %s: static %.0f req/s, p99 %.2f ms (means of the static runs around "
                                + "it); hot/static %.2f, random/static %.2f; p99 hot/static %.2f, random/static %.2f%n",
                        c, base, p99, ratios.get(c + " hot/static")[r], ratios.get(c + " random/static")[r],
                        ratios.get(c + " hot p99/static p99")[r], ratios.get(c + " random p99/static p99")[r]);
            }
            if (small != null) {
                smallHot[r] = small.hots.get(r).rate() / unconstrained.hots.get(r).rate();
                smallRandom[r] = small.randoms.get(r).rate() / unconstrained.randoms.get(r).rate();
                System.out.printf(Locale.ROOT, "  small/unconstrained: hot %.2f (rss %d / %d MiB), random %.2f "
                                + "(rss %d / %d MiB)%n", smallHot[r], small.hots.get(r).rssMiB(),
                        unconstrained.hots.get(r).rssMiB(), smallRandom[r], small.randoms.get(r).rssMiB(),
                        unconstrained.randoms.get(r).rssMiB());
            }
        }
        for (Series s : series) {
            System.out.println(s.statics.get(rounds));
        }
        floor.forEach(System.out::println);

        String of = rounds == 1 ? "" : " (median of " + rounds + " rounds)";
        boolean ok = true;
        System.out.println();
        for (Series s : series) {
            String c = s.config.name();
            double hot = median(ratios.get(c + " hot/static"));
            double random = median(ratios.get(c + " random/static"));
            double hotP99 = median(ratios.get(c + " hot p99/static p99"));
            double randomP99 = median(ratios.get(c + " random p99/static p99"));
            long errors = s.hots.stream().mapToLong(Run::errors).sum() + s.randoms.stream().mapToLong(Run::errors)
                    .sum();
            System.out.printf(Locale.ROOT, "%-13s hot/static    = %.2f (goal >= 0.90), p99 hot/static    = %.2f "
                    + "(goal <= %.1f)%s%n", c, hot, hotP99, P99_RATIO_GOAL, of);
            System.out.printf(Locale.ROOT, "%-13s random/static = %.2f (goal >= 0.60), p99 random/static = %.2f "
                    + "(goal <= %.1f)%s%n", c, random, randomP99, P99_RATIO_GOAL, of);
            System.out.printf(Locale.ROOT, "%-13s peak resident memory (VmHWM of either process, whole run) %d MiB%n",
                    c, s.config.peakMiB());
            ok &= hot >= 0.9 && random >= 0.6 && hotP99 <= P99_RATIO_GOAL && randomP99 <= P99_RATIO_GOAL
                    && errors == 0;
        }
        if (small != null) {
            double hot = median(smallHot);
            double random = median(smallRandom);
            long rss = small.config.peakMiB();
            System.out.printf(Locale.ROOT, "small/unconstrained: hot %.2f, random %.2f (goal >= %.2f)%s; small peak "
                            + "resident memory %d MiB (goal <= %d), unconstrained %d MiB%n", hot, random,
                    SMALL_RATIO_GOAL, of, rss, SMALL_RSS_GOAL_MIB, unconstrained.config.peakMiB());
            ok &= hot >= SMALL_RATIO_GOAL && random >= SMALL_RATIO_GOAL && rss <= SMALL_RSS_GOAL_MIB;
        }
        for (Series s : series) {
            Map<String, Double> on = s.config.cached().metrics();
            Map<String, Double> off = s.config.uncached().metrics();
            System.out.printf(Locale.ROOT, "%-13s near cache: %,.0f hits, %,.0f misses, %,.0f entries in %,.0f bytes "
                            + "(budget %,.0f); redis pipe (no near cache): %,.0f lookups in %,.0f script calls, %,.0f "
                            + "flushes, mean round trip %.2f ms%n", s.config.name(),
                    on.getOrDefault("api_near_cache_hits_total", 0.0),
                    on.getOrDefault("api_near_cache_misses_total", 0.0),
                    on.getOrDefault("api_near_cache_entries", 0.0), on.getOrDefault("api_near_cache_bytes", 0.0),
                    on.getOrDefault("api_near_cache_max_bytes", 0.0),
                    off.getOrDefault("api_redis_lookups_total", 0.0),
                    off.getOrDefault("api_redis_script_calls_total", 0.0),
                    off.getOrDefault("api_redis_flushes_total", 0.0),
                    1000 * off.getOrDefault("api_redis_call_seconds_sum", 0.0)
                            / Math.max(1, off.getOrDefault("api_redis_call_seconds_count", 0.0)));
        }
        System.out.println(ok ? "RESULT: all goals met" : "RESULT: goal missed");
        return ok;
    }

    /**
     * The worst case of memory, after the measured runs: every dump and one-to-many index built on the server whose
     * near cache is full. Not a goal of resident memory (a dump's snapshot stays on heap for its version), but every
     * answer must be a 200: a heap too small for them would end the process ({@code ExitOnOutOfMemoryError}).
     *
     * @return whether every dump answered 200 and the process still runs
     */
    private static boolean dumps(Config c) throws IOException {
        ApiProcess api = c.cached();
        Http http = new Http(api.base);
        List<String> paths = new ArrayList<>(List.of("/animeapi.json", "/animeapi.tsv", "/api/v2/imdb?id=tt1"));
        for (Platform p : moe.ids.core.platform.Platforms.lookupPlatforms()) {
            paths.add("/" + p.name() + ".json");
            paths.add("/" + p.name() + "().json");
        }
        long t0 = System.nanoTime();
        List<String> failed = new ArrayList<>();
        for (String path : paths) {
            int status;
            try {
                status = http.get(path).status();
            } catch (RuntimeException e) {
                status = -1;
            }
            if (status != 200) {
                failed.add(path + " " + status);
            }
        }
        boolean alive = api.process.isAlive();
        System.out.printf(Locale.ROOT, "%-13s every dump built (%d files, %d s) on the full near cache: rss %d MiB, "
                        + "hwm %d MiB%s%n", c.name(), paths.size(), (System.nanoTime() - t0) / 1_000_000_000,
                api.statusKiB("VmRSS") / 1024, api.statusKiB("VmHWM") / 1024,
                failed.isEmpty() && alive ? "" : (alive ? "" : "; the process ended") + "; FAILED " + failed);
        return failed.isEmpty() && alive;
    }

    /** {@code -Dbench.only=PHASE} against {@code -Dbench.config} (default: the first configuration). */
    private static void only(String only, List<Config> configs, Path dir, int seconds, Path lua, Path hotFile,
                             Path allFile) throws Exception {
        // hot: 1,000 IDs, near cache; random: all keys, no near cache; churn: all keys through the near cache;
        // static: /robots.txt; reference: nginx only; serve: nothing measured
        if (only.equals("reference")) {
            reference(dir, seconds);
            return;
        }
        if (only.equals("serve")) { // for profiling by hand: the servers stay up until the process is killed
            for (Config c : configs) {
                System.out.println("SERVE " + c.name() + ": near-cache " + c.cached().base + " (pid "
                        + c.cached().pid() + ") no-near-cache " + c.uncached().base + " (pid " + c.uncached().pid()
                        + ")");
            }
            System.out.println("ids " + allFile + " hot " + hotFile + " lua " + lua);
            Thread.sleep(Long.MAX_VALUE);
        }
        String name = System.getProperty("bench.config", configs.getFirst().name());
        Config c = configs.stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no configuration " + name));
        ApiProcess api = only.equals("random") ? c.uncached() : c.cached();
        String path = only.equals("static") ? "/robots.txt" : "/";
        Path ids = only.equals("hot") ? hotFile : allFile;
        Path script = only.equals("static") ? null : lua;
        measure("warm-up", api, path, script, ids, 3);
        System.out.println("START " + api.pid());
        measure(c.name() + " " + only, api, path, script, ids, seconds);
        Map<String, Double> m = api.metrics();
        System.out.printf(Locale.ROOT, "pipe: %,.0f calls, %,.0f script calls, %,.0f flushes; near cache %,.0f bytes%n",
                m.getOrDefault("api_redis_lookups_total", 0.0), m.getOrDefault("api_redis_script_calls_total", 0.0),
                m.getOrDefault("api_redis_flushes_total", 0.0), m.getOrDefault("api_near_cache_bytes", 0.0));
    }

    /**
     * @return the API's JVM options in the chart's defaults ({@code api.javaOptions}): the small configuration is
     *         what the chart deploys, read from it rather than copied
     * @throws IllegalStateException when the chart sets none
     */
    static String chartJavaOptions() {
        io.helidon.config.Config values = io.helidon.config.Config.just(
                io.helidon.config.ConfigSources.file(CHART_VALUES));
        return values.get("api.javaOptions").asString().filter(v -> !v.isBlank())
                .orElseThrow(() -> new IllegalStateException(CHART_VALUES + " sets no api.javaOptions"));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The median (the mean of the middle two for an even count). */
    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    private static String path(String mappingKey) {
        int slash = mappingKey.indexOf('/');
        String platform = mappingKey.substring(0, slash);
        String rest = mappingKey.substring(slash + 1);
        if (platform.equals("trakt") || platform.equals("themoviedb")) {
            return "/" + mappingKey;
        }
        return "/" + platform + "/" + Platform.encodeSegment(rest);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * The host's own floor for p99: nginx (when installed) answering a fixed 200 at 64 connections, once with one
     * worker per core ({@code auto}, like the API's carrier threads) and once with one worker (leaving wrk a core).
     * Not a goal, a reference printed beside the API's figures.
     */
    private static List<Run> reference(Path dir, int seconds) throws Exception {
        List<Run> runs = new ArrayList<>();
        for (String workers : List.of("auto", "1")) {
            int port = freePort();
            Path d = Files.createDirectories(dir.resolve("nginx-" + workers));
            String temp = "client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fcgi;"
                    + " uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;";
            Path conf = Files.writeString(d.resolve("nginx.conf"), """
                    worker_processes %s;
                    daemon off;
                    pid %s/nginx.pid;
                    error_log %s/error.log;
                    events { worker_connections 1024; }
                    http {
                      access_log off;
                      %s
                      server {
                        listen 127.0.0.1:%d;
                        keepalive_requests 100000000;
                        location / { return 200 "User-agent: *\\nAllow: /\\n"; }
                      }
                    }
                    """.formatted(workers, d, d, temp.formatted(d), port));
            Process nginx;
            try {
                nginx = new ProcessBuilder("nginx", "-c", conf.toString(), "-p", d.toString()).redirectErrorStream(true)
                        .redirectOutput(d.resolve("out.log").toFile()).start();
            } catch (IOException e) {
                System.out.println("reference: nginx is not installed (apt-get install -y nginx-light), skipped");
                return runs;
            }
            try {
                Http http = new Http("http://127.0.0.1:" + port);
                try {
                    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                            .failFast("nginx exited", () -> !nginx.isAlive())
                            .until(() -> http.get("/robots.txt").status() == 200);
                } catch (ConditionTimeoutException | TerminalFailureException e) {
                    System.out.println("reference: nginx did not start, skipped: "
                            + Files.readString(d.resolve("out.log")).strip());
                    return runs;
                }
                String url = "http://127.0.0.1:" + port + "/robots.txt";
                wrk("warm-up nginx", url, null, null, 2, null);
                runs.add(wrk("reference: nginx static, workers " + workers, url, null, null, seconds, null));
            } finally {
                nginx.destroy();
                nginx.waitFor();
            }
        }
        return runs;
    }

    /**
     * Runs every route of every configuration until the JIT has settled, before anything is measured: two rounds of
     * static (3 s), hot (3 s) and random (5 s), then random IDs through the near cache (5 s), which fills it to its
     * budget, so that the resident memory measured afterwards includes a full near cache. A 3 s warm-up per route
     * was not enough for random lookups, the only route through the Redis pipe: right after a warm static and hot
     * run, C2 was still compiling and deoptimising their path.
     */
    private static void warmUp(List<Config> configs, Path lua, Path hotFile, Path allFile) throws Exception {
        long t0 = System.nanoTime();
        for (Config c : configs) {
            for (int round = 0; round < 2; round++) {
                measure("warm-up static", c.cached(), "/robots.txt", null, null, 3);
                measure("warm-up hot", c.cached(), "/", lua, hotFile, 3);
                measure("warm-up random", c.uncached(), "/", lua, allFile, 5);
            }
            Run churn = measure("warm-up churn", c.cached(), "/", lua, allFile, 5);
            System.out.printf(Locale.ROOT, "%-13s filling the near cache with random IDs: %.0f req/s, near cache %,.0f "
                            + "entries in %,.0f bytes, rss %d MiB (hwm %d)%n", c.name(), churn.rate(),
                    c.cached().metric("api_near_cache_entries"), c.cached().metric("api_near_cache_bytes"),
                    churn.rssMiB(), churn.hwmMiB());
        }
        System.out.printf(Locale.ROOT, "warm-up (every route, twice): %d s%n", (System.nanoTime() - t0) / 1_000_000_000);
    }

    /** Runs wrk against one API process, with its CPU, JIT time and resident memory; prints it unless a warm-up. */
    private static Run measure(String name, ApiProcess api, String path, Path lua, Path ids, int seconds)
            throws Exception {
        return wrk(name, api.base + path, lua, ids, seconds, api);
    }

    /**
     * Runs wrk and prints the run unless it is a warm-up.
     *
     * @param api the API process whose CPU and memory belong to the run, or null (nginx)
     */
    private static Run wrk(String name, String url, Path lua, Path ids, int seconds, ApiProcess api)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t", Integer.toString(Integer.getInteger("bench.wrkThreads",
                1)), "-c", "64", "-d", seconds + "s", "--latency"));
        if (lua != null) {
            cmd.addAll(List.of("-s", lua.toString()));
        }
        cmd.add(url);
        boolean measured = !name.startsWith("warm-up") || name.equals("warm-up churn");
        long jit0 = api != null && measured ? api.jitMs() : -1;
        long apiCpu0 = api == null ? 0 : api.cpuNanos();
        long redis0 = redisCpu();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong rss = new AtomicLong(-1);
        Thread sampler = api == null ? null : Thread.ofPlatform().daemon().start(() -> {
            while (!done.get()) {
                rss.accumulateAndGet(api.statusKiB("VmRSS"), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        String out;
        try {
            out = exec(cmd, ids);
        } finally {
            done.set(true);
            if (sampler != null) {
                sampler.join();
            }
        }
        long apiCpu = api == null ? 0 : api.cpuNanos() - apiCpu0;
        long redis = redisCpu() - redis0;
        long jit = jit0 >= 0 ? api.jitMs() - jit0 : -1;
        double rate = number(RATE, out);
        double total = rate * seconds;
        Run r = new Run(name, rate, ms(P50, out), ms(P99, out), errors(out),
                api != null ? apiCpu / 1000.0 / total : -1, api != null ? redis / 1000.0 / total : -1, jit,
                api == null ? -1 : rss.get() / 1024, api == null ? -1 : api.statusKiB("VmHWM") / 1024);
        if (!name.startsWith("warm-up")) {
            System.out.println(r);
        }
        return r;
    }

    private static double number(Pattern p, String out) {
        Matcher m = p.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("unexpected wrk output:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static long errors(String out) {
        Matcher m = NON2XX.matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static double ms(Pattern p, String out) {
        Matcher m = p.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("unexpected wrk output:\n" + out);
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }

    private static String exec(List<String> cmd, Path ids) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (ids != null) {
            pb.environment().put("IDS_FILE", ids.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(cmd + " failed:\n" + out);
        }
        return out;
    }
}
