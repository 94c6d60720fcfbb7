package moe.ids.deploy.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an image would run, for the images the chart names: the project's own images
 * ({@code <registry>/<repository>/<service>:<tag>}) run the service jar built in this checkout with the
 * entrypoint and environment read from {@code docker/Dockerfile}'s runtime stage (its {@code /app/app.jar} is
 * that jar, its {@code /app/app.aot} the start-up cache beside it); the bundled {@code redis} image runs the
 * machine's {@code redis-server} with the rendered command; the bundled {@code postgres} image is provided by the
 * machine's PostgreSQL (a role and database made from the container's environment, as the image's entrypoint makes
 * them).
 */
public final class Images {
    private static final Pattern SERVICE = Pattern.compile(".*/(scraper|merger|ingestor|api|replay):[^/]+$");

    private final Path root;
    private final List<String> entrypoint;
    private final Map<String, String> env;

    /**
     * @param root the repository (holding {@code docker/Dockerfile} and the built {@code services/}{@code *}{@code /target})
     */
    public Images(Path root) {
        this.root = root;
        String dockerfile;
        try {
            dockerfile = Files.readString(root.resolve("docker/Dockerfile"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String runtime = dockerfile.substring(dockerfile.lastIndexOf("\nFROM "));
        String joined = runtime.replaceAll("\\\\\\r?\\n\\s*", " ");
        Matcher ep = Pattern.compile("(?m)^ENTRYPOINT\\s+\\[(.*)]\\s*$").matcher(joined);
        if (!ep.find()) {
            throw new IllegalStateException("no ENTRYPOINT in the Dockerfile's runtime stage");
        }
        List<String> words = new ArrayList<>();
        Matcher w = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(ep.group(1));
        while (w.find()) {
            words.add(w.group(1));
        }
        this.entrypoint = List.copyOf(words);
        Map<String, String> vars = new LinkedHashMap<>();
        Matcher envLine = Pattern.compile("(?m)^ENV\\s+(.*)$").matcher(joined);
        while (envLine.find()) {
            Matcher kv = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)").matcher(envLine.group(1));
            while (kv.find()) {
                String v = kv.group(2);
                vars.put(kv.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
            }
        }
        this.env = Map.copyOf(vars);
    }

    /**
     * @param image an image reference from a pod spec
     * @return how to run it
     * @throws IllegalArgumentException for an image this stand-in cannot run
     */
    public Image resolve(String image) {
        Matcher m = SERVICE.matcher(image);
        if (m.matches()) {
            String service = m.group(1);
            Path jar = root.resolve("services").resolve(service).resolve("target").resolve("ids-moe-" + service + ".jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is not built (mvn package first)");
            }
            // the image's start-up cache is this checkout's, where bin/ids-moe build trains it; without one the flag
            // is left out (the JVM would only warn on stdout and start slower)
            Path cache = jar.resolveSibling("ids-moe-" + service + ".aot");
            List<String> cmd = new ArrayList<>();
            for (String word : entrypoint) {
                if (word.equals("-XX:AOTCache=/app/app.aot")) {
                    if (Files.isRegularFile(cache) && cache.toFile().lastModified() > jar.toFile().lastModified()) {
                        cmd.add("-XX:AOTCache=" + cache);
                    }
                    continue;
                }
                cmd.add(word.equals("java") ? Path.of(System.getProperty("java.home"), "bin", "java").toString()
                        : word.equals("/app/app.jar") ? jar.toString() : word);
            }
            Map<String, String> vars = new LinkedHashMap<>();
            env.forEach((k, v) -> vars.put(k, v.replace("${SERVICE}", service)));
            return new Image(Kind.JAVA, service, cmd, vars);
        }
        String repo = image.contains(":") ? image.substring(0, image.lastIndexOf(':')) : image;
        if (repo.endsWith("/redis") || repo.equals("redis")) {
            return new Image(Kind.REDIS, "redis", List.of("redis-server"), Map.of());
        }
        if (repo.endsWith("/postgres") || repo.equals("postgres")) {
            return new Image(Kind.POSTGRES, "postgres", List.of(), Map.of());
        }
        throw new IllegalArgumentException("no stand-in for image " + image);
    }

    /** How an image runs here. */
    public enum Kind {
        /** One of the project's services: the JVM with the service jar. */
        JAVA,
        /** The machine's redis-server. */
        REDIS,
        /** A role and database on the machine's PostgreSQL. */
        POSTGRES
    }

    /**
     * @param kind       how it runs
     * @param name       short name
     * @param entrypoint the image's entrypoint (replaced by a container's {@code command})
     * @param env        the image's environment
     */
    public record Image(Kind kind, String name, List<String> entrypoint, Map<String, String> env) {
    }
}
