-- +goose Up
-- Payments in real money (docs/payments.md): one row per attempt to pay,
-- what the vendor sees as out_trade_no. status: pending (waiting for the
-- vendor), paid (paid and settled), unsettled (paid, but the settler of its
-- purpose refused: the money is in, a refund is owed), closed (never paid),
-- refunded (an operator gave the money back).
CREATE TABLE payments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    out_trade_no TEXT    NOT NULL,
    method       TEXT    NOT NULL CHECK (method IN ('sandbox', 'wechat', 'alipay')),
    purpose      TEXT    NOT NULL,
    ref          TEXT    NOT NULL DEFAULT '',
    user_id      INTEGER NOT NULL REFERENCES users (id),
    amount       INTEGER NOT NULL CHECK (amount > 0 AND amount <= 9007199254740991),
    subject      TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'paid', 'unsettled', 'closed', 'refunded')),
    vendor_txn   TEXT    NOT NULL DEFAULT '',
    settle_error TEXT    NOT NULL DEFAULT '',
    checks       INTEGER NOT NULL DEFAULT 0,
    check_at     INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    paid_at      INTEGER
);
CREATE UNIQUE INDEX payments_out_trade_no ON payments (out_trade_no);
CREATE INDEX payments_due ON payments (status, check_at);
CREATE INDEX payments_ref ON payments (purpose, ref);
CREATE INDEX payments_user ON payments (user_id, id);

-- Top-ups credit the yuan wallet (fen); 00012 may have added it already.
INSERT OR IGNORE INTO currencies (code, name, decimals, created_at) VALUES ('cny', 'CNY', 2, 0);

-- +goose Down
DROP TABLE payments;
