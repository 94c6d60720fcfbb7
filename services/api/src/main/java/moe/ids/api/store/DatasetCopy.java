package moe.ids.api.store;

import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.store.Meta;
import moe.ids.store.RedisReader;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * One version of both tiers, kept compact for as long as it is the served one: the entries' canonical JSON in
 * internal-ID order, every mapping key back to back in one array, and the one-to-many indexes (IMDb, TMDB, TheTVDB
 * → entries) as sorted primitive arrays. For 35k anime and 385k mapping keys this is ~30 MB, where maps of boxed
 * keys and parsed entries held ~75 MB: the part of the API's heap that a small pod cannot afford.
 */
final class DatasetCopy {
    private final Meta meta;
    /** Internal IDs, ascending; {@link #json} holds each one's entry at the same index. */
    private final long[] ids;
    private final byte[][] json;
    /** Every mapping key, UTF-8, back to back; key {@code i} ends at {@code keyEnds[i]}. */
    private final byte[] keys;
    private final int[] keyEnds;
    private final long[] keyIds;
    /** {@code (tmdb << 32) | entry index} and {@code (tvdb << 32) | entry index}, ascending. */
    private final long[] themoviedb;
    private final long[] thetvdb;
    /** IMDb IDs, ascending, and the entry index of each (an ID of several entries repeats). */
    private final String[] imdb;
    private final int[] imdbEntries;

    private DatasetCopy(Meta meta, TreeMap<Long, byte[]> entries, byte[] keys, int[] keyEnds, long[] keyIds) {
        this.meta = meta;
        this.ids = new long[entries.size()];
        this.json = new byte[entries.size()][];
        this.keys = keys;
        this.keyEnds = keyEnds;
        this.keyIds = keyIds;
        List<long[]> tmdb = new ArrayList<>();
        List<long[]> tvdb = new ArrayList<>();
        List<Map.Entry<String, Integer>> imdbPairs = new ArrayList<>();
        int i = 0;
        for (Map.Entry<Long, byte[]> e : entries.entrySet()) {
            ids[i] = e.getKey();
            json[i] = e.getValue();
            AnimeEntry a = CanonicalJson.parse(e.getValue());
            if (a.imdb() != null) {
                imdbPairs.add(Map.entry(a.imdb(), i));
            }
            // arm-server's rule: the TV ID when the entry has one, else the movie ID
            Integer tm = a.themoviedbTv() != null ? a.themoviedbTv() : a.themoviedb();
            if (tm != null) {
                tmdb.add(new long[] {tm, i});
            }
            if (a.thetvdb() != null) {
                tvdb.add(new long[] {a.thetvdb(), i});
            }
            i++;
        }
        this.themoviedb = packed(tmdb);
        this.thetvdb = packed(tvdb);
        imdbPairs.sort(Map.Entry.<String, Integer>comparingByKey().thenComparing(Map.Entry.comparingByValue()));
        this.imdb = imdbPairs.stream().map(Map.Entry::getKey).toArray(String[]::new);
        this.imdbEntries = imdbPairs.stream().mapToInt(Map.Entry::getValue).toArray();
    }

    private static long[] packed(List<long[]> pairs) {
        long[] out = new long[pairs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (pairs.get(i)[0] << 32) | pairs.get(i)[1];
        }
        Arrays.sort(out);
        return out;
    }

    /** @return the meta of this version */
    Meta meta() {
        return meta;
    }

    /** @return entries */
    int entryCount() {
        return ids.length;
    }

    /** @return mapping keys (a key HSCAN handed over twice counts twice) */
    int keyCount() {
        return keyIds.length;
    }

    /**
     * @param each receives internal ID and canonical JSON of each entry, in internal-ID order
     */
    void forEachEntry(BiConsumer<Long, byte[]> each) {
        for (int i = 0; i < ids.length; i++) {
            each.accept(ids[i], json[i]);
        }
    }

