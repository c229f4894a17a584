-- +goose Up
-- The console's orders list filtered by status (issue 10, "Figures"): the
-- newest orders of one status are a walk of this index, not a sort of
-- every order of that status.
CREATE INDEX orders_status ON orders (status, id);

-- +goose Down
DROP INDEX orders_status;
