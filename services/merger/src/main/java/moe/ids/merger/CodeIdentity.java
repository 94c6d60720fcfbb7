package moe.ids.merger;

import moe.ids.core.entry.AnimeEntry;
import moe.ids.db.snapshot.SnapshotReader;
import moe.ids.merger.merge.Merger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The identity of the code that decides a merge's result: a SHA-256 over the bytes of the jars (or class folders)
 * holding the merger's rules ({@link Merger}, with the diff and identity code beside it), the core domain
 * ({@link AnimeEntry}: entries, canonical JSON, mapping keys, record types) and the snapshot reader
 * ({@link SnapshotReader}: how stored records decode). A jar is hashed whole, manifest included: the merger jar's
 * {@code Class-Path} names every library with its version, so a library upgrade changes it too. A class folder (tests,
 * an IDE) is hashed file by file, path and content, in path order. Computed once per process: three small jars take a
 * few milliseconds.
 * <p>
 * When a location cannot be read, the identity is a random one for this process, so that it never equals a recorded
 * one: a merge then always runs instead of being skipped wrongly.
 */
public final class CodeIdentity {
    private static final System.Logger LOG = System.getLogger(CodeIdentity.class.getName());

    private CodeIdentity() {
    }

    /**
     * @return the identity of the merge code of this process (hex SHA-256)
     */
    public static String merge() {
        return Holder.MERGE;
    }

    private static final class Holder {
        static final String MERGE = compute(List.of(Merger.class, AnimeEntry.class, SnapshotReader.class));
    }

    /**
     * @param anchors one class of each code location to include
     * @return hex SHA-256 over the distinct locations holding them, in the order given; a random value when one
     *         cannot be read
     */
    static String compute(List<Class<?>> anchors) {
        Set<Path> locations = new LinkedHashSet<>();
        try {
            for (Class<?> anchor : anchors) {
                locations.add(location(anchor));
            }
            MessageDigest sha = sha256();
            for (Path location : locations) {
                hash(sha, location);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException | UncheckedIOException | IllegalStateException ex) {
            String random = "unknown-" + UUID.randomUUID();
            LOG.log(System.Logger.Level.WARNING, "the merge code''s identity cannot be read ({0}); every merge of "
                    + "this process runs, none is skipped", ex.getMessage());
            return random;
        }
    }

    /**
     * @param location a jar or a folder of classes
     * @return hex SHA-256 of it alone, as {@link #compute} hashes it
     * @throws IOException when it cannot be read
     */
    static String hash(Path location) throws IOException {
        MessageDigest sha = sha256();
        hash(sha, location);
        return HexFormat.of().formatHex(sha.digest());
    }

    private static Path location(Class<?> anchor) {
        CodeSource source = anchor.getProtectionDomain().getCodeSource();
        URL url = source == null ? null : source.getLocation();
        if (url == null) {
            throw new IllegalStateException("no code location for " + anchor.getName());
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException ex) {
            throw new IllegalStateException("code location of " + anchor.getName() + " is not a file: " + url, ex);
        }
    }

    private static void hash(MessageDigest sha, Path location) throws IOException {
        if (Files.isDirectory(location)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(location)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                byte[] name = location.relativize(file).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8);
                byte[] content = Files.readAllBytes(file);
                sha.update(ByteBuffer.allocate(8).putInt(name.length).putInt(content.length).array());
                sha.update(name);
                sha.update(content);
            }
        } else {
            try (InputStream in = new DigestInputStream(Files.newInputStream(location), sha)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
