-- +goose Up
-- Optional second factor for staff: an RFC 6238 secret, sealed like other
-- secrets, enabled only once the holder proved a code from it.
ALTER TABLE staff ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE staff DROP COLUMN totp_last_step;
ALTER TABLE staff DROP COLUMN totp_enabled;
ALTER TABLE staff DROP COLUMN totp_secret;
