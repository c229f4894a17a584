-- +goose Up
-- One push to one device (issue 12): written in the transaction of its push
-- (an outbox), sent by the delivery worker of any node (internal/notify).
-- state: 0 due at next_at; 1 sending, claimed by a worker until next_at
-- (a worker that died leaves it due again then); 2 delivered; 3 failed
-- (refused by the vendor, or given up after the retries); 4 dead (the
-- vendor said the token is gone: the device was deleted); 5 skipped (the
-- device was switched off, removed or moved to another user before its
-- turn). device_id has no foreign key: a delivery outlives its device.
CREATE TABLE push_deliveries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    push_id     INTEGER NOT NULL REFERENCES pushes (id) ON DELETE CASCADE,
    device_id   INTEGER NOT NULL,
    client_id   TEXT    NOT NULL,
    client_type TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    state       INTEGER NOT NULL DEFAULT 0 CHECK (state >= 0 AND state <= 5),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    channel     TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL
);
CREATE INDEX push_deliveries_due ON push_deliveries (state, next_at, id);
CREATE INDEX push_deliveries_push ON push_deliveries (push_id, state, id);
CREATE INDEX push_deliveries_list ON push_deliveries (push_id, id);

-- +goose Down
DROP TABLE push_deliveries;
