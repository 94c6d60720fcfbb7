package moe.ids.replay;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.helidon.logging.common.LogConfig;

/**
 * Command line entry point:
 * {@code java -jar ids-moe-replay.jar [--upstream DIR] [--snapshot a|b|faults] [--host ADDR] [--port N]
 * [--faults f1,f2]} or {@code --mirror DIR/b} (upstream = parent folder, snapshot = folder name); {@code --host}
 * defaults to 127.0.0.1 (in the replay image pass {@code --host 0.0.0.0}); {@code --faults} implies the
 * {@code faults} snapshot with only those faults enabled. Without {@code --upstream} or
 * {@code --mirror} the folder is located as by {@link ReplayServer#locateUpstream()}.
 */
public final class Main {

    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    /**
     * Starts the replay server and keeps running until the JVM is stopped.
     *
     * @param args command line options, see the class description
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Map<String, String> options = options(args);
        Path upstream;
        String snapshot = options.getOrDefault("snapshot", "b");
        if (options.containsKey("mirror")) {
            Path mirror = Path.of(options.get("mirror")).toAbsolutePath().normalize();
            upstream = mirror.getParent();
            snapshot = mirror.getFileName().toString();
        } else if (options.containsKey("upstream")) {
            upstream = Path.of(options.get("upstream"));
        } else {
            upstream = ReplayServer.locateUpstream().orElseThrow(() -> new IllegalArgumentException(
                    "recorded upstream not found: pass --upstream DIR or set -D" + ReplayServer.UPSTREAM_PROPERTY));
        }
        ReplayServer server = ReplayServer.start(upstream, snapshot, options.getOrDefault("host", "127.0.0.1"),
                                                 Integer.parseInt(options.getOrDefault("port", "0")));
        if (options.containsKey("faults")) {
            Set<String> faults = Arrays.stream(options.get("faults").split(","))
                    .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
            server.enableFaults(faults);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "replay-shutdown"));
        LOG.log(System.Logger.Level.INFO, "Replay server listening on {0} (snapshot {1})",
                server.baseUri(), server.snapshot());
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: [--upstream DIR] [--snapshot a|b|faults] [--host ADDR]"
                                                           + " [--port N]"
                                                           + " [--faults f1,f2] | --mirror DIR");
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
