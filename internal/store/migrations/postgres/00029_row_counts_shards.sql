-- +goose Up
-- row_counts in shards (the hot counter rows of 00025 and 00026): every
-- sign-up and every order moved the one row of its table, so concurrent
-- transactions waited on its lock until each other's commit, and a bulk
-- insert moved it once per row. Now a statement moves the counter once
-- (a statement-level trigger, with the inserted or deleted rows as a
-- transition table), in the shard of its connection (pg_backend_pid() %
-- 16): transactions on different connections seldom share a row. The
-- count is the sum of a name's shards.
DROP TRIGGER users_count_insert ON users;
DROP TRIGGER users_count_delete ON users;
DROP FUNCTION users_count();
DROP TRIGGER orders_count_insert ON orders;
DROP TRIGGER orders_count_delete ON orders;
DROP FUNCTION orders_count();
ALTER TABLE row_counts ADD COLUMN shard BIGINT NOT NULL DEFAULT 0;
ALTER TABLE row_counts DROP CONSTRAINT row_counts_pkey;
ALTER TABLE row_counts ADD PRIMARY KEY (name, shard);
-- +goose StatementBegin
CREATE FUNCTION row_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d BIGINT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT COUNT(*) INTO d FROM new_rows;
    ELSE
        SELECT -COUNT(*) INTO d FROM old_rows;
    END IF;
    IF d <> 0 THEN
        INSERT INTO row_counts (name, shard, n) VALUES (TG_TABLE_NAME, pg_backend_pid() % 16, d)
            ON CONFLICT (name, shard) DO UPDATE SET n = row_counts.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER users_count_insert AFTER INSERT ON users REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION row_count_change();
CREATE TRIGGER users_count_delete AFTER DELETE ON users REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION row_count_change();
CREATE TRIGGER orders_count_insert AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION row_count_change();
CREATE TRIGGER orders_count_delete AFTER DELETE ON orders REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION row_count_change();

-- +goose Down
DROP TRIGGER orders_count_delete ON orders;
DROP TRIGGER orders_count_insert ON orders;
DROP TRIGGER users_count_delete ON users;
DROP TRIGGER users_count_insert ON users;
DROP FUNCTION row_count_change();
CREATE TABLE row_counts_one AS SELECT name, SUM(n)::BIGINT AS n FROM row_counts GROUP BY name;
DROP TABLE row_counts;
CREATE TABLE row_counts (
    name TEXT   NOT NULL PRIMARY KEY,
    n    BIGINT NOT NULL DEFAULT 0
);
INSERT INTO row_counts (name, n) SELECT name, n FROM row_counts_one;
DROP TABLE row_counts_one;
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
-- +goose StatementBegin
CREATE FUNCTION orders_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET n = n + 1 WHERE name = 'orders';
    ELSE
        UPDATE row_counts SET n = n - 1 WHERE name = 'orders';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER orders_count_insert AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_count();
CREATE TRIGGER orders_count_delete AFTER DELETE ON orders FOR EACH ROW EXECUTE FUNCTION orders_count();
