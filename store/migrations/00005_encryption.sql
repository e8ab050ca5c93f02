-- +goose Up
-- Personal data is stored sealed (AES-256-GCM, see package vault): the
-- id_number, mobile, email and address columns and the policy documents hold
-- ciphertext. Exact lookups go through HMAC blind indexes. Rows written
-- before this migration are sealed by the store's reseal pass at start-up.
ALTER TABLE customers ADD COLUMN id_number_idx TEXT;
DROP INDEX customers_identity;
CREATE UNIQUE INDEX customers_identity ON customers (id_type, id_number_idx);
CREATE INDEX customers_id_number_idx ON customers (id_number_idx);

ALTER TABLE customer_mobiles ADD COLUMN mobile_idx TEXT;
DROP INDEX customer_mobiles_mobile;
CREATE INDEX customer_mobiles_mobile_idx ON customer_mobiles (mobile_idx);

-- A known value sealed and indexed with the database's keys: a node started
-- with other keys (a missing ANXIN_KEYS, a wrong key file) refuses to run
-- instead of writing data that the other nodes cannot read.
CREATE TABLE vault_canary (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    sealed TEXT NOT NULL,
    idx    TEXT NOT NULL
);

-- +goose Down
DROP TABLE vault_canary;
DROP INDEX customer_mobiles_mobile_idx;
CREATE INDEX customer_mobiles_mobile ON customer_mobiles (mobile);
DROP INDEX customers_id_number_idx;
DROP INDEX customers_identity;
CREATE UNIQUE INDEX customers_identity ON customers (id_type, id_number);
