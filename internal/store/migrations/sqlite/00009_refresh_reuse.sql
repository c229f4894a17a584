-- +goose Up
-- A refresh token rotated away keeps, for the reuse interval, the pair that
-- replaced it, sealed under a key derived from its own raw value (which the
-- store never holds): a repeated refresh of it within the interval answers
-- that same pair (internal/account/reuse.go). rotated_at is when it was
-- rotated (ms); successor the sealed pair, erased once it can serve no more.
ALTER TABLE tokens ADD COLUMN rotated_at INTEGER;
ALTER TABLE tokens ADD COLUMN successor TEXT;
-- The janitor's erasing of seals past the interval.
CREATE INDEX tokens_sealed ON tokens (rotated_at) WHERE successor IS NOT NULL;

-- +goose Down
DROP INDEX tokens_sealed;
ALTER TABLE tokens DROP COLUMN successor;
ALTER TABLE tokens DROP COLUMN rotated_at;
