-- +goose Up
-- The live face's sign-up codes: the client is given a challenge (not the
-- code) and sends it back with the code; a right code marks its challenge
-- verified, and sign-up needs a verified challenge of that phone.
ALTER TABLE verification_codes ADD COLUMN challenge TEXT;
ALTER TABLE verification_codes ADD COLUMN verified_at BIGINT;
CREATE UNIQUE INDEX verification_codes_challenge ON verification_codes (challenge);

-- +goose Down
DROP INDEX verification_codes_challenge;
ALTER TABLE verification_codes DROP COLUMN verified_at;
ALTER TABLE verification_codes DROP COLUMN challenge;
