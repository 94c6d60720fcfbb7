-- ids.moe schema, version 1. Applied by Flyway under a PostgreSQL advisory lock.

-- Every fetch attempt of every source, kept for history and /status freshness.
CREATE TABLE source_fetch (
    id             BIGSERIAL PRIMARY KEY,
    source         TEXT        NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    duration_ms    BIGINT      NOT NULL,
    http_status    INT,
    etag           TEXT,
    last_modified  TEXT,
    content_sha256 TEXT,
    bytes          BIGINT,
    records        INT,
    result         TEXT        NOT NULL CHECK (result IN ('Changed', 'Unchanged', 'Failed', 'Skipped')),
    error          TEXT,
    snapshot_id    BIGINT
);
CREATE INDEX source_fetch_source_time ON source_fetch (source, started_at DESC);

-- Accepted snapshots of a source: raw bytes (compressed) and normalized records (compressed JSON).
CREATE TABLE source_snapshot (
    id               BIGSERIAL PRIMARY KEY,
    source           TEXT        NOT NULL,
    fetched_at       TIMESTAMPTZ NOT NULL,
    etag             TEXT,
    last_modified    TEXT,
    content_sha256   TEXT        NOT NULL,
    raw_size         BIGINT      NOT NULL,
    raw_encoding     TEXT        NOT NULL,
    raw              BYTEA       NOT NULL,
    record_count     INT         NOT NULL,
    records_encoding TEXT        NOT NULL,
    records          BYTEA       NOT NULL
);
CREATE INDEX source_snapshot_source_time ON source_snapshot (source, id DESC);

-- The last good snapshot per source: what the merger reads. Moves only when a fetch is accepted.
CREATE TABLE source_state (
    source         TEXT PRIMARY KEY,
    snapshot_id    BIGINT      NOT NULL REFERENCES source_snapshot (id),
    content_sha256 TEXT        NOT NULL,
    etag           TEXT,
    last_modified  TEXT,
    record_count   INT         NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);

-- Internal anime IDs: never reused, so a sequence and not max(id)+1.
CREATE SEQUENCE anime_id_seq;

-- The published anime set: one row per served entry.
CREATE TABLE anime (
    id         BIGINT PRIMARY KEY,
    entry      JSONB       NOT NULL,
    hash       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Identity keys (platform, id) → internal ID: an anime keeps its ID while any strong ID survives.
-- Rows outlive their anime so a returning anime gets its old ID back.
CREATE TABLE identity_key (
    platform    TEXT        NOT NULL,
    platform_id TEXT        NOT NULL,
    anime_id    BIGINT      NOT NULL,
    seen_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, platform_id)
);
CREATE INDEX identity_key_anime ON identity_key (anime_id);

-- The published tier-1 mapping (mapping key → internal ID), diffed to produce map_set / map_del.
CREATE TABLE published_mapping (
    key      TEXT PRIMARY KEY,
    anime_id BIGINT NOT NULL
);

-- The change-set outbox: strictly increasing versions, each applying on its base.
CREATE TABLE change_set (
    version    BIGINT PRIMARY KEY,
    base       BIGINT      NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    encoding   TEXT        NOT NULL,
    payload    BYTEA       NOT NULL,
    upserts    INT         NOT NULL,
    deletes    INT         NOT NULL,
    map_sets   INT         NOT NULL,
    map_dels   INT         NOT NULL,
    CHECK (version > base),
    UNIQUE (base)
);

-- One report per merge run (counts per platform, matches per source and method, conflicts, drops).
CREATE TABLE merge_report (
    id         BIGSERIAL PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    version    BIGINT REFERENCES change_set (version),
    report     JSONB       NOT NULL
);

-- What each ingestor has applied to its Redis, so a refresh can wait for a version.
CREATE TABLE ingest_state (
    consumer        TEXT PRIMARY KEY,
    applied_version BIGINT      NOT NULL,
    applied_at      TIMESTAMPTZ NOT NULL
);
