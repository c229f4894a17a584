-- +goose Up
-- Friends (internal/friend): a mutual friendship, apart from follows.
-- A friendship is stored once, the smaller user id in user_a; a user's
-- friends are the rows with the user on either side: the primary key
-- finds them as user_a, friendships_b as user_b (one query, UNION ALL).
CREATE TABLE friendships (
    user_a     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_b     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_a, user_b),
    CHECK (user_a < user_b)
);
CREATE INDEX friendships_b ON friendships (user_b, user_a);

-- A friend request, and the message it shows both sides: pending until the
-- addressee accepts it (or declines it, which deletes it); each side hides
-- it from their own list with hidden_by_from / hidden_by_to. The core keeps
-- at most one request per pair of users, whichever direction.
CREATE TABLE friend_requests (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    from_user      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_user        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status         TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted')),
    hidden_by_from BOOLEAN NOT NULL DEFAULT FALSE,
    hidden_by_to   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (from_user, to_user),
    CHECK (from_user <> to_user)
);
CREATE INDEX friend_requests_to ON friend_requests (to_user, created_at);

-- +goose Down
DROP TABLE friend_requests;
DROP TABLE friendships;
