-- +goose Up
-- row_counts in shards (see the PostgreSQL migration: there a statement
-- moves the shard of its connection). SQLite has one writer, so no lock
-- to share: its triggers move shard 0, per row, as before. The count is
-- the sum of a name's shards on both engines.
DROP TRIGGER users_count_insert;
DROP TRIGGER users_count_delete;
DROP TRIGGER orders_count_insert;
DROP TRIGGER orders_count_delete;
CREATE TABLE row_counts_shards (
    name  TEXT   NOT NULL,
    shard BIGINT NOT NULL DEFAULT 0,
    n     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (name, shard)
);
INSERT INTO row_counts_shards (name, shard, n) SELECT name, 0, n FROM row_counts;
DROP TABLE row_counts;
ALTER TABLE row_counts_shards RENAME TO row_counts;
-- +goose StatementBegin
CREATE TRIGGER users_count_insert AFTER INSERT ON users
BEGIN
    UPDATE row_counts SET n = n + 1 WHERE name = 'users' AND shard = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_count_delete AFTER DELETE ON users
BEGIN
    UPDATE row_counts SET n = n - 1 WHERE name = 'users' AND shard = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER orders_count_insert AFTER INSERT ON orders
BEGIN
    UPDATE row_counts SET n = n + 1 WHERE name = 'orders' AND shard = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER orders_count_delete AFTER DELETE ON orders
BEGIN
    UPDATE row_counts SET n = n - 1 WHERE name = 'orders' AND shard = 0;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER users_count_insert;
DROP TRIGGER users_count_delete;
DROP TRIGGER orders_count_insert;
DROP TRIGGER orders_count_delete;
CREATE TABLE row_counts_one (
    name TEXT   NOT NULL PRIMARY KEY,
    n    BIGINT NOT NULL DEFAULT 0
);
INSERT INTO row_counts_one (name, n) SELECT name, SUM(n) FROM row_counts GROUP BY name;
DROP TABLE row_counts;
ALTER TABLE row_counts_one RENAME TO row_counts;
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
-- +goose StatementBegin
CREATE TRIGGER orders_count_insert AFTER INSERT ON orders
BEGIN
    UPDATE row_counts SET n = n + 1 WHERE name = 'orders';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER orders_count_delete AFTER DELETE ON orders
BEGIN
    UPDATE row_counts SET n = n - 1 WHERE name = 'orders';
END;
-- +goose StatementEnd
