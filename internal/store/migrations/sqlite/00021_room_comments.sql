-- +goose Up
-- The comments of live rooms (room chat): anchor_id is the user whose room
-- it is. A viewer who joins reads the room's last comments by id.
CREATE TABLE room_comments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    anchor_id  INTEGER NOT NULL REFERENCES users (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    text       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX room_comments_anchor ON room_comments (anchor_id, id);

-- +goose Down
DROP TABLE room_comments;
