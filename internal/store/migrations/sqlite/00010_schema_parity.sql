-- +goose Up
-- SQLite lets a primary key that is not the rowid hold NULL (a quirk it keeps
-- for compatibility); PostgreSQL does not. media.id and rate_counters.key are
-- made NOT NULL here as they are there, by rebuilding the two tables (SQLite
-- cannot alter a column). A row with a NULL key could never be found by it
-- and is not copied. No table references either, and the new definitions are
-- the old ones with NOT NULL added (the schema parity test in internal/store
-- reports any column or index lost on the way).
CREATE TABLE media_new (
    id           TEXT    NOT NULL PRIMARY KEY,
    owner_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    status       TEXT    NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'storing', 'uploaded')),
    ext          TEXT    NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    content_type TEXT    NOT NULL DEFAULT '',
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    uploaded_at  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO media_new (id, owner_id, status, ext, size, content_type, width, height, created_at, uploaded_at)
SELECT id, owner_id, status, ext, size, content_type, width, height, created_at, uploaded_at
FROM media WHERE id IS NOT NULL;
DROP TABLE media;
ALTER TABLE media_new RENAME TO media;
CREATE INDEX media_owner ON media (owner_id, status, created_at);
CREATE INDEX media_status ON media (status, created_at);

CREATE TABLE rate_counters_new (
    key      TEXT    NOT NULL PRIMARY KEY,
    count    INTEGER NOT NULL,
    reset_at INTEGER NOT NULL
);
INSERT INTO rate_counters_new (key, count, reset_at)
SELECT key, count, reset_at FROM rate_counters WHERE key IS NOT NULL;
DROP TABLE rate_counters;
ALTER TABLE rate_counters_new RENAME TO rate_counters;

-- +goose Down
-- Nothing to undo: the two keys never held NULL in plaza's use, and NOT NULL
-- suits the code of every earlier version.
