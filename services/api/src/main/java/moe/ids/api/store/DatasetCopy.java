package moe.ids.api.store;

import moe.ids.core.entry.AnimeEntry;
import moe.ids.core.entry.CanonicalJson;
import moe.ids.store.Meta;
import moe.ids.store.RedisReader;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One version of both tiers, kept in two files for as long as it is the served one: the entries' canonical JSON
 * (read back by offset) and every mapping key with its internal ID (read through once per object dump). The heap
 * holds only what finds an entry in the file (internal IDs, offsets, lengths: 20 bytes an entry) and the
 * one-to-many indexes (IMDb, TMDB, TheTVDB → entries) as sorted arrays. For 35k anime and 385k mapping keys that
 * is ~1-3 MB of heap, where maps of boxed keys and parsed entries held ~75 MB: more than a small pod's whole heap.
 * Not thread-safe to close: {@link Datasets} closes a copy only when no request uses it.
 */
final class DatasetCopy implements AutoCloseable {
    private final Meta meta;
    private final Path entriesFile;
    private final Path keysFile;
    private final FileChannel entries;
    /** Open from start to close, as {@link #entries} is: a cleaner of temporary files removing them changes nothing. */
    private final FileChannel keys;
    /** Internal IDs, ascending, and where each one's JSON is in {@link #entriesFile}. */
    private final long[] ids;
    private final long[] offsets;
    private final int[] lengths;
    private final int keyCount;
    /** {@code (tmdb << 32) | entry index} and {@code (tvdb << 32) | entry index}, ascending. */
    private final long[] themoviedb;
    private final long[] thetvdb;
    /** IMDb IDs, ascending, and the entry index of each (an ID of several entries repeats). */
    private final String[] imdb;
    private final int[] imdbEntries;

