package moe.ids.system;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layering as the poms declare it, in every scope: a service module lists no other service module (a compile-time
 * constant of another module leaves no trace in bytecode for {@link LayeringTest} to find), and a shared module or
 * test tool lists none at all.
 */
class ModulePomsTest {
    private static final Set<String> SERVICES = Set.of("scraper", "merger", "ingestor", "api");
    /** Shared libraries, and the tools tests run (the replay server of recorded upstreams, the test support). */
    private static final Set<String> SHARED = Set.of("core", "db", "store", "http", "test-support", "replay");
    private static final Pattern DEPENDENCY = Pattern.compile("<artifactId>ids-moe-([a-z-]+)</artifactId>");

    @Test
    void noModuleDependsOnAServiceModuleOtherThanItself() throws IOException {
        Path services = root().resolve("services");
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (String module : union()) {
            Path pom = services.resolve(module).resolve("pom.xml");
            assertTrue(Files.exists(pom), pom.toString());
            checked++;
            Matcher m = DEPENDENCY.matcher(Files.readString(pom));
            while (m.find()) {
                String dep = m.group(1);
                if (!dep.equals(module) && SERVICES.contains(dep)) {
                    wrong.add(module + " → " + dep);
                }
            }
        }
        assertEquals(SERVICES.size() + SHARED.size(), checked);
        assertEquals(List.of(), wrong);
    }

    private static List<String> union() {
        List<String> all = new ArrayList<>(SERVICES);
        all.addAll(SHARED);
        return all;
    }

    /** The reactor's root: the working directory is this module's folder. */
    private static Path root() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("services")) ? here : here.getParent();
    }
}
