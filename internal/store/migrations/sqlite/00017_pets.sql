-- +goose Up
-- The pet game of the doge face (seed 000, internal/pet). A player is a
-- plaza user's game state: the pending poop (pick) and when it last
-- accrued (pick_at), and the profile fields only the game has.
CREATE TABLE pet_players (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    pick       INTEGER NOT NULL DEFAULT 0 CHECK (pick >= 0),
    pick_at    INTEGER NOT NULL,
    age        TEXT    NOT NULL DEFAULT '',
    sports     TEXT    NOT NULL DEFAULT '',
    foods      TEXT    NOT NULL DEFAULT '',
    country    TEXT    NOT NULL DEFAULT '',
    travel     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX pet_players_user ON pet_players (user_id);

-- A gift: one unit of goods bought, unused until a pet carries it.
CREATE TABLE pet_gifts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    goods_id   INTEGER NOT NULL REFERENCES goods (id) ON DELETE RESTRICT,
    price      INTEGER NOT NULL CHECK (price >= 0),
    used       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX pet_gifts_user ON pet_gifts (user_id, used, id);

-- One pet per user: breed (the document's type) 1-4, nature (character)
-- and wish 1-8; eaten and showered until it is reset; gift_id the gift
-- it carries; leave_at / back_at its travel (NULL: at home).
CREATE TABLE pets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    picture    TEXT    NOT NULL DEFAULT '',
    breed      INTEGER NOT NULL CHECK (breed >= 1 AND breed <= 4),
    sex        INTEGER NOT NULL DEFAULT 1 CHECK (sex >= 0 AND sex <= 2),
    nature     INTEGER NOT NULL CHECK (nature >= 1 AND nature <= 8),
    wish       INTEGER NOT NULL CHECK (wish >= 1 AND wish <= 8),
    eaten      BOOLEAN NOT NULL DEFAULT FALSE,
    showered   BOOLEAN NOT NULL DEFAULT FALSE,
    gift_id    INTEGER REFERENCES pet_gifts (id),
    leave_at   INTEGER,
    back_at    INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX pets_user ON pets (user_id);
CREATE INDEX pets_back ON pets (back_at) WHERE back_at IS NOT NULL;

-- An encounter: one each way when two travellers meet, with the gift its
-- sender's pet carried (NULL: none).
CREATE TABLE petships (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_pet_id    INTEGER NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    receiver_pet_id  INTEGER NOT NULL REFERENCES pets (id) ON DELETE CASCADE,
    receiver_user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    gift_id          INTEGER REFERENCES pet_gifts (id),
    is_read          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX petships_receiver ON petships (receiver_user_id, is_read, id);

-- +goose Down
DROP TABLE petships;
DROP TABLE pets;
DROP TABLE pet_gifts;
DROP TABLE pet_players;
