-- +goose Up
-- The yuanyi face's commerce: projects and their tickets (admin-made,
-- internal/catalog), comments on tickets (internal/showcase), the shopping
-- cart and orders (internal/orders), and the cny wallet currency orders
-- are paid in.

-- A project (项目) of a master; its tickets are sold one by one.
CREATE TABLE projects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    master      INTEGER NOT NULL REFERENCES masters (id),
    name        TEXT    NOT NULL,
    image       TEXT    NOT NULL DEFAULT '',
    intro       TEXT    NOT NULL DEFAULT '',
    recommended BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX projects_master ON projects (master, id);
CREATE INDEX projects_recommended ON projects (recommended, id);

-- An order of tickets. status: 0 pending (its tickets reserved until
-- expires_at), 1 paid, 2 cancelled or expired.
CREATE TABLE orders (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    price      INTEGER NOT NULL CHECK (price >= 0),
    status     INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),
    pay_method TEXT    NOT NULL DEFAULT '',
    expires_at INTEGER NOT NULL,
    paid_at    INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX orders_user ON orders (user_id, id);
CREATE INDEX orders_user_status ON orders (user_id, status, id);
CREATE INDEX orders_due ON orders (status, expires_at);

-- A ticket is a single item: reserved_order is the one pending order that
-- holds it, sold_to the user whose paid order bought it. Orders take
-- tickets with UPDATE ... WHERE reserved_order IS NULL AND sold_to IS NULL
-- (internal/orders). last_comment is its newest comment (the ticket circle).
CREATE TABLE tickets (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    project        INTEGER NOT NULL REFERENCES projects (id),
    name           TEXT    NOT NULL,
    image          TEXT    NOT NULL DEFAULT '',
    intro          TEXT    NOT NULL DEFAULT '',
    price          INTEGER NOT NULL DEFAULT 0 CHECK (price >= 0),
    recommended    BOOLEAN NOT NULL DEFAULT FALSE,
    reserved_order INTEGER REFERENCES orders (id),
    sold_to        INTEGER REFERENCES users (id),
    last_comment   INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CHECK (reserved_order IS NULL OR sold_to IS NULL)
);
CREATE INDEX tickets_project ON tickets (project, sold_to, id);
CREATE INDEX tickets_unsold ON tickets (sold_to, id);
CREATE INDEX tickets_recommended ON tickets (sold_to, recommended, id);
CREATE INDEX tickets_reserved ON tickets (reserved_order);
CREATE INDEX tickets_circle ON tickets (last_comment);

CREATE TABLE order_items (
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    pos        INTEGER NOT NULL,
    price      INTEGER NOT NULL CHECK (price >= 0),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (order_id, ticket_id)
);
CREATE INDEX order_items_ticket ON order_items (ticket_id);
CREATE INDEX order_items_first ON order_items (order_id, pos);

CREATE TABLE shopping_cart (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, ticket_id)
);
CREATE INDEX shopping_cart_ticket ON shopping_cart (ticket_id);
CREATE INDEX shopping_cart_user ON shopping_cart (user_id, created_at);

CREATE TABLE ticket_comments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content    TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ticket_comments_ticket ON ticket_comments (ticket_id, id);

-- Orders are paid in yuan, counted in fen.
INSERT INTO currencies (code, name, decimals, created_at) VALUES ('cny', '人民币', 2, 0);

-- +goose Down
DELETE FROM currencies WHERE code = 'cny';
DROP TABLE ticket_comments;
DROP TABLE shopping_cart;
DROP TABLE order_items;
DROP TABLE tickets;
DROP TABLE orders;
DROP TABLE projects;
