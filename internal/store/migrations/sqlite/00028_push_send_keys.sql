-- +goose Up
-- A delivery's send key (issue 12): a vendor's idempotency key for the
-- call it goes in (JPush's cid), kept before the call is made, so that a
-- resend after a crash makes the same call and the vendor does not push
-- it again. The deliveries of one key are claimed together: send_group is
-- the id of the first of them (0: no key), the one a worker claims by;
-- push_deliveries_claim holds the rows a worker claims by (the others of a
-- group are reached through push_deliveries_group).
ALTER TABLE push_deliveries ADD COLUMN send_key TEXT NOT NULL DEFAULT '';
ALTER TABLE push_deliveries ADD COLUMN send_key_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE push_deliveries ADD COLUMN send_group INTEGER NOT NULL DEFAULT 0;
CREATE INDEX push_deliveries_group ON push_deliveries (send_group, id) WHERE send_group <> 0;
CREATE INDEX push_deliveries_claim ON push_deliveries (state, next_at, id) WHERE (send_group = 0 OR send_group = id);

-- +goose Down
DROP INDEX push_deliveries_claim;
DROP INDEX push_deliveries_group;
ALTER TABLE push_deliveries DROP COLUMN send_group;
ALTER TABLE push_deliveries DROP COLUMN send_key_at;
ALTER TABLE push_deliveries DROP COLUMN send_key;
