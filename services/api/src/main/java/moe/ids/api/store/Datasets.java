package moe.ids.api.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.core.platform.IdType;
import moe.ids.core.platform.Platform;
import moe.ids.store.Meta;
import moe.ids.store.RedisReader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Whole-dataset views, prepared once per applied version inside the API process (the ingestor does not prepare
 * dumps): one consistent {@link RedisReader#snapshot()} of both tiers is read when a dump or a one-to-many lookup
 * ({@code /api/v2/imdb|themoviedb|thetvdb}) first needs the current version; each dump file is then built once,
 * on first request, and kept gzip-compressed (served as is to clients accepting gzip, inflated on the fly for the
 * others). A new version replaces everything.
 */
public final class Datasets {
    private static final System.Logger LOG = System.getLogger(Datasets.class.getName());
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final EntryStore store;
    private final Object lock = new Object();
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
     */
    public Datasets(EntryStore store) {
        this.store = store;
    }

    /**
     * A prepared dump file.
     *
     * @param version     change-set version
     * @param contentType media type
     * @param gzip        gzip-compressed body
     * @param length      uncompressed length
     * @param etag        quoted ETag: the version and a CRC-32 of the uncompressed content
     */
    public record Dump(long version, String contentType, byte[] gzip, long length, String etag) {
    }

    /**
     * @return the data of the applied version, preparing it when the version moved
     */
    public Prepared prepared() {
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
            p = new Prepared(store.snapshot(), builds);
            snapshots.incrementAndGet();
            current = p;
            checkedIn = now;
            LOG.log(System.Logger.Level.INFO, "prepared version {0}: {1} entries, {2} mapping keys in {3} ms",
                    p.meta.version(), p.entries.size(), p.mappings.size(), (System.nanoTime() - t0) / 1_000_000);
            return p;
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
        return p != null && p.meta.generation() == m.generation() && p.meta.version() >= m.version();
    }

    /** Everything derived from one snapshot. */
    public static final class Prepared {
        private final Meta meta;
        private final Map<Long, byte[]> entries;
        private final Map<String, Long> mappings;
        private final Map<Long, AnimeEntry> parsed = new HashMap<>();
        private final Map<String, List<Long>> imdb = new HashMap<>();
        private final Map<Integer, List<Long>> themoviedb = new HashMap<>();
        private final Map<Integer, List<Long>> thetvdb = new HashMap<>();
        private final ConcurrentHashMap<String, Dump> dumps = new ConcurrentHashMap<>();
        private final AtomicLong builds;

        Prepared(RedisReader.Snapshot s, AtomicLong builds) {
            this.builds = builds;
            this.meta = s.meta();
            this.entries = s.entries();
            this.mappings = s.mappings();
            entries.forEach((id, json) -> {
                AnimeEntry e = CanonicalJson.parse(json);
                parsed.put(id, e);
                if (e.imdb() != null) {
                    imdb.computeIfAbsent(e.imdb(), k -> new ArrayList<>()).add(id);
                }
                Integer tmdb = e.themoviedbTv() != null ? e.themoviedbTv() : e.themoviedb();
                if (tmdb != null) {
                    themoviedb.computeIfAbsent(tmdb, k -> new ArrayList<>()).add(id);
                }
                if (e.thetvdb() != null) {
                    thetvdb.computeIfAbsent(e.thetvdb(), k -> new ArrayList<>()).add(id);
                }
            });
        }

        /**
         * @return the meta of this version
         */
        public Meta meta() {
            return meta;
        }

        /**
         * @param id IMDb ID
         * @return entries carrying it, in internal-ID order
         */
        public List<AnimeEntry> byImdb(String id) {
            return resolve(imdb.get(id));
        }

        /**
         * @param id TMDB ID (the TV ID when the entry has one, else the movie ID — arm-server's rule)
         * @return entries carrying it
         */
        public List<AnimeEntry> byThemoviedb(int id) {
            return resolve(themoviedb.get(id));
        }

        /**
         * @param id TheTVDB ID
         * @return entries carrying it
         */
        public List<AnimeEntry> byThetvdb(int id) {
            return resolve(thetvdb.get(id));
        }

        private List<AnimeEntry> resolve(List<Long> ids) {
            return ids == null ? List.of() : ids.stream().sorted().map(parsed::get).toList();
        }

        /**
         * @param name {@code animeapi.json}, {@code animeapi.tsv}, {@code {platform}.json} (object keyed by that
         *             platform's ID) or {@code {platform}().json} (array)
         * @param p    the platform for the last two forms, else null
         * @return the dump, built on first use
         */
        public Dump dump(String name, Platform p) {
            return dumps.computeIfAbsent(name, n -> build(n, p));
        }

        private Dump build(String name, Platform p) {
            builds.incrementAndGet();
            long t0 = System.nanoTime();
            ByteArrayOutputStream gz = new ByteArrayOutputStream(1 << 20);
            long[] length = {0};
            // the ETag hashes the content, not the name: a resync at the same version that changes a dump changes
            // its ETag (no stale 304), and one that does not keeps it (caches stay valid)
            CRC32 crc = new CRC32();
            try (OutputStream counting = new OutputStream() {
                private final GZIPOutputStream z = new GZIPOutputStream(gz, 1 << 16) {
                    {
                        def.setLevel(Deflater.BEST_SPEED + 5);
                    }
                };

                @Override
                public void write(int b) throws IOException {
                    z.write(b);
                    crc.update(b);
                    length[0]++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    z.write(b, off, len);
                    crc.update(b, off, len);
                    length[0] += len;
                }

                @Override
                public void close() throws IOException {
                    z.close();
                }
            }) {
                String type = "application/json";
                if (name.equals("animeapi.tsv")) {
                    type = "text/tab-separated-values; charset=utf-8";
                    tsv(counting);
                } else if (name.equals("animeapi.json")) {
                    array(counting, null);
                } else if (name.endsWith("().json")) {
                    array(counting, p);
                } else {
                    object(counting, p);
                }
                counting.close();
                Dump d = new Dump(meta.version(), type, gz.toByteArray(), length[0],
                        "\"d" + meta.version() + "-" + Long.toHexString(crc.getValue()) + "\"");
                LOG.log(System.Logger.Level.INFO, "dump {0} of version {1}: {2} bytes ({3} gzip) in {4} ms", name,
                        meta.version(), d.length(), d.gzip().length, (System.nanoTime() - t0) / 1_000_000);
                return d;
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        private void array(OutputStream out, Platform p) throws IOException {
            String field = p == null ? null : p.name();
            List<Map.Entry<Long, AnimeEntry>> rows = new ArrayList<>();
            parsed.entrySet().stream().filter(e -> field == null || e.getValue().get(field) != null)
                    .forEach(rows::add);
            Comparator<Map.Entry<Long, AnimeEntry>> byId = Map.Entry.comparingByKey();
            if (field != null) {
                Comparator<Object> values = p.idType() == IdType.INT
                        ? Comparator.comparingLong(v -> ((Number) v).longValue())
                        : Comparator.comparing(Object::toString);
                Comparator<Map.Entry<Long, AnimeEntry>> byField = Comparator.comparing(e -> e.getValue().get(field),
                        values);
                byId = byField.thenComparing(Map.Entry.comparingByKey());
            }
            rows.sort(byId);
            out.write('[');
            boolean first = true;
            for (Map.Entry<Long, AnimeEntry> r : rows) {
                if (!first) {
                    out.write(',');
                }
                first = false;
                out.write(entries.get(r.getKey()));
            }
            out.write(']');
        }

        private void object(OutputStream out, Platform p) throws IOException {
            // every lookup key of the platform → the entry it resolves to (exactly what GET /{platform}/{id} says)
            String prefix = p.name().equals("themoviedb") ? "themoviedb/movie/" : p.name() + "/";
            List<Map.Entry<String, Long>> keys = new ArrayList<>();
            mappings.forEach((k, id) -> {
                if (k.startsWith(prefix)) {
                    keys.add(Map.entry(k.substring(prefix.length()), id));
                }
            });
            Comparator<String> order = p.idType() == IdType.INT && !p.name().equals("trakt")
                    ? Comparator.comparingLong(Long::parseLong) : Comparator.naturalOrder();
            keys.sort(Map.Entry.comparingByKey(order));
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                g.writeStartObject();
                for (Map.Entry<String, Long> k : keys) {
                    byte[] json = entries.get(k.getValue());
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
            for (Map.Entry<Long, AnimeEntry> r : new java.util.TreeMap<>(parsed).entrySet()) {
                boolean first = true;
                for (String k : AnimeEntry.KEYS) {
                    if (!first) {
                        sb.append('\t');
                    }
                    first = false;
                    Object v = r.getValue().get(k);
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
}
