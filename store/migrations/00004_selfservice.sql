-- +goose Up
-- Customer self-service: one-time codes sent by SMS, the sign-in attempt
-- counters that lock a mobile after too many wrong codes, the rate-limit
-- log, and customers' sessions. All of it lives here, not in a node's
-- memory, so that every node enforces the same limits and honours the same
-- sessions. Mobiles appear only as their blind index (mobile_idx, as in
-- customer_mobiles), codes only as an HMAC keyed by the code's id.

CREATE TABLE self_codes (
    id          TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL CHECK (purpose IN ('login', 'mobile')),
    mobile_idx  TEXT NOT NULL,
    -- The customer who asked, for a code that changes their mobile; empty
    -- for a sign-in code, which identifies nobody until it is used.
    customer_id TEXT NOT NULL DEFAULT '',
    code_hash   TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    -- Set when the code is used or a newer code replaces it.
    used_at     TIMESTAMP
);
CREATE INDEX self_codes_mobile ON self_codes (purpose, mobile_idx, created_at);
CREATE INDEX self_codes_created ON self_codes (created_at);

-- Wrong codes in a row per subject (a mobile signing in, or a customer
-- changing their mobile); at the limit the subject is locked for a while.
CREATE TABLE self_locks (
    subject      TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until TIMESTAMP,
    updated_at   TIMESTAMP NOT NULL
);

-- Rate limiting is a sliding log: one row per counted request. The bucket
-- row exists to be locked: taking it first serialises the requests of one
-- bucket across nodes (PostgreSQL waits on the row; SQLite has one writer),
-- so two nodes cannot both see room for the last request.
CREATE TABLE self_rate_buckets (
    bucket     TEXT PRIMARY KEY,
    touched_at TIMESTAMP NOT NULL
);
CREATE INDEX self_rate_buckets_touched ON self_rate_buckets (touched_at);

CREATE TABLE self_rate_events (
    id     TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    at     TIMESTAMP NOT NULL
);
CREATE INDEX self_rate_events_bucket ON self_rate_events (bucket, at);
CREATE INDEX self_rate_events_at ON self_rate_events (at);

-- A signed-in customer's session, keyed like staff sessions by the SHA-256
-- of the cookie value. It ends at expires_at (absolute) or when unused for
-- the idle limit (last_seen_at).
CREATE TABLE customer_sessions (
    token_hash   TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX customer_sessions_customer ON customer_sessions (customer_id);
CREATE INDEX customer_sessions_expires ON customer_sessions (expires_at);

-- +goose Down
DROP TABLE customer_sessions;
DROP TABLE self_rate_events;
DROP TABLE self_rate_buckets;
DROP TABLE self_locks;
DROP TABLE self_codes;
