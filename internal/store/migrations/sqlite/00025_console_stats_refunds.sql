-- +goose Up
-- The operator's console (issue 10): the dashboard's numbers, the user
-- search and refunds.
--
-- row_counts keeps the number of rows of a big table, maintained by
-- triggers on every insert and delete (every insert path, benchdata's
-- bulk loads included), so that the dashboard and the users list read
-- users_total from one row instead of counting the table.
CREATE TABLE row_counts (
    name TEXT   NOT NULL PRIMARY KEY,
    n    BIGINT NOT NULL DEFAULT 0
);
INSERT INTO row_counts (name, n) SELECT 'users', COUNT(*) FROM users;
-- +goose StatementBegin
CREATE TRIGGER users_count_insert AFTER INSERT ON users
BEGIN
    UPDATE row_counts SET n = n + 1 WHERE name = 'users';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_count_delete AFTER DELETE ON users
BEGIN
    UPDATE row_counts SET n = n - 1 WHERE name = 'users';
END;
-- +goose StatementEnd

-- An order of tickets gains status 3, refunded (by an operator: its
-- tickets are on sale again), with when and why. SQLite cannot alter a
-- CHECK: the table is rebuilt. Tickets and order items reference it: the
-- foreign keys are deferred to the commit, by which time every order is
-- back under the same id.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE orders_old AS SELECT id, user_id, price, status, pay_method, expires_at, paid_at, created_at, updated_at FROM orders;
DROP TABLE orders;
CREATE TABLE orders (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    price         INTEGER NOT NULL CHECK (price >= 0),
    status        INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2, 3)),
    pay_method    TEXT    NOT NULL DEFAULT '',
    expires_at    INTEGER NOT NULL,
    paid_at       INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    refunded_at   INTEGER,
    refund_reason TEXT    NOT NULL DEFAULT ''
);
INSERT INTO orders (id, user_id, price, status, pay_method, expires_at, paid_at, created_at, updated_at)
SELECT id, user_id, price, status, pay_method, expires_at, paid_at, created_at, updated_at FROM orders_old;
DROP TABLE orders_old;
CREATE INDEX orders_user ON orders (user_id, id);
CREATE INDEX orders_user_status ON orders (user_id, status, id);
CREATE INDEX orders_due ON orders (status, expires_at);

-- An exchange order gains status 2, refunded (diamonds back, the unit back
-- in stock); its status had no CHECK and gets none here (unchanged rows).
ALTER TABLE exchange_orders ADD COLUMN refunded_at INTEGER;
ALTER TABLE exchange_orders ADD COLUMN refund_reason TEXT NOT NULL DEFAULT '';

-- The dashboard's range queries.
CREATE INDEX users_created ON users (created_at);
CREATE INDEX orders_paid ON orders (status, paid_at);
CREATE INDEX exchange_orders_created ON exchange_orders (status, created_at);
CREATE INDEX feedback_status ON feedback (status, id);
CREATE INDEX pushes_status ON pushes (status, created_at);
CREATE INDEX live_rooms_open ON live_rooms (is_open);
-- The user search: a nickname's prefix.
CREATE INDEX users_nickname ON users (nickname);

-- +goose Down
DROP INDEX users_nickname;
DROP INDEX live_rooms_open;
DROP INDEX pushes_status;
DROP INDEX feedback_status;
DROP INDEX exchange_orders_created;
DROP INDEX orders_paid;
DROP INDEX users_created;
ALTER TABLE exchange_orders DROP COLUMN refund_reason;
ALTER TABLE exchange_orders DROP COLUMN refunded_at;
DROP TRIGGER users_count_delete;
DROP TRIGGER users_count_insert;
DROP TABLE row_counts;
-- orders keeps its columns and wider CHECK (a refunded order stays one).
