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
CREATE FUNCTION users_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET n = n + 1 WHERE name = 'users';
    ELSE
        UPDATE row_counts SET n = n - 1 WHERE name = 'users';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER users_count_insert AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_count();
CREATE TRIGGER users_count_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION users_count();

-- An order of tickets gains status 3, refunded (by an operator: its
-- tickets are on sale again), with when and why.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN (0, 1, 2, 3));
ALTER TABLE orders ADD COLUMN refunded_at BIGINT;
ALTER TABLE orders ADD COLUMN refund_reason TEXT NOT NULL DEFAULT '';

-- An exchange order gains status 2, refunded (diamonds back, the unit back
-- in stock); its status had no CHECK and gets none here.
ALTER TABLE exchange_orders ADD COLUMN refunded_at BIGINT;
ALTER TABLE exchange_orders ADD COLUMN refund_reason TEXT NOT NULL DEFAULT '';

-- The dashboard's range queries.
CREATE INDEX users_created ON users (created_at);
CREATE INDEX orders_paid ON orders (status, paid_at);
CREATE INDEX exchange_orders_created ON exchange_orders (status, created_at);
CREATE INDEX feedback_status ON feedback (status, id);
CREATE INDEX pushes_status ON pushes (status, created_at);
CREATE INDEX live_rooms_open ON live_rooms (is_open);
-- The user search: a nickname's prefix (the database's collation is C
-- or the index serves no range: the query names COLLATE "C").
CREATE INDEX users_nickname ON users (nickname COLLATE "C");

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
ALTER TABLE orders DROP COLUMN refund_reason;
ALTER TABLE orders DROP COLUMN refunded_at;
DROP TRIGGER users_count_delete ON users;
DROP TRIGGER users_count_insert ON users;
DROP FUNCTION users_count();
DROP TABLE row_counts;
