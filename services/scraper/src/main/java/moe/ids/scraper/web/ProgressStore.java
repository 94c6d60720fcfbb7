package moe.ids.scraper.web;

import moe.ids.core.error.UnavailableException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

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
     * @return progress kept in {@code scrape_run} / {@code scrape_page}
     */
    static ProgressStore postgres(DataSource db) {
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

    /** PostgreSQL progress. */
    final class Postgres implements ProgressStore {
        private final DataSource db;

        Postgres(DataSource db) {
            this.db = db;
        }

        @Override
        public Optional<Run> unfinished(String source) {
            try (Connection c = db.getConnection()) {
                String plan;
                int total;
                Instant started;
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT plan, total_units, started_at FROM scrape_run WHERE source = ?")) {
                    ps.setString(1, source);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return Optional.empty();
                        }
                        plan = rs.getString(1);
                        total = rs.getInt(2);
                        started = rs.getTimestamp(3).toInstant();
                    }
                }
                Map<Integer, String> pages = new TreeMap<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT unit, records FROM scrape_page WHERE source = ?")) {
                    ps.setString(1, source);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            pages.put(rs.getInt(1), rs.getString(2));
                        }
                    }
                }
                return Optional.of(new Run(plan, total, started, pages));
            } catch (SQLException ex) {
                throw unavailable(ex);
            }
        }

        @Override
        public void begin(String source, String plan, int totalUnits) {
            try (Connection c = db.getConnection()) {
                c.setAutoCommit(false);
                try {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM scrape_run WHERE source = ?")) {
                        ps.setString(1, source);
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO scrape_run (source, plan, total_units, "
                            + "started_at, updated_at) VALUES (?, ?, ?, ?, ?)")) {
                        Timestamp now = Timestamp.from(Instant.now());
                        ps.setString(1, source);
                        ps.setString(2, plan);
                        ps.setInt(3, totalUnits);
                        ps.setTimestamp(4, now);
                        ps.setTimestamp(5, now);
                        ps.executeUpdate();
                    }
                    c.commit();
                } catch (SQLException | RuntimeException ex) {
                    c.rollback();
                    throw ex;
                }
            } catch (SQLException ex) {
                throw unavailable(ex);
            }
        }

        @Override
        public void save(String source, int unit, String records) {
            try (Connection c = db.getConnection();
                 PreparedStatement ps = c.prepareStatement("INSERT INTO scrape_page (source, unit, records, fetched_at) "
                         + "VALUES (?, ?, ?, ?) ON CONFLICT (source, unit) DO UPDATE SET records = EXCLUDED.records, "
                         + "fetched_at = EXCLUDED.fetched_at")) {
                ps.setString(1, source);
                ps.setInt(2, unit);
                ps.setString(3, records);
                ps.setTimestamp(4, Timestamp.from(Instant.now()));
                ps.executeUpdate();
            } catch (SQLException ex) {
                throw unavailable(ex);
            }
        }

        @Override
        public void finish(String source) {
            try (Connection c = db.getConnection();
                 PreparedStatement ps = c.prepareStatement("DELETE FROM scrape_run WHERE source = ?")) {
                ps.setString(1, source);
                ps.executeUpdate();
            } catch (SQLException ex) {
                throw unavailable(ex);
            }
        }

        private static UnavailableException unavailable(SQLException ex) {
            return new UnavailableException("PostgreSQL (scrape progress): " + ex.getMessage(), ex);
        }
    }
}
