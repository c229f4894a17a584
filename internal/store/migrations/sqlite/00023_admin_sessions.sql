-- +goose Up
-- The operators' console (internal/admins): an admin can be disabled (their
-- sessions stop at once), has a last sign-in, and may have a TOTP second
-- factor. totp_secret is the confirmed secret (NULL: TOTP off), totp_pending
-- the one of an enrolment not yet confirmed; both are secrets (whoever reads
-- them can make codes). totp_last_step is the 30-second step of the last code
-- used, so a code is not accepted twice. Recovery codes are stored hashed,
-- one row each, deleted when used.
ALTER TABLE admins ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE admins ADD COLUMN last_login_at INTEGER;
ALTER TABLE admins ADD COLUMN totp_secret TEXT;
ALTER TABLE admins ADD COLUMN totp_pending TEXT;
ALTER TABLE admins ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

CREATE TABLE admin_recovery_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    admin_id   INTEGER NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    hash       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (admin_id, hash)
);

CREATE INDEX admin_tokens_admin ON admin_tokens (admin_id);

-- +goose Down
DROP INDEX admin_tokens_admin;
DROP TABLE admin_recovery_codes;
ALTER TABLE admins DROP COLUMN totp_last_step;
ALTER TABLE admins DROP COLUMN totp_pending;
ALTER TABLE admins DROP COLUMN totp_secret;
ALTER TABLE admins DROP COLUMN last_login_at;
ALTER TABLE admins DROP COLUMN disabled;
