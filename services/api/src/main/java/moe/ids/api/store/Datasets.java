package moe.ids.api.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.core.error.UnavailableException;
import moe.ids.core.platform.IdType;
import moe.ids.core.platform.Platform;
import moe.ids.store.Meta;
import moe.ids.store.RedisReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Whole-dataset views, prepared once per applied version inside the API process (the ingestor does not prepare
 * dumps): one consistent {@link RedisReader#snapshot(java.util.function.Supplier)} of both tiers is read into a
 * compact {@link DatasetCopy} when a dump or a one-to-many lookup ({@code /api/v2/imdb|themoviedb|thetvdb}) first
 * needs the current version; each dump file is then built once, on first request, gzip-compressed into a file of
 * this process's dump directory (served as is to clients accepting gzip, inflated on the fly for the others). Files
 * rather than heap: every dump of ~35k anime is ~70 MB compressed, more than a small pod's whole heap. A new version
 * replaces everything and deletes the old files.
 */
public final class Datasets implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Datasets.class.getName());
    private static final JsonFactory JSON = JsonFactory.builder().build();
    /** A dump directory under the configured one: the prefix, the PID, its start time (ms), a unique part. */
    static final String DIR_PREFIX = "ids-moe-dumps-";
    private static final Pattern DIR_NAME = Pattern.compile(Pattern.quote(DIR_PREFIX) + "([0-9]{1,18})-([0-9]{1,18})-.*");

    private final EntryStore store;
    private final Path root;
    private final Object lock = new Object();
    /** Readers of {@link #current} hold its read lock; replacing it takes the write lock (fair: never starved). */
    private final java.util.concurrent.locks.ReentrantReadWriteLock swap =
            new java.util.concurrent.locks.ReentrantReadWriteLock(true);
    private final Object dirLock = new Object();
    private Path dir;
    private volatile Prepared current;
    /**
     * The near-cache generation that was current when {@link #current} was last checked against meta: every meta
     * change (a change set, a resync) replaces that generation, so while it is the same one, meta need not be read
     * again. Null when never checked, or when the near cache is off.
     */
    private volatile NearCache.Generation checkedIn;
    /** Snapshots read (one per applied version or generation) and dump files built (one per name per snapshot). */
    private final AtomicLong snapshots = new AtomicLong();
    private final AtomicLong builds = new AtomicLong();

    /**
     * @param store where the data is
     * @param root  the directory this process's dump directory is made in ({@code api.dump-dir}), when the first
     *              dump is built
     */
    public Datasets(EntryStore store, Path root) {
        this.store = store;
        this.root = root;
    }

    /**
     * A prepared dump file.
     *
     * @param version     change-set version
     * @param contentType media type
     * @param gzip        the gzip-compressed body's file
     * @param gzipLength  its length
     * @param length      uncompressed length
     * @param etag        quoted ETag: the version and a CRC-32 of the uncompressed content
     */
    public record Dump(long version, String contentType, Path gzip, long gzipLength, long length, String etag) {
    }

    /**
     * A dump and its gzip-compressed body, open for reading.
     *
     * @param dump what it is
     * @param gzip its body; closed with this
     */
    public record Opened(Dump dump, InputStream gzip) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            gzip.close();
        }
    }

    /**
     * @param name     a dump name ({@link Prepared#dump(String, Platform)})
     * @param platform its platform, or null
     * @return the current version's dump, open (a version that moves on between finding the dump and opening it
     *         deletes its file: the next version's is opened then; a file removed by something else is rebuilt)
     * @throws UnavailableException when it cannot be built or read
     */
    public Opened open(String name, Platform platform) {
        for (int attempt = 0; ; attempt++) {
            Opened o = use(p -> {
                Dump d = p.dump(name, platform);
                try {
                    return new Opened(d, Files.newInputStream(d.gzip()));
                } catch (NoSuchFileException gone) {
                    p.forget(name, d); // removed by something else: built again on the next try
                    return null;
                } catch (IOException ex) {
                    LOG.log(System.Logger.Level.WARNING, "dump {0} cannot be read: {1}", d.gzip(), ex.toString());
                    throw new UnavailableException("the dump cannot be read; try again later", ex);
                }
            });
            if (o != null) {
                return o;
            }
            if (attempt > 0) {
                throw new UnavailableException("the dump cannot be read; try again later", null);
            }
        }
    }

    /**
     * @param id IMDb ID
     * @return entries carrying it, in internal-ID order
     */
    public List<AnimeEntry> byImdb(String id) {
        return use(p -> p.copy.byImdb(id));
    }

    /**
     * @param id TMDB ID (the TV ID when the entry has one, else the movie ID — arm-server's rule)
     * @return entries carrying it, in internal-ID order
     */
    public List<AnimeEntry> byThemoviedb(int id) {
        return use(p -> p.copy.byThemoviedb(id));
    }

    /**
     * @param id TheTVDB ID
     * @return entries carrying it, in internal-ID order
     */
    public List<AnimeEntry> byThetvdb(int id) {
        return use(p -> p.copy.byThetvdb(id));
    }

    /**
     * Runs {@code f} on the current version's data while no newer version can replace it (a replaced version's
     * files are closed and deleted as soon as nothing uses them).
     */
    private <T> T use(java.util.function.Function<Prepared, T> f) {
        while (true) {
            Prepared p = prepared();
            swap.readLock().lock();
            try {
                if (p == current) {
                    return f.apply(p);
                }
            } finally {
                swap.readLock().unlock();
            }
        }
    }

    /**
     * @return the data of the applied version, preparing it when the version moved
     */
    Prepared prepared() {
        NearCache.Generation now = store.cache().usable() ? store.cache().begin() : null;
        Prepared p = current;
        if (p != null && now != null && now == checkedIn) {
            return p; // no meta change heard of since the last check
        }
        Meta m = store.meta(); // one HGETALL: the version AND the generation (a resync may keep the version)
        if (serves(p, m)) {
            checkedIn = now;
            return p;
        }
        synchronized (lock) {
            p = current;
            if (serves(p, m)) {
                checkedIn = now;
                return p;
            }
            long t0 = System.nanoTime();
            Prepared old = p;
            long serial = snapshots.incrementAndGet();
            p = new Prepared(read(serial), serial, builds, this::directory);
            swap.writeLock().lock();
            try {
                current = p;
                checkedIn = now;
                if (old != null) {
                    old.discard();
                }
            } finally {
                swap.writeLock().unlock();
            }
            LOG.log(System.Logger.Level.INFO, "prepared version {0}: {1} entries, {2} mapping keys in {3} ms",
                    p.meta().version(), p.copy.entryCount(), p.copy.keyCount(),
                    (System.nanoTime() - t0) / 1_000_000);
            return p;
        }
    }

    /**
     * @param serial names the snapshot's files apart from an earlier one's
     * @return one consistent version of both tiers, copied into files of the dump directory
     */
    private DatasetCopy read(long serial) {
        Path entries;
        Path keys;
        try {
            Path d = directory();
            entries = d.resolve("s" + serial + "-entries");
            keys = d.resolve("s" + serial + "-keys");
        } catch (IOException ex) {
            LOG.log(System.Logger.Level.WARNING, "no dump directory in {0}: {1}", root, ex.toString());
            throw new UnavailableException("the dataset cannot be prepared; try again later", ex);
        }
        DatasetCopy.Sink[] last = {null};
        try {
            return store.snapshot(() -> {
                if (last[0] != null) {
                    last[0].abandon();
                }
                last[0] = new DatasetCopy.Sink(entries, keys);
                return last[0];
            });
        } catch (RuntimeException ex) {
            if (last[0] != null) {
                last[0].abandon();
            }
            DatasetCopy.Sink.delete(entries, keys);
            if (ex instanceof UncheckedIOException io) {
                LOG.log(System.Logger.Level.WARNING, "the dataset cannot be copied to {0}: {1}", entries.getParent(),
                        io.toString());
                throw new UnavailableException("the dataset cannot be prepared; try again later", io);
            }
            throw ex;
        }
    }

    /**
     * @return this instance's dump directory, made on first use (again when something removed it), named by the
     *         process ID and start time; directories of processes that no longer run are deleted then, such as a
     *         crashed container's in a pod's scratch volume (whose PID a restarted container may reuse, with another
     *         start time)
     * @throws IOException when it cannot be made
     */
    private Path directory() throws IOException {
        synchronized (dirLock) {
            if (dir == null || !Files.isDirectory(dir)) {
                Files.createDirectories(root);
                ProcessHandle self = ProcessHandle.current();
                try (var children = Files.list(root)) {
                    for (Path c : children.toList()) {
                        Matcher m = DIR_NAME.matcher(c.getFileName().toString());
                        if (m.matches() && !running(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))) {
                            deleteTree(c);
                        }
                    }
                }
                dir = Files.createTempDirectory(root, DIR_PREFIX + self.pid() + "-" + startMillis(self) + "-");
            }
            return dir;
        }
    }

    /** @return whether the process {@code pid} that started at {@code started} (ms, 0 = unknown) still runs */
    static boolean running(long pid, long started) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> started == 0 || startMillis(h) == 0 || startMillis(h) == started).isPresent();
    }

    private static long startMillis(ProcessHandle h) {
        return h.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    private static void deleteTree(Path p) {
        try (var walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ex) {
                    LOG.log(System.Logger.Level.WARNING, "cannot delete {0}: {1}", f, ex.toString());
                }
            });
        } catch (IOException ex) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete {0}: {1}", p, ex.toString());
        }
    }

    /** Deletes this instance's dump directory. */
    @Override
    public void close() {
        synchronized (dirLock) {
            if (dir != null) {
                deleteTree(dir);
                dir = null;
            }
        }
    }

    /** @return snapshots read so far (each applied version or generation costs one, not each request) */
    public long snapshots() {
        return snapshots.get();
    }

    /** @return dump files built so far (each costs one per name per snapshot, not one per request) */
    public long dumpBuilds() {
        return builds.get();
    }

    /**
     * @return whether {@code p} holds the data {@code m} describes: the same generation, and a version not older (a
     *         snapshot read just after a change set may be newer than the meta read just before it)
     */
    private static boolean serves(Prepared p, Meta m) {
        return p != null && p.meta().generation() == m.generation() && p.meta().version() >= m.version();
    }

    /** Everything derived from one snapshot. */
    static final class Prepared {
        private final DatasetCopy copy;
        /** Names this snapshot's files apart from an earlier one's (a resync may keep the version). */
        private final String filePrefix;
        private final ConcurrentHashMap<String, Dump> dumps = new ConcurrentHashMap<>();
        private final AtomicLong builds;
        private final DirectorySource directory;
        private volatile boolean discarded;

        /** Where dump files go, made on first use. */
        interface DirectorySource {
            Path get() throws IOException;
        }

        Prepared(DatasetCopy copy, long serial, AtomicLong builds, DirectorySource directory) {
            this.copy = copy;
            this.filePrefix = "s" + serial + "-v" + copy.meta().version() + "-";
            this.builds = builds;
            this.directory = directory;
        }

        /**
         * @return the meta of this version
         */
        Meta meta() {
            return copy.meta();
        }

        /**
         * @param name {@code animeapi.json}, {@code animeapi.tsv}, {@code {platform}.json} (object keyed by that
         *             platform's ID) or {@code {platform}().json} (array)
         * @param p    the platform for the last two forms, else null
         * @return the dump, built on first use
         * @throws UnavailableException when its file cannot be written
         */
        Dump dump(String name, Platform p) {
            return dumps.computeIfAbsent(name, n -> build(n, p));
        }

        /** Forgets a dump whose file is gone, if it is still the one kept for that name. */
        void forget(String name, Dump d) {
            dumps.remove(name, d);
        }

        /** Deletes this snapshot's files (nothing uses them any more: a newer one replaced it). */
        void discard() {
            discarded = true;
            copy.close();
            dumps.values().forEach(d -> {
                try {
                    Files.deleteIfExists(d.gzip());
                } catch (IOException ex) {
                    LOG.log(System.Logger.Level.WARNING, "cannot delete {0}: {1}", d.gzip(), ex.toString());
                }
            });
        }

        private Dump build(String name, Platform p) {
            builds.incrementAndGet();
            long t0 = System.nanoTime();
            Path file = null;
            try {
                file = directory.get().resolve(filePrefix + name + ".gz");
                String type = "application/json";
                long crc;
                long length;
                try (Gzip gz = new Gzip(Files.newOutputStream(file))) {
                    if (name.equals("animeapi.tsv")) {
                        type = "text/tab-separated-values; charset=utf-8";
                        tsv(gz);
                    } else if (name.equals("animeapi.json")) {
                        array(gz, null);
                    } else if (name.endsWith("().json")) {
                        array(gz, p);
                    } else {
                        object(gz, p);
                    }
                    gz.finish();
                    crc = gz.crc32();
                    length = gz.length();
                }
                // the ETag hashes the content, not the name: a resync at the same version that changes a dump
                // changes its ETag (no stale 304), and one that does not keeps it (caches stay valid)
                Dump d = new Dump(meta().version(), type, file, Files.size(file), length,
                        "\"d" + meta().version() + "-" + Long.toHexString(crc) + "\"");
                if (discarded) {
                    Files.deleteIfExists(file); // built while a newer version replaced this one
                }
                LOG.log(System.Logger.Level.INFO, "dump {0} of version {1}: {2} bytes ({3} gzip) in {4} ms",
                        name, meta().version(), d.length(), d.gzipLength(), (System.nanoTime() - t0) / 1_000_000);
                return d;
            } catch (IOException | UncheckedIOException ex) {
                LOG.log(System.Logger.Level.WARNING, "dump {0} cannot be written to {1}: {2}", name, file,
                        ex.toString());
                if (file != null) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException ignored) {
                        // what could not be written may not be deletable either; the directory is cleared at the next start
                    }
                }
                throw new UnavailableException("the dump cannot be prepared; try again later", ex);
            }
        }

        private void array(OutputStream out, Platform p) throws IOException {
            int n = copy.entryCount();
            int[] rows;
            if (p == null) {
                rows = IntStream.range(0, n).toArray();
            } else {
                // entries carrying the platform's ID, by that ID (then internal ID: the copy is in that order and
                // the sort is stable); only their indexes are held, each entry is read again to be written
                String field = p.name();
                List<Map.Entry<Object, Integer>> valued = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Object v = CanonicalJson.parse(copy.json(i)).get(field);
                    if (v != null) {
                        valued.add(Map.entry(v, i));
                    }
                }
                Comparator<Object> values = p.idType() == IdType.INT
                        ? Comparator.comparingLong(v -> ((Number) v).longValue())
                        : Comparator.comparing(Object::toString);
                valued.sort(Map.Entry.comparingByKey(values));
                rows = valued.stream().mapToInt(Map.Entry::getValue).toArray();
            }
            out.write('[');
            for (int r = 0; r < rows.length; r++) {
                if (r > 0) {
                    out.write(',');
                }
                out.write(copy.json(rows[r]));
            }
            out.write(']');
        }

        private void object(OutputStream out, Platform p) throws IOException {
            // every lookup key of the platform → the entry it resolves to (exactly what GET /{platform}/{id} says)
            String prefix = p.name().equals("themoviedb") ? "themoviedb/movie/" : p.name() + "/";
            Comparator<String> order = p.idType() == IdType.INT && !p.name().equals("trakt")
                    ? Comparator.comparingLong(Long::parseLong) : Comparator.naturalOrder();
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                g.writeStartObject();
                for (Map.Entry<String, Long> k : copy.keysUnder(prefix, order)) {
                    byte[] json = copy.entry(k.getValue());
                    if (json != null) {
                        g.writeFieldName(k.getKey());
                        g.writeRawValue(new String(json, StandardCharsets.UTF_8));
                    }
                }
                g.writeEndObject();
            }
        }

        private void tsv(OutputStream out) throws IOException {
            StringBuilder sb = new StringBuilder(1 << 16);
            sb.append(String.join("\t", AnimeEntry.KEYS)).append('\n');
            for (int i = 0; i < copy.entryCount(); i++) {
                AnimeEntry e = CanonicalJson.parse(copy.json(i));
                boolean first = true;
                for (String k : AnimeEntry.KEYS) {
                    if (!first) {
                        sb.append('\t');
                    }
                    first = false;
                    Object v = e.get(k);
                    if (v != null) {
                        sb.append(v.toString().replace('\t', ' ').replace('\n', ' ').replace('\r', ' '));
                    }
                }
                sb.append('\n');
                if (sb.length() > 1 << 15) {
                    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                    sb.setLength(0);
                }
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Gzip at a middle level, telling what it compressed: the CRC-32 and the length of the uncompressed content,
     * which gzip computes anyway for its trailer (the ETag is made of them).
     */
    private static final class Gzip extends GZIPOutputStream {
        Gzip(OutputStream file) throws IOException {
            super(file, 1 << 16);
            def.setLevel(Deflater.BEST_SPEED + 5);
        }

        /** @return the CRC-32 of what was written so far */
        long crc32() {
            return crc.getValue();
        }

        /** @return the bytes written so far (before {@link #close()}, which ends the deflater) */
        long length() {
            return def.getBytesRead();
        }
    }
}
