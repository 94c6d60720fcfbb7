package moe.ids.merger;

import io.helidon.config.Config;
import moe.ids.core.db.Database;
import moe.ids.core.db.Migrations;
import moe.ids.core.error.IdsMoeException;
import moe.ids.scraper.Scraper;
import moe.ids.scraper.ScraperConfig;
import moe.ids.scraper.source.Outcome;
import moe.ids.scraper.source.SourceResult;
import com.zaxxer.hikari.HikariDataSource;

import java.util.ArrayList;
import java.util.List;

/**
 * One refresh in the foreground without Kubernetes ({@code bin/ids-moe refresh}): scrape → merge → ingest,
 * the same steps the Refresh controller runs. Exit code 0 on success; otherwise one line saying why.
 * The upstream mirror (for {@code --mirror}) arrives as {@code UPSTREAM_MIRROR}, the replay server's base URL.
 */
final class LocalRefresh {
    private static final System.Logger LOG = System.getLogger(LocalRefresh.class.getName());

    private LocalRefresh() {
    }

    /**
     * @param config root config
     * @param cfg    merger settings
     * @param args   {@code [--source NAME]... [--force]}
     * @return process exit code
     */
    static int run(Config config, MergerConfig cfg, List<String> args) {
        List<String> sources = new ArrayList<>();
        boolean force = false;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--force" -> force = true;
                case "--source" -> {
                    if (i + 1 >= args.size()) {
                        return usage("--source needs a name");
                    }
                    sources.add(args.get(++i));
                }
                default -> {
                    return usage("unknown argument " + args.get(i));
                }
            }
        }
        try {
            Database.ensureExists(cfg.database());
            Migrations.migrate(cfg.database());
            LOG.log(System.Logger.Level.INFO, "refresh: sources={0} force={1}",
                    sources.isEmpty() ? "all" : sources, force);
            ScraperConfig scraperConfig = ScraperConfig.from(config);
            List<SourceResult> results;
            try (HikariDataSource db = Database.pool(cfg.database(), "refresh", scraperConfig.parallelism() + 2);
                 Scraper scraper = new Scraper(scraperConfig, db)) {
                results = scraper.run(sources, force);
            }
            long failed = results.stream().filter(r -> r.result() == Outcome.Failed).count();
            if (failed == results.size()) {
                throw new IdsMoeException("refresh: every source failed; nothing to merge");
            }
            throw new IdsMoeException("refresh: scraped " + results.size() + " sources (" + failed
                    + " failed); the merge step is not implemented yet (issue #4), ingest (#5) follows");
        } catch (IdsMoeException ex) {
            LOG.log(System.Logger.Level.ERROR, ex.getMessage());
            return 1;
        }
    }

    private static int usage(String why) {
        LOG.log(System.Logger.Level.ERROR, "refresh: {0}; usage: refresh [--source NAME]... [--force]", why);
        return 64;
    }
}
