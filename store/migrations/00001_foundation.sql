-- +goose Up
-- The portable subset: text ids made by the application, TEXT, BOOLEAN,
-- BIGINT money in fen, UTC TIMESTAMPs, CHECK constraints. It runs unchanged
-- on SQLite and PostgreSQL.

CREATE TABLE customers (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('individual', 'enterprise')),
    name        TEXT NOT NULL,
    gender      TEXT NOT NULL DEFAULT '',
    birth_date  TEXT NOT NULL DEFAULT '',
    id_type     TEXT NOT NULL,
    id_number   TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    address     TEXT NOT NULL DEFAULT '',
    tier        TEXT NOT NULL CHECK (tier IN ('diamond', 'gold', 'silver', 'ordinary')),
    vip         BOOLEAN NOT NULL DEFAULT FALSE,
    version     BIGINT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
-- One person or enterprise is one customer: the document identifies them.
CREATE UNIQUE INDEX customers_identity ON customers (id_type, id_number);
CREATE INDEX customers_name ON customers (name);

CREATE TABLE customer_mobiles (
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    mobile      TEXT NOT NULL,
    PRIMARY KEY (customer_id, position)
);
CREATE INDEX customer_mobiles_mobile ON customer_mobiles (mobile);

CREATE TABLE customer_consents (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL,
    granted     BOOLEAN NOT NULL,
    channel     TEXT NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX customer_consents_customer ON customer_consents (customer_id, at);

CREATE TABLE products (
    code             TEXT PRIMARY KEY,
    line             TEXT NOT NULL CHECK (line IN ('auto', 'life', 'health')),
    name             TEXT NOT NULL,
    name_en          TEXT NOT NULL DEFAULT '',
    cooling_off_days INTEGER NOT NULL DEFAULT 0 CHECK (cooling_off_days >= 0),
    term_years       INTEGER NOT NULL DEFAULT 0 CHECK (term_years >= 0),
    active           BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE product_coverages (
    product_code        TEXT NOT NULL REFERENCES products (code) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    kind                TEXT NOT NULL,
    sum_insured         BIGINT NOT NULL CHECK (sum_insured >= 0),
    deductible          BIGINT NOT NULL CHECK (deductible >= 0),
    reimbursement_ratio BIGINT NOT NULL CHECK (reimbursement_ratio BETWEEN 0 AND 10000),
    annual_limit        BIGINT NOT NULL CHECK (annual_limit >= 0),
    waiting_period_days INTEGER NOT NULL CHECK (waiting_period_days >= 0),
    PRIMARY KEY (product_code, position)
);

-- The current version of each policy, for queries; policy_versions keeps
-- every version as a JSON document, so history never loses a field.
CREATE TABLE policies (
    id                TEXT PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    product_code      TEXT NOT NULL REFERENCES products (code),
    policyholder_id   TEXT NOT NULL REFERENCES customers (id),
    insured_id        TEXT NOT NULL REFERENCES customers (id),
    status            TEXT NOT NULL CHECK (status IN ('in_force', 'lapsed', 'terminated', 'expired')),
    premium           BIGINT NOT NULL CHECK (premium >= 0),
    effective_date    TEXT NOT NULL,
    expiry_date       TEXT NOT NULL DEFAULT '',
    sales_channel     TEXT NOT NULL,
    agent_code        TEXT NOT NULL DEFAULT '',
    document          TEXT NOT NULL,
    version           BIGINT NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX policies_policyholder ON policies (policyholder_id);
CREATE INDEX policies_insured ON policies (insured_id);

CREATE TABLE policy_versions (
    policy_id  TEXT NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    version    BIGINT NOT NULL,
    document   TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    changed_by TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (policy_id, version)
);

CREATE TABLE staff (
    id              TEXT PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    email           TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL
);

-- Sessions live in the database so that every node sees them.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_staff ON sessions (staff_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    staff_id     TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP
);

CREATE TABLE calendar_years (
    year      INTEGER PRIMARY KEY,
    source    TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

CREATE TABLE calendar_days (
    day  TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('off', 'work')),
    name TEXT NOT NULL DEFAULT ''
);

-- A POST with an Idempotency-Key stores its response here in the same
-- transaction as its effect, so a retry returns the first answer.
CREATE TABLE idempotency_keys (
    principal     TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER NOT NULL,
    content_type  TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE calendar_days;
DROP TABLE calendar_years;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE staff;
DROP TABLE policy_versions;
DROP TABLE policies;
DROP TABLE product_coverages;
DROP TABLE products;
DROP TABLE customer_consents;
DROP TABLE customer_mobiles;
DROP TABLE customers;
