-- +goose Up
-- Nothing to do on PostgreSQL: this migration brings SQLite to the schema
-- PostgreSQL already has (NOT NULL on media.id and rate_counters.key, which
-- PostgreSQL implies for every primary key). It exists so that both engines
-- have the same migrations at the same versions.

-- +goose Down
