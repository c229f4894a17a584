-- +goose Up
-- The live rooms of the live face (seed 001, internal/live): one room per
-- user, opened and reopened. stream_key is the secret key the anchor
-- publishes with (new at every opening); stream_name the public name of
-- the stream viewers play (new at every opening too). closed_at is NULL
-- while the room is open or was never closed.
CREATE TABLE live_rooms (
    user_id     BIGINT  NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL DEFAULT '',
    stream_key  TEXT    NOT NULL,
    stream_name TEXT    NOT NULL,
    is_open     BOOLEAN NOT NULL DEFAULT FALSE,
    publishing  BOOLEAN NOT NULL DEFAULT FALSE,
    opened_at   BIGINT  NOT NULL,
    closed_at   BIGINT ,
    updated_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX live_rooms_key ON live_rooms (stream_key);
CREATE UNIQUE INDEX live_rooms_name ON live_rooms (stream_name);

-- +goose Down
DROP TABLE live_rooms;
