-- +goose Up
-- Media: an id is issued (a bare uuid) before the file is known; the upload
-- stores the bytes and fixes the extension. The public id is id || '.' || ext.
CREATE TABLE media (
    id           TEXT    PRIMARY KEY,
    owner_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    status       TEXT    NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'storing', 'uploaded')),
    ext          TEXT    NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    content_type TEXT    NOT NULL DEFAULT '',
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    uploaded_at  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX media_owner ON media (owner_id, status, created_at);
CREATE INDEX media_status ON media (status, created_at);

-- +goose Down
DROP TABLE media;
