-- +goose Up
-- Comments on games (internal/showcase), with replies and up/down votes.
CREATE TABLE game_comments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id    INTEGER NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content    TEXT    NOT NULL,
    reply_id   INTEGER,
    up_count   INTEGER NOT NULL DEFAULT 0,
    down_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX game_comments_game ON game_comments (game_id, id);

CREATE TABLE game_comment_votes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    comment_id INTEGER NOT NULL REFERENCES game_comments (id) ON DELETE CASCADE,
    vote       INTEGER NOT NULL CHECK (vote IN (1, -1)),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, comment_id)
);
CREATE INDEX game_comment_votes_comment ON game_comment_votes (comment_id);

-- +goose Down
DROP TABLE game_comment_votes;
DROP TABLE game_comments;
