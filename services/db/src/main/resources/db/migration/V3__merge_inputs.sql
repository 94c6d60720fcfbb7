-- The inputs of every completed merge: one that published a change set or found that nothing changed (a refused or
-- failed merge writes no row). `inputs` says what the merge read: per source the last good snapshot (id and content
-- SHA-256, null when the source had none), the merge settings and the identity of the merge code; `fingerprint` is the
-- SHA-256 of `inputs` as written. A merge whose fingerprint equals the newest row's while the published version is
-- still that row's `version` would produce what is published already, so it is skipped (services/merger DESIGN.md,
-- "Skipping a merge whose inputs are unchanged").
CREATE TABLE merge_inputs (
    id          BIGSERIAL PRIMARY KEY,
    merged_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    version     BIGINT      NOT NULL,
    fingerprint TEXT        NOT NULL,
    inputs      JSONB       NOT NULL
);
