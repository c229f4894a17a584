-- +goose Up
-- The market face (seed 004): goods (admin-made, for the pet game), the
-- diamond exchange shop's products, its orders and the virtual products
-- users own (internal/market).
CREATE TABLE goods (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    price       INTEGER NOT NULL DEFAULT 0 CHECK (price >= 0),
    picture     TEXT    NOT NULL DEFAULT '',
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- A product costs diamond diamonds; stock NULL is unlimited. A virtual
-- product (product_type 1) has its category in the category_* columns
-- (category_action '' on a physical one).
CREATE TABLE exchange_products (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT    NOT NULL,
    content         TEXT    NOT NULL DEFAULT '',
    image           TEXT    NOT NULL DEFAULT '',
    diamond         INTEGER NOT NULL CHECK (diamond > 0),
    product_type    INTEGER NOT NULL DEFAULT 0 CHECK (product_type >= 0 AND product_type <= 1),
    stock           INTEGER CHECK (stock >= 0),
    bought          INTEGER NOT NULL DEFAULT 0 CHECK (bought >= 0),
    category_name   TEXT    NOT NULL DEFAULT '',
    category_desc   TEXT    NOT NULL DEFAULT '',
    category_style  TEXT    NOT NULL DEFAULT '',
    category_action TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX exchange_products_type ON exchange_products (product_type, id);

-- An order: one unit bought for diamond diamonds; order_number is 26
-- digits (yyyymmddHHMMSS and 12 random ones).
CREATE TABLE exchange_orders (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_number TEXT    NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    product_id   INTEGER NOT NULL REFERENCES exchange_products (id) ON DELETE RESTRICT,
    diamond      INTEGER NOT NULL CHECK (diamond > 0),
    status       INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX exchange_orders_number ON exchange_orders (order_number);
CREATE INDEX exchange_orders_user ON exchange_orders (user_id, id);

-- A virtual product a user owns: status 0 unused, 1 used.
CREATE TABLE user_products (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    product_id INTEGER NOT NULL REFERENCES exchange_products (id) ON DELETE RESTRICT,
    order_id   INTEGER NOT NULL REFERENCES exchange_orders (id),
    status     INTEGER NOT NULL DEFAULT 0 CHECK (status >= 0 AND status <= 1),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX user_products_user ON user_products (user_id, status, id);
CREATE INDEX user_products_order ON user_products (order_id);

-- +goose Down
DROP TABLE user_products;
DROP TABLE exchange_orders;
DROP TABLE exchange_products;
DROP TABLE goods;
