-- +goose Up
-- Articles with their counters kept on the row (changed in the same
-- transaction as the like, collect or comment), so a list never counts.
CREATE TABLE articles (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content       TEXT    NOT NULL,
    images        TEXT    NOT NULL DEFAULT '[]', -- JSON list of media ids
    like_count    INTEGER NOT NULL DEFAULT 0,
    collect_count INTEGER NOT NULL DEFAULT 0,
    comment_count INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
-- Home list: the primary key, newest first. An author's articles, and the
-- following list (the newest few ids of each followee, merged).
CREATE INDEX articles_user ON articles (user_id, id);

CREATE TABLE article_likes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, article_id)
) WITHOUT ROWID;
CREATE INDEX article_likes_article ON article_likes (article_id, created_at);

CREATE TABLE article_collects (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, article_id)
) WITHOUT ROWID;
CREATE INDEX article_collects_article ON article_collects (article_id, created_at);
CREATE INDEX article_collects_user_time ON article_collects (user_id, created_at, article_id);

-- Comments and replies: reply_id is the comment answered, first_reply_id
-- the top comment of its thread; their authors are kept with them.
CREATE TABLE article_comments (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id          INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content             TEXT    NOT NULL,
    reply_id            INTEGER,
    reply_user_id       INTEGER,
    first_reply_id      INTEGER,
    first_reply_user_id INTEGER,
    up_count            INTEGER NOT NULL DEFAULT 0,
    down_count          INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL
);
CREATE INDEX article_comments_article ON article_comments (article_id, id);
CREATE INDEX article_comments_user ON article_comments (user_id);

-- One vote per user per comment: 1 up, -1 down.
CREATE TABLE comment_votes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    comment_id INTEGER NOT NULL REFERENCES article_comments (id) ON DELETE CASCADE,
    vote       INTEGER NOT NULL CHECK (vote IN (1, -1)),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, comment_id)
) WITHOUT ROWID;
CREATE INDEX comment_votes_comment ON comment_votes (comment_id);

-- +goose Down
DROP TABLE comment_votes;
DROP TABLE article_comments;
DROP TABLE article_collects;
DROP TABLE article_likes;
DROP TABLE articles;
