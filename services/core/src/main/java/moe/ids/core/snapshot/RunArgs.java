package moe.ids.core.snapshot;

import moe.ids.core.error.BadRequestException;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code [--source NAME]... [--force]} arguments shared by the scraper's {@code run}, the merger's
 * {@code merge} and {@code refresh create}: the steps of one refresh get the same words.
 *
 * @param sources requested source names (empty = all)
 * @param force   {@code --force} given
 */
public record RunArgs(List<String> sources, boolean force) {
    /** Usage line. */
    public static final String USAGE = "[--source NAME]... [--force]";

    /**
     * @param args command-line words
     * @return the parsed arguments
     * @throws BadRequestException naming the bad word
     */
    public static RunArgs parse(List<String> args) {
        List<String> sources = new ArrayList<>();
        boolean force = false;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--force" -> force = true;
                case "--source" -> {
                    if (i + 1 >= args.size()) {
                        throw new BadRequestException("--source needs a name");
                    }
                    sources.add(args.get(++i));
                }
                default -> throw new BadRequestException("unknown argument " + args.get(i));
            }
        }
        return new RunArgs(List.copyOf(sources), force);
    }
}
