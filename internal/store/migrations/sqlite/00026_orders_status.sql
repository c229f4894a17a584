-- +goose Up
-- The console's orders list (issue 10, "Figures"). The newest orders of one
-- status are a walk of orders_status, not a sort of every order of that
-- status; the unfiltered list reads its total from row_counts (as the
-- users list does) instead of counting the table per page view.
CREATE INDEX orders_status ON orders (status, id);

INSERT INTO row_counts (name, n) SELECT 'orders', COUNT(*) FROM orders;
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

-- +goose Down
DROP TRIGGER orders_count_delete;
DROP TRIGGER orders_count_insert;
DELETE FROM row_counts WHERE name = 'orders';
DROP INDEX orders_status;
