-- +goose Up
-- The console's orders list (issue 10, "Figures"). The newest orders of one
-- status are a walk of orders_status, not a sort of every order of that
-- status; the unfiltered list reads its total from row_counts (as the
-- users list does) instead of counting the table per page view.
CREATE INDEX orders_status ON orders (status, id);

INSERT INTO row_counts (name, n) SELECT 'orders', COUNT(*) FROM orders;
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

-- +goose Down
DROP TRIGGER orders_count_delete ON orders;
DROP TRIGGER orders_count_insert ON orders;
DROP FUNCTION orders_count();
DELETE FROM row_counts WHERE name = 'orders';
DROP INDEX orders_status;
