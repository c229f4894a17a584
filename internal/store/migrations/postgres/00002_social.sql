-- +goose Up
ALTER TABLE users ADD COLUMN uid TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN province TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN intro TEXT NOT NULL DEFAULT '';
UPDATE users SET uid = replace(gen_random_uuid()::text, '-', '') WHERE uid = '';
CREATE UNIQUE INDEX users_uid ON users (uid);

CREATE TABLE follows (
    follower_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    followee_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (follower_id, followee_id)
);
CREATE INDEX follows_followee ON follows (followee_id, follower_id);

CREATE TABLE blocks (
    blocker_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id, blocker_id);

-- +goose Down
DROP TABLE blocks;
DROP TABLE follows;
DROP INDEX users_uid;
ALTER TABLE users DROP COLUMN intro;
ALTER TABLE users DROP COLUMN city;
ALTER TABLE users DROP COLUMN province;
ALTER TABLE users DROP COLUMN uid;
