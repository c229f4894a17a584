-- +goose Up
-- A message goes between two parties: a user, a master, a merchant or the
-- customer service (kind 'user' | 'master' | 'merchant' | 'service', ref =
-- the row id of that kind, 0 for the service).
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    from_kind   TEXT    NOT NULL,
    from_ref    INTEGER NOT NULL,
    to_kind     TEXT    NOT NULL,
    to_ref      INTEGER NOT NULL,
    content     TEXT    NOT NULL,
    hidden_from BOOLEAN NOT NULL DEFAULT FALSE,
    hidden_to   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL
);
CREATE INDEX messages_from ON messages (from_kind, from_ref, to_kind, to_ref, id);
CREATE INDEX messages_to ON messages (to_kind, to_ref, from_kind, from_ref, id);

-- One row per party and peer: the message center without scanning messages.
CREATE TABLE conversations (
    owner_kind      TEXT    NOT NULL,
    owner_ref       INTEGER NOT NULL,
    peer_kind       TEXT    NOT NULL,
    peer_ref        INTEGER NOT NULL,
    last_message_id INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (owner_kind, owner_ref, peer_kind, peer_ref)
);
CREATE INDEX conversations_recent ON conversations (owner_kind, owner_ref, updated_at);

-- +goose Down
DROP TABLE conversations;
DROP TABLE messages;
