package moe.ids.deploy;

import moe.ids.replay.ReplayServer;
import moe.ids.replay.SyntheticUpstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The upstream a deployment test replays: the recorded one when {@link ReplayServer#locateUpstream()} finds it,
 * else the synthetic one written to a temporary folder that {@link #close()} deletes.
 *
 * @param root    the upstream folder
 * @param written the folder written here (null for the recorded upstream)
 */
record TestUpstream(Path root, Path written) implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TestUpstream.class.getName());

    static TestUpstream locateOrWrite() {
        Path recorded = ReplayServer.locateUpstream().orElse(null);
        if (recorded != null) {
            return new TestUpstream(recorded, null);
        }
        LOG.log(System.Logger.Level.INFO, "recorded upstream not found");
        return writeSynthetic();
    }

    /**
     * @return the synthetic upstream, written to a temporary folder (a test of the deployment's behaviour, not of
     *         the data: its six anime are checked lookup by lookup, and a refresh of it takes seconds)
     */
    static TestUpstream writeSynthetic() {
        try {
            Path dir = Files.createTempDirectory("ids-moe-upstream");
            Path root = SyntheticUpstream.write(dir);
            LOG.log(System.Logger.Level.INFO, "synthetic upstream written to {0}", root);
            return new TestUpstream(root, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean synthetic() {
        return SyntheticUpstream.isSynthetic(root);
    }

    @Override
    public void close() {
        if (written == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(written)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete " + written, e);
        }
    }
}
