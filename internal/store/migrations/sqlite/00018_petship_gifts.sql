-- +goose Up
-- A petship shows both gifts of the meeting: gift_id the one its sender's
-- pet carried (to the receiver), receiver_gift_id the one the receiver's
-- pet carried (to the sender); the pair of petships mirror each other.
ALTER TABLE petships ADD COLUMN receiver_gift_id INTEGER REFERENCES pet_gifts (id);

-- +goose Down
ALTER TABLE petships DROP COLUMN receiver_gift_id;
