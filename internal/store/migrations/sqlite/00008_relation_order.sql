-- +goose Up
-- Pages of followers, following and blocked users, newest first, read in
-- index order instead of sorting every relation of the user.
CREATE INDEX follows_follower_recent ON follows (follower_id, created_at, followee_id);
CREATE INDEX follows_followee_recent ON follows (followee_id, created_at, follower_id);
CREATE INDEX blocks_blocker_recent ON blocks (blocker_id, created_at, blocked_id);

-- +goose Down
DROP INDEX blocks_blocker_recent;
DROP INDEX follows_followee_recent;
DROP INDEX follows_follower_recent;
