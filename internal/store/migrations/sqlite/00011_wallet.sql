-- +goose Up
-- The wallet: double-entry accounts of every currency (docs/wallet.md).

-- A currency; amounts are integers counting its smallest unit, of which
-- one display unit has 10^decimals (0: whole coins, gold, diamonds).
CREATE TABLE currencies (
    code       TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL DEFAULT '',
    decimals   INTEGER NOT NULL DEFAULT 0 CHECK (decimals >= 0 AND decimals <= 6),
    created_at INTEGER NOT NULL
);
INSERT INTO currencies (code, name, decimals, created_at) VALUES
    ('coin', 'Coin', 0, 0),
    ('gold', 'Gold', 0, 0),
    ('diamond', 'Diamond', 0, 0);

-- An account holds one currency for a user (user_id set) or for the system
-- (system set: mint, shop, payment; in shards, so that one hot row does not
-- serialize every purchase). Only user accounts are kept from going
-- negative: the mint issues money and goes below zero by what it issued.
CREATE TABLE wallet_accounts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    currency   TEXT    NOT NULL REFERENCES currencies (code),
    user_id    INTEGER REFERENCES users (id),
    system     TEXT,
    shard      INTEGER NOT NULL DEFAULT 0,
    balance    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((user_id IS NULL) <> (system IS NULL)),
    CHECK (system IS NOT NULL OR balance >= 0),
    CHECK (balance >= -9007199254740991 AND balance <= 9007199254740991),
    CHECK (shard >= 0 AND (system IS NOT NULL OR shard = 0))
);
CREATE UNIQUE INDEX wallet_accounts_user ON wallet_accounts (user_id, currency);
CREATE UNIQUE INDEX wallet_accounts_system ON wallet_accounts (system, currency, shard);

-- A transaction moves one currency between accounts; its entries sum to
-- zero. user_id is the user it is for (the scope of its idempotency key).
CREATE TABLE wallet_transactions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    currency        TEXT    NOT NULL REFERENCES currencies (code),
    kind            TEXT    NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    reason          TEXT    NOT NULL DEFAULT '',
    ref_kind        TEXT    NOT NULL DEFAULT '',
    ref_id          TEXT    NOT NULL DEFAULT '',
    idempotency_key TEXT,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX wallet_transactions_key ON wallet_transactions (user_id, idempotency_key);
CREATE INDEX wallet_transactions_ref ON wallet_transactions (ref_kind, ref_id);

-- An entry changes one account by amount (never 0) and records the
-- account's balance after it.
CREATE TABLE wallet_entries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id INTEGER NOT NULL REFERENCES wallet_transactions (id),
    account_id     INTEGER NOT NULL REFERENCES wallet_accounts (id),
    amount         INTEGER NOT NULL CHECK (amount <> 0),
    balance_after  INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX wallet_entries_account ON wallet_entries (account_id, id);
CREATE INDEX wallet_entries_transaction ON wallet_entries (transaction_id);

-- +goose Down
DROP TABLE wallet_entries;
DROP TABLE wallet_transactions;
DROP TABLE wallet_accounts;
DROP TABLE currencies;
