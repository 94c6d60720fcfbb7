package moe.ids.scraper.source;

import moe.ids.core.error.BadRequestException;
import moe.ids.core.snapshot.SourceNames;
import moe.ids.scraper.web.KaizeSource;
import moe.ids.scraper.web.NautiljonSource;
import moe.ids.scraper.web.OtakOtakuSource;
import moe.ids.scraper.web.WebContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every source the scraper knows, by name, in the fixed order of {@link SourceNames#ALL}. */
public final class Sources {
    private Sources() {
    }

    /**
     * @return all sources, the web scrapers with default settings and progress in memory
     */
    public static List<Source> all() {
        return all(WebContext.defaults());
    }

    /**
     * @param web settings, progress store and snapshot store of the web scrapers
     * @return all sources: the dataset files, then the web scrapers ({@code kaize}, {@code nautiljon},
     *         {@code otakotaku})
     */
    public static List<Source> all(WebContext web) {
        return List.of(new AodSource(), new ArmSource(), AniTraktSource.tv(), AniTraktSource.movies(),
                new SilveryashaSource(), new FribbSource(), ManualSource.kaize(), ManualSource.otakotaku(),
                ManualSource.silveryasha(), new KaizeSource(web), new NautiljonSource(web),
                new OtakOtakuSource(web));
    }

    /**
     * @return source names in order (equal to {@link SourceNames#ALL})
     */
    public static List<String> names() {
        return all().stream().map(Source::name).toList();
    }

    /**
     * @param names requested names; empty means all
     * @return the sources, in the fixed order
     * @throws BadRequestException naming an unknown source
     */
    public static List<Source> select(List<String> names) {
        return select(names, WebContext.defaults());
    }

    /**
     * @param names requested names; empty means all
     * @param web   what the web scrapers need
     * @return the sources, in the fixed order
     * @throws BadRequestException naming an unknown source
     */
    public static List<Source> select(List<String> names, WebContext web) {
        Map<String, Source> byName = new LinkedHashMap<>();
        all(web).forEach(s -> byName.put(s.name(), s));
        if (names.isEmpty()) {
            return List.copyOf(byName.values());
        }
        List<Source> out = new ArrayList<>();
        for (String n : names) {
            Source s = byName.get(n);
            if (s == null) {
                throw new BadRequestException("unknown source " + n + "; known: " + String.join(", ", byName.keySet()));
            }
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }
}