    private DatasetCopy(Meta meta, Sink s) throws IOException {
        this.meta = meta;
        this.entriesFile = s.entriesFile;
        this.keysFile = s.keysFile;
        this.keyCount = s.keyCount;
        // internal-ID order; an entry HSCAN handed over twice keeps its last copy (the same bytes)
        Integer[] order = new Integer[s.count];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong((Integer i) -> s.ids[i]).thenComparing(i -> -i));
        int n = 0;
        long[] ids = new long[order.length];
        long[] offsets = new long[order.length];
        int[] lengths = new int[order.length];
        int[] slot = new int[order.length]; // sink position → entry index
        for (Integer i : order) {
            if (n > 0 && ids[n - 1] == s.ids[i]) {
                slot[i] = -1;
                continue;
            }
            ids[n] = s.ids[i];
            offsets[n] = s.offsets[i];
            lengths[n] = s.lengths[i];
            slot[i] = n++;
        }
        this.ids = Arrays.copyOf(ids, n);
        this.offsets = Arrays.copyOf(offsets, n);
        this.lengths = Arrays.copyOf(lengths, n);
        this.themoviedb = packed(s.themoviedb, slot);
        this.thetvdb = packed(s.thetvdb, slot);
        List<Map.Entry<String, Integer>> imdbPairs = new ArrayList<>();
        for (int k = 0; k < s.imdbIds.size(); k++) {
            int e = slot[s.imdbSlots.get(k)];
            if (e >= 0) {
                imdbPairs.add(Map.entry(s.imdbIds.get(k), e));
            }
        }
        imdbPairs.sort(Map.Entry.<String, Integer>comparingByKey().thenComparing(Map.Entry.comparingByValue()));
        this.imdb = imdbPairs.stream().map(Map.Entry::getKey).toArray(String[]::new);
        this.imdbEntries = imdbPairs.stream().mapToInt(Map.Entry::getValue).toArray();
        this.entries = FileChannel.open(entriesFile, StandardOpenOption.READ);
        try {
            this.keys = FileChannel.open(keysFile, StandardOpenOption.READ);
        } catch (IOException ex) {
            entries.close();
            throw ex;
        }
    }

    /** @param pairs (ID, sink position) of entries that carry an ID → (ID << 32 | entry index), ascending */
    private static long[] packed(List<long[]> pairs, int[] slot) {
        long[] out = new long[pairs.size()];
        int n = 0;
        for (long[] p : pairs) {
            int e = slot[(int) p[1]];
            if (e >= 0) {
                out[n++] = (p[0] << 32) | e;
            }
        }
        out = Arrays.copyOf(out, n);
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
        return keyCount;
    }

    /**
     * @param index 0 to {@link #entryCount()} - 1, in internal-ID order
     * @return that entry's internal ID
     */
    long id(int index) {
        return ids[index];
    }

    /**
     * @param index 0 to {@link #entryCount()} - 1, in internal-ID order
     * @return that entry's canonical JSON
     */
    byte[] json(int index) {
        byte[] b = new byte[lengths[index]];
        ByteBuffer buf = ByteBuffer.wrap(b);
        try {
            long at = offsets[index];
            while (buf.hasRemaining()) {
                if (entries.read(buf, at + buf.position()) < 0) {
                    throw new EOFException(entriesFile + " ends before entry " + ids[index]);
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return b;
    }

    /**
     * @param id internal ID
     * @return its canonical JSON, or null
     */
    byte[] entry(long id) {
        int i = Arrays.binarySearch(ids, id);
        return i < 0 ? null : json(i);
    }

    /**
     * Every mapping key starting with {@code prefix}, once each (a key HSCAN repeated is left out), sorted by what
     * follows the prefix. One reader at a time (the object dumps of one version are built once each).
     *
     * @param prefix such as {@code myanimelist/}
     * @param order  order of what follows the prefix
     * @return (what follows the prefix, internal ID)
     */
    synchronized List<Map.Entry<String, Long>> keysUnder(String prefix, Comparator<String> order) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        List<Map.Entry<String, Long>> out = new ArrayList<>();
        byte[] key = new byte[256];
        try {
            // one reader at a time from the start of the shared channel (not closed here: it stays open)
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(keys.position(0)),
                    1 << 16));
            for (int i = 0; i < keyCount; i++) {
                int len = in.readUnsignedShort();
                if (len > key.length) {
                    key = new byte[len];
                }
                in.readFully(key, 0, len);
                long id = in.readLong();
                if (len > p.length && Arrays.equals(key, 0, p.length, p, 0, p.length)) {
                    out.add(Map.entry(new String(key, p.length, len - p.length, StandardCharsets.UTF_8), id));
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
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
            out.add(CanonicalJson.parse(json(imdbEntries[i])));
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
        int i = Arrays.binarySearch(index, (long) id << 32);
        i = i < 0 ? -i - 1 : i;
        for (; i < index.length && (index[i] >> 32) == id; i++) {
            out.add(CanonicalJson.parse(json((int) index[i])));
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

    /** Closes the entries file and deletes both files. */
    @Override
    public void close() {
        for (FileChannel c : List.of(entries, keys)) {
            try {
                c.close();
            } catch (IOException ignored) {
                // deleting follows; a file that cannot be closed is deleted all the same
            }
        }
        Sink.delete(entriesFile, keysFile);
    }

    /**
     * Collects one attempt of {@link RedisReader#snapshot(java.util.function.Supplier)} into the two files (every
     * attempt of one snapshot writes the same two, from their start).
     */
    static final class Sink implements RedisReader.SnapshotSink<DatasetCopy> {
        private final Path entriesFile;
        private final Path keysFile;
        private final OutputStream entryOut;
        private final DataOutputStream keyOut;
        private long offset;
        private long[] ids = new long[1 << 10];
        private long[] offsets = new long[1 << 10];
        private int[] lengths = new int[1 << 10];
        private int count;
        private int keyCount;
        /** (ID, sink position) of the entries carrying one. */
        private final List<long[]> themoviedb = new ArrayList<>();
        private final List<long[]> thetvdb = new ArrayList<>();
        private final List<String> imdbIds = new ArrayList<>();
        private final List<Integer> imdbSlots = new ArrayList<>();

        /**
         * @param entriesFile where the entries go
         * @param keysFile    where the mapping keys go
         */
        Sink(Path entriesFile, Path keysFile) {
            this.entriesFile = entriesFile;
            this.keysFile = keysFile;
            try {
                this.entryOut = new BufferedOutputStream(Files.newOutputStream(entriesFile), 1 << 16);
                this.keyOut = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(keysFile), 1 << 16));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        @Override
        public void entry(long id, byte[] json) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
                offsets = Arrays.copyOf(offsets, count * 2);
                lengths = Arrays.copyOf(lengths, count * 2);
            }
            try {
                entryOut.write(json);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            ids[count] = id;
            offsets[count] = offset;
            lengths[count] = json.length;
            offset += json.length;
            AnimeEntry a = CanonicalJson.parse(json);
            if (a.imdb() != null) {
                imdbIds.add(a.imdb());
                imdbSlots.add(count);
            }
            // arm-server's rule: the TV ID when the entry has one, else the movie ID
            Integer tm = a.themoviedbTv() != null ? a.themoviedbTv() : a.themoviedb();
            if (tm != null) {
                themoviedb.add(new long[] {tm, count});
            }
            if (a.thetvdb() != null) {
                thetvdb.add(new long[] {a.thetvdb(), count});
            }
            count++;
        }

        @Override
        public void mapping(byte[] key, long id) {
            if (key.length > 0xFFFF) {
                return; // no lookup key is this long (the API refuses such IDs before looking them up)
            }
            try {
                keyOut.writeShort(key.length);
                keyOut.write(key);
                keyOut.writeLong(id);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            keyCount++;
        }

        @Override
        public DatasetCopy finish(Meta meta) {
            try {
                entryOut.close();
                keyOut.close();
                return new DatasetCopy(meta, this);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        /** Closes the files of an attempt that did not finish (the next attempt, if any, writes them again). */
        void abandon() {
            try {
                entryOut.close();
                keyOut.close();
            } catch (IOException ignored) {
                // deleted next, or written again by the next attempt
            }
        }

        static void delete(Path... files) {
            for (Path f : files) {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // the dump directory is cleared at the next start
                }
            }
        }
    }
}
