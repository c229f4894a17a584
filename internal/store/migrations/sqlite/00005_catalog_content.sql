-- +goose Up
-- The admin-made content of the yuanyi face (internal/catalog) and what
-- users do with it (internal/showcase).
CREATE TABLE masters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    master_id   TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    avatar      TEXT    NOT NULL DEFAULT '',
    intro       TEXT    NOT NULL DEFAULT '',
    address     TEXT    NOT NULL DEFAULT '',
    birthday    TEXT    NOT NULL DEFAULT '',
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    recommended BOOLEAN NOT NULL DEFAULT FALSE,
    sort        INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX masters_master_id ON masters (master_id);
CREATE UNIQUE INDEX masters_user ON masters (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX masters_recommended ON masters (recommended, sort, id DESC);

CREATE TABLE merchants (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    logo        TEXT    NOT NULL DEFAULT '',
    intro       TEXT    NOT NULL DEFAULT '',
    address     TEXT    NOT NULL DEFAULT '',
    phone       TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX merchants_merchant_id ON merchants (merchant_id);

CREATE TABLE clothes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    image          TEXT    NOT NULL DEFAULT '',
    images         TEXT    NOT NULL DEFAULT '[]',
    intro          TEXT    NOT NULL DEFAULT '',
    designer_intro TEXT    NOT NULL DEFAULT '',
    price          INTEGER NOT NULL DEFAULT 0,
    dynasty        INTEGER NOT NULL DEFAULT 0,
    merchant       INTEGER REFERENCES merchants (id) ON DELETE RESTRICT,
    recommended    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX clothes_kind ON clothes (kind, id);
CREATE INDEX clothes_recommended ON clothes (kind, recommended, id);
CREATE INDEX clothes_merchant ON clothes (merchant);

CREATE TABLE games (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    image       TEXT    NOT NULL DEFAULT '',
    intro       TEXT    NOT NULL DEFAULT '',
    recommended BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX games_recommended ON games (recommended, id);

CREATE TABLE banners (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    placement  TEXT    NOT NULL,
    image      TEXT    NOT NULL,
    url        TEXT    NOT NULL DEFAULT '',
    sort       INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX banners_placement ON banners (placement, sort, id DESC);

CREATE TABLE master_follows (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    master     INTEGER NOT NULL REFERENCES masters (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, master)
);
CREATE INDEX master_follows_master ON master_follows (master, user_id);
CREATE INDEX master_follows_recent ON master_follows (user_id, created_at, master);

CREATE TABLE merchant_follows (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    merchant    INTEGER NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, merchant)
);
CREATE INDEX merchant_follows_merchant ON merchant_follows (merchant, user_id);
CREATE INDEX merchant_follows_recent ON merchant_follows (user_id, created_at, merchant);

CREATE TABLE cloth_collects (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cloth_id   INTEGER NOT NULL REFERENCES clothes (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, cloth_id)
);
CREATE INDEX cloth_collects_cloth ON cloth_collects (cloth_id, user_id);

CREATE TABLE game_likes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    game_id    INTEGER NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, game_id)
);
CREATE INDEX game_likes_game ON game_likes (game_id, user_id);

CREATE TABLE game_collects (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    game_id    INTEGER NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, game_id)
);
CREATE INDEX game_collects_game ON game_collects (game_id, user_id);

-- +goose Down
DROP TABLE game_collects;
DROP TABLE game_likes;
DROP TABLE cloth_collects;
DROP TABLE merchant_follows;
DROP TABLE master_follows;
DROP TABLE banners;
DROP TABLE games;
DROP TABLE clothes;
DROP TABLE merchants;
DROP TABLE masters;
