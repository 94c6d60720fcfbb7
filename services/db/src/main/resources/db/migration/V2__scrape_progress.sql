-- Resumable web scrapes (services/scraper/DESIGN.md): one unfinished crawl per source and the pages it has
-- already fetched. A crawl that completes deletes its pages; an interrupted or failed one keeps them, and the
-- next run with the same plan (e.g. the same last page) fetches only the pages still missing.
CREATE TABLE scrape_run (
    source      TEXT PRIMARY KEY,
    plan        TEXT        NOT NULL,
    total_units INT         NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE scrape_page (
    source     TEXT        NOT NULL REFERENCES scrape_run (source) ON DELETE CASCADE,
    unit       INT         NOT NULL,
    records    TEXT        NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, unit)
);
