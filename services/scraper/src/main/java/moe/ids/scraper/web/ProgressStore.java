package moe.ids.scraper.web;

import moe.ids.core.error.UnavailableException;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbRow;
import moe.ids.db.Transactions;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Progress of unfinished crawls, so that an interrupted or failed scrape continues with the pages it has not yet
 * fetched: one run per source (its plan, e.g. {@code pages 1..476}) and the records of every page fetched so far,
 * as JSON. PostgreSQL tables {@code scrape_run} / {@code scrape_page} (migration V2), or memory.
 */
public interface ProgressStore {

    /**
     * An unfinished crawl.
     *
     * @param plan       what it covers; a run is resumed only under the same plan
     * @param totalUnits pages (or IDs) in the plan
     * @param startedAt  when it began
     * @param pages      records (JSON arrays) of the pages fetched, by page number
     */
    record Run(String plan, int totalUnits, Instant startedAt, Map<Integer, String> pages) {
    }

    /**
     * @param source source name
     * @return its unfinished crawl, if any
     */
    Optional<Run> unfinished(String source);

    /**
     * Starts a crawl, dropping any unfinished one of the source.
     *
     * @param source     source name
     * @param plan       what it covers
     * @param totalUnits pages in the plan
     */
    void begin(String source, String plan, int totalUnits);

    /**
     * Records a fetched page.
     *
     * @param source  source name
     * @param unit    page number
     * @param records its records as a JSON array
     */
    void save(String source, int unit, String records);

    /**
     * Drops the source's crawl and its pages (it completed).
     *
     * @param source source name
     */
    void finish(String source);

    /**
     * @return progress kept in memory (lost with the process; for tests and one-off runs)
     */
    static ProgressStore inMemory() {
        return new Memory();
    }

    /**
     * @param db PostgreSQL, migrated to V2
     * @return progress kept in {@code scrape_run} / {@code scrape_page} (statements named {@code progress-*})
     */
    static ProgressStore postgres(DbClient db) {
        return new Postgres(db);
    }

    /** In-memory progress. */
    final class Memory implements ProgressStore {
        private final Map<String, Run> runs = new ConcurrentHashMap<>();

        @Override
        public Optional<Run> unfinished(String source) {
            return Optional.ofNullable(runs.get(source)).map(r -> new Run(r.plan(), r.totalUnits(), r.startedAt(),
                    new TreeMap<>(r.pages())));
        }

        @Override
        public void begin(String source, String plan, int totalUnits) {
            runs.put(source, new Run(plan, totalUnits, Instant.now(), new ConcurrentHashMap<>()));
        }

        @Override
        public void save(String source, int unit, String records) {
            Run r = runs.get(source);
            if (r != null) {
                r.pages().put(unit, records);
            }
        }

        @Override
        public void finish(String source) {
            runs.remove(source);
        }
    }

    /** PostgreSQL progress, through Helidon DB Client. */
    final class Postgres implements ProgressStore {
        private final DbClient db;

        Postgres(DbClient db) {
            this.db = db;
        }

        @Override
        public Optional<Run> unfinished(String source) {
            return sql(() -> db.execute().namedGet("progress-run", source).map(run -> {
                Map<Integer, String> pages = new TreeMap<>();
                try (Stream<DbRow> rows = db.execute().namedQuery("progress-pages", source)) {
                    rows.forEach(r -> pages.put(r.column(1).get(Integer.class), r.column(2).get(String.class)));
                }
                return new Run(run.column(1).get(String.class), run.column(2).get(Integer.class),
                        run.column(3).get(Timestamp.class).toInstant(), pages);
            }));
        }

        @Override
        public void begin(String source, String plan, int totalUnits) {
            sql(() -> {
                Transactions.run(db, tx -> {
                    Timestamp now = Timestamp.from(Instant.now());
                    tx.namedDelete("progress-run-delete", source);
                    tx.namedInsert("progress-run-insert", source, plan, totalUnits, now, now);
                });
                return null;
            });
        }

        /**
         * Commits the page asynchronously ({@code synchronous_commit} off for this transaction only): the commit does
         * not wait for its WAL to reach the disk, which PostgreSQL's WAL writer does within a fraction of a second.
         * A crawl saves every page, and waiting for one disk flush per page was a good part of its time. What a
         * PostgreSQL crash can lose is the last pages saved, which the next run fetches again; a crash of the
         * scraper loses nothing, and the snapshot a completed crawl stores commits synchronously as ever.
         */
        @Override
        public void save(String source, int unit, String records) {
            sql(() -> {
                Transactions.run(db, tx -> {
                    tx.namedGet("progress-async-commit");
                    tx.namedInsert("progress-page-upsert", source, unit, records, Timestamp.from(Instant.now()));
                });
                return null;
            });
        }

        @Override
        public void finish(String source) {
            sql(() -> db.execute().namedDelete("progress-run-delete", source));
        }

        private static <T> T sql(Supplier<T> work) {
            try {
                return work.get();
            } catch (DbClientException ex) {
                throw new UnavailableException("PostgreSQL (scrape progress): " + Transactions.message(ex), ex);
            }
        }
    }
}
