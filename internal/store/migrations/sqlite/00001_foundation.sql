-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    area          TEXT    NOT NULL DEFAULT '',
    phone         TEXT    NOT NULL DEFAULT '',
    email         TEXT    NOT NULL DEFAULT '',
    openid        TEXT    NOT NULL,
    password_hash TEXT    NOT NULL DEFAULT '',
    nickname      TEXT    NOT NULL DEFAULT '',
    avatar        TEXT    NOT NULL DEFAULT '',
    gender        INTEGER NOT NULL DEFAULT 2,
    birthday      TEXT    NOT NULL DEFAULT '',
    address       TEXT    NOT NULL DEFAULT '',
    role          INTEGER NOT NULL DEFAULT 0,
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_openid ON users (openid);
CREATE UNIQUE INDEX users_phone ON users (area, phone) WHERE phone <> '';
CREATE UNIQUE INDEX users_email ON users (email) WHERE email <> '';

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    family     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    used       BOOLEAN NOT NULL DEFAULT FALSE,
    revoked    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX tokens_hash ON tokens (hash);
CREATE INDEX tokens_family ON tokens (family);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE verification_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    target     TEXT    NOT NULL,
    salt       TEXT    NOT NULL,
    code_hash  TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX verification_codes_target ON verification_codes (target, id);

CREATE TABLE rate_counters (
    key      TEXT    PRIMARY KEY,
    count    INTEGER NOT NULL,
    reset_at INTEGER NOT NULL
);

CREATE TABLE admins (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE admin_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    admin_id   INTEGER NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    hash       TEXT    NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE faqs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT    NOT NULL,
    content       TEXT    NOT NULL DEFAULT '',
    category      TEXT    NOT NULL DEFAULT '',
    external_link TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE feedback_categories (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE feedback (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id   INTEGER REFERENCES feedback_categories (id) ON DELETE SET NULL,
    content       TEXT    NOT NULL,
    status        INTEGER NOT NULL DEFAULT 0,
    contact_phone TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX feedback_user ON feedback (user_id, id);

CREATE TABLE feedback_replies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    feedback_id INTEGER NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
    admin_id    INTEGER NOT NULL,
    content     TEXT    NOT NULL,
    is_read     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX feedback_replies_feedback ON feedback_replies (feedback_id, id);

CREATE TABLE push_devices (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id   TEXT    NOT NULL UNIQUE,
    client_type TEXT    NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    switch      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX push_devices_user ON push_devices (user_id);

CREATE TABLE pushes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL DEFAULT '',
    scope      INTEGER NOT NULL DEFAULT 0,
    admin_id   INTEGER NOT NULL,
    status     INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE push_targets (
    push_id INTEGER NOT NULL REFERENCES pushes (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (push_id, user_id)
);
CREATE INDEX push_targets_user ON push_targets (user_id, push_id);

CREATE TABLE push_hidden (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    push_id INTEGER NOT NULL REFERENCES pushes (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, push_id)
);

-- +goose Down
DROP TABLE push_hidden;
DROP TABLE push_targets;
DROP TABLE pushes;
DROP TABLE push_devices;
DROP TABLE feedback_replies;
DROP TABLE feedback;
DROP TABLE feedback_categories;
DROP TABLE faqs;
DROP TABLE admin_tokens;
DROP TABLE admins;
DROP TABLE rate_counters;
DROP TABLE verification_codes;
DROP TABLE tokens;
DROP TABLE users;