    /**
     * @param id internal ID
     * @return its canonical JSON, or null
     */
    byte[] entry(long id) {
        int i = Arrays.binarySearch(ids, id);
        return i < 0 ? null : json[i];
    }

    /**
     * Every mapping key starting with {@code prefix}, once each (a key HSCAN repeated is left out), sorted by what
     * follows the prefix.
     *
     * @param prefix such as {@code myanimelist/}
     * @param order  order of what follows the prefix
     * @return (what follows the prefix, internal ID)
     */
    List<Map.Entry<String, Long>> keysUnder(String prefix, Comparator<String> order) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        List<Map.Entry<String, Long>> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < keyEnds.length; i++) {
            int end = keyEnds[i];
            if (end - start > p.length && Arrays.equals(keys, start, start + p.length, p, 0, p.length)) {
                out.add(Map.entry(new String(keys, start + p.length, end - start - p.length, StandardCharsets.UTF_8),
                        keyIds[i]));
            }
            start = end;
        }
        out.sort(Map.Entry.comparingByKey(order));
        List<Map.Entry<String, Long>> once = new ArrayList<>(out.size());
        for (Map.Entry<String, Long> e : out) {
            if (once.isEmpty() || !once.getLast().getKey().equals(e.getKey())) {
                once.add(e);
            }
        }
        return once;
    }

    /**
     * @param id IMDb ID
     * @return entries carrying it, in internal-ID order
     */
    List<AnimeEntry> byImdb(String id) {
        int lo = lowerBound(imdb, id);
        List<AnimeEntry> out = new ArrayList<>();
        for (int i = lo; i < imdb.length && imdb[i].equals(id); i++) {
            out.add(CanonicalJson.parse(json[imdbEntries[i]]));
        }
        return out;
    }

    /**
     * @param id TMDB ID (the TV ID when the entry has one, else the movie ID)
     * @return entries carrying it, in internal-ID order
     */
    List<AnimeEntry> byThemoviedb(int id) {
        return byPacked(themoviedb, id);
    }

    /**
     * @param id TheTVDB ID
     * @return entries carrying it, in internal-ID order
     */
    List<AnimeEntry> byThetvdb(int id) {
        return byPacked(thetvdb, id);
    }

    private List<AnimeEntry> byPacked(long[] index, int id) {
        List<AnimeEntry> out = new ArrayList<>();
        long from = (long) id << 32;
        int i = Arrays.binarySearch(index, from);
        i = i < 0 ? -i - 1 : i;
        for (; i < index.length && (index[i] >> 32) == id; i++) {
            out.add(CanonicalJson.parse(json[(int) index[i]]));
        }
        return out;
    }

    private static int lowerBound(String[] sorted, String key) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid].compareTo(key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Collects one attempt of {@link RedisReader#snapshot(java.util.function.Supplier)}. */
    static final class Sink implements RedisReader.SnapshotSink<DatasetCopy> {
        /** A repeated entry replaces itself; few enough (one per anime) for a map's overhead. */
        private final TreeMap<Long, byte[]> entries = new TreeMap<>();
        private final ByteArrayOutputStream keys = new ByteArrayOutputStream(1 << 20);
        private int[] keyEnds = new int[1 << 12];
        private long[] keyIds = new long[1 << 12];
        private int count;

        @Override
        public void entry(long id, byte[] json) {
            entries.put(id, json);
        }

        @Override
        public void mapping(byte[] key, long id) {
            if (count == keyEnds.length) {
                keyEnds = Arrays.copyOf(keyEnds, count * 2);
                keyIds = Arrays.copyOf(keyIds, count * 2);
            }
            keys.write(key, 0, key.length);
            keyEnds[count] = keys.size();
            keyIds[count] = id;
            count++;
        }

        @Override
        public DatasetCopy finish(Meta meta) {
            return new DatasetCopy(meta, entries, keys.toByteArray(), Arrays.copyOf(keyEnds, count),
                    Arrays.copyOf(keyIds, count));
        }
    }
}
