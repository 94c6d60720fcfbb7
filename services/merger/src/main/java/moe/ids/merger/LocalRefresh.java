package moe.ids.merger;

import io.helidon.config.Config;
import moe.ids.core.db.Database;
import moe.ids.core.db.Migrations;
import moe.ids.core.error.IdsMoeException;
import moe.ids.scraper.RunArgs;
import moe.ids.scraper.Scraper;
import moe.ids.scraper.ScraperConfig;
import moe.ids.scraper.source.Outcome;
import moe.ids.scraper.source.SourceResult;
import com.zaxxer.hikari.HikariDataSource;

import java.util.List;

/**
 * One refresh in the foreground without Kubernetes ({@code bin/ids-moe refresh}): scrape → merge, the same
 * steps the Refresh controller runs; the launcher then runs the ingestor's one-shot sync. Exit code 0 on
 * success, 3 when some sources failed (the others were merged), 1 with one line saying why otherwise.
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
        RunArgs parsed;
        try {
            parsed = RunArgs.parse(args);
        } catch (moe.ids.core.error.BadRequestException ex) {
            return usage(ex.getMessage());
        }
        List<String> sources = parsed.sources();
        boolean force = parsed.force();
        try {
            Database.ensureExists(cfg.database());
            Migrations.migrate(cfg.database());
            LOG.log(System.Logger.Level.INFO, "refresh: sources={0} force={1}",
                    sources.isEmpty() ? "all" : sources, force);
            ScraperConfig scraperConfig = ScraperConfig.from(config);
            try (HikariDataSource db = Database.pool(cfg.database(), "refresh", scraperConfig.parallelism() + 5)) {
                List<SourceResult> results;
                try (Scraper scraper = new Scraper(scraperConfig, db)) {
                    results = scraper.run(sources, force);
                }
                long failed = results.stream().filter(r -> r.result() == Outcome.Failed).count();
                boolean changed = results.stream().anyMatch(r -> r.result() == Outcome.Changed);
                if (failed == results.size()) {
                    throw new IdsMoeException("refresh: every source failed; nothing to merge");
                }
                MergeService.Outcome merged = new MergeService(db, cfg.mergeSettings(), cfg.maxDeleteShare()).run(force);
                LOG.log(System.Logger.Level.INFO, "refresh: {0} sources scraped ({1} failed, {2}), version {3} {4}",
                        results.size(), failed, changed ? "some changed" : "none changed", merged.version(),
                        merged.published() ? "published" : "unchanged");
                return failed > 0 ? 3 : 0;
            }
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
