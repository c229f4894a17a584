-- +goose Up
-- The admin audit log: one row per committed admin write, written in the
-- write's own transaction (internal/audit). Rows are never changed; the log
-- is read newest first by id (the primary key), all of it or one admin's
-- or one action's.
CREATE TABLE admin_audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    admin_id   INTEGER NOT NULL REFERENCES admins (id),
    action     TEXT    NOT NULL,          -- method and route pattern: "PATCH /admin/v1/masters/{id}"
    target     TEXT    NOT NULL,          -- the request's path
    before     TEXT,                      -- JSON of the object before the write, when read
    after      TEXT,                      -- JSON of the change asked (secrets redacted)
    ip         TEXT    NOT NULL DEFAULT '',
    request_id TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX admin_audit_admin ON admin_audit (admin_id, id);
CREATE INDEX admin_audit_action ON admin_audit (action, id);

-- +goose Down
DROP TABLE admin_audit;
