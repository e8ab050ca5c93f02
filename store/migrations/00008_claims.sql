-- +goose Up
-- Claims (理赔): a claim is a ticket of type claim (owner, timeline,
-- checklist, attachments, SLA clock) plus the rows here: what happened,
-- the checks made, each decision with its calculation, the tasks, the
-- payment instructions, disputes, and the statutory deadlines tracked
-- beside the ticket's own.

CREATE TABLE claims (
    id                 TEXT PRIMARY KEY,
    number             TEXT NOT NULL UNIQUE,
    ticket_id          TEXT NOT NULL UNIQUE REFERENCES tickets (id),
    policy_id          TEXT NOT NULL REFERENCES policies (id),
    claimant_id        TEXT NOT NULL REFERENCES customers (id),
    insured_name       TEXT NOT NULL,          -- sealed
    type               TEXT NOT NULL,
    channel            TEXT NOT NULL,
    incident_date      TEXT NOT NULL,          -- YYYY-MM-DD, Beijing
    incident_place     TEXT NOT NULL DEFAULT '',
    details            TEXT NOT NULL,          -- sealed JSON: description and loss (may hold health data)
    claimed            BIGINT NOT NULL DEFAULT 0,
    payee_name         TEXT NOT NULL DEFAULT '', -- sealed
    bank_name          TEXT NOT NULL DEFAULT '',
    account            TEXT NOT NULL DEFAULT '', -- sealed
    stage              TEXT NOT NULL CHECK (stage IN ('intake', 'review', 'approval', 'payment', 'closed')),
    complexity         TEXT NOT NULL CHECK (complexity IN ('standard', 'complex')),
    coverage           TEXT NOT NULL,          -- JSON: every intake check
    risk_flags         TEXT NOT NULL,          -- JSON: the risk rules that fired
    flagged            BOOLEAN NOT NULL DEFAULT FALSE,
    fast_track         BOOLEAN NOT NULL DEFAULT FALSE,
    fast_track_check   TEXT NOT NULL DEFAULT '[]',
    fast_track_version INTEGER NOT NULL DEFAULT 0,
    review_due         TIMESTAMP NOT NULL,
    statutory_due      TIMESTAMP NOT NULL,
    documents_at       TIMESTAMP,
    decided_at         TIMESTAMP,
    decided_by         TEXT NOT NULL DEFAULT '',
    payment_due        TIMESTAMP,
    paid               BIGINT NOT NULL DEFAULT 0,
    closed_at          TIMESTAMP,
    disputed           BOOLEAN NOT NULL DEFAULT FALSE,
    -- The satisfaction survey after closing: 1–5, NPS 0–10, a comment.
    survey_score       INTEGER,
    survey_nps         INTEGER,
    survey_comment     TEXT NOT NULL DEFAULT '',
    survey_at          TIMESTAMP,
    version            INTEGER NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX claims_stage ON claims (stage, review_due);
CREATE INDEX claims_policy ON claims (policy_id, type, incident_date);
CREATE INDEX claims_claimant ON claims (claimant_id, created_at);

CREATE TABLE claim_decisions (
    id            TEXT PRIMARY KEY,
    claim_id      TEXT NOT NULL REFERENCES claims (id),
    seq           INTEGER NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('pay', 'partial', 'reject', 'advance')),
    calculation   TEXT NOT NULL,               -- JSON, each line as computed
    payable       BIGINT NOT NULL CHECK (payable >= 0),
    deductible    BIGINT NOT NULL DEFAULT 0,   -- medical deductible this decision used
    reasons       TEXT NOT NULL DEFAULT '[]',
    automated     BOOLEAN NOT NULL DEFAULT FALSE,
    review        BOOLEAN NOT NULL DEFAULT FALSE,
    decided_by    TEXT NOT NULL,
    decider_name  TEXT NOT NULL,
    decided_at    TIMESTAMP NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'returned', 'superseded')),
    needs_role    TEXT NOT NULL DEFAULT '',
    approved_by   TEXT NOT NULL DEFAULT '',
    approver_name TEXT NOT NULL DEFAULT '',
    approved_at   TIMESTAMP,
    letter_number TEXT NOT NULL UNIQUE,
    UNIQUE (claim_id, seq)
);
CREATE INDEX claim_decisions_pending ON claim_decisions (status, needs_role);

CREATE TABLE claim_tasks (
    id            TEXT PRIMARY KEY,
    claim_id      TEXT NOT NULL REFERENCES claims (id),
    kind          TEXT NOT NULL,
    assignee_id   TEXT NOT NULL REFERENCES staff (id),
    instructions  TEXT NOT NULL DEFAULT '',
    due_at        TIMESTAMP NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'done')),
    report        TEXT NOT NULL DEFAULT '',    -- sealed
    conclusion    TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    done_at       TIMESTAMP
);
CREATE INDEX claim_tasks_claim ON claim_tasks (claim_id, created_at);
CREATE INDEX claim_tasks_assignee ON claim_tasks (assignee_id, status, due_at);

-- One instruction per payee of an approved amount: the unique key is what
-- makes a retried approval or a second node unable to add another.
CREATE TABLE claim_payments (
    id          TEXT PRIMARY KEY,
    claim_id    TEXT NOT NULL REFERENCES claims (id),
    decision_id TEXT NOT NULL REFERENCES claim_decisions (id),
    position    INTEGER NOT NULL,
    payee_name  TEXT NOT NULL,                 -- sealed
    bank_name   TEXT NOT NULL DEFAULT '',
    account     TEXT NOT NULL,                 -- sealed
    amount      BIGINT NOT NULL CHECK (amount > 0),
    status      TEXT NOT NULL CHECK (status IN ('instructed', 'paid', 'failed')),
    reference   TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    paid_at     TIMESTAMP,
    UNIQUE (decision_id, position)
);
CREATE INDEX claim_payments_claim ON claim_payments (claim_id);

CREATE TABLE claim_disputes (
    id           TEXT PRIMARY KEY,
    claim_id     TEXT NOT NULL REFERENCES claims (id),
    decision_id  TEXT NOT NULL REFERENCES claim_decisions (id),
    reason       TEXT NOT NULL,                -- sealed
    raised_by    TEXT NOT NULL,
    raised_at    TIMESTAMP NOT NULL,
    human_review BOOLEAN NOT NULL DEFAULT FALSE,
    status       TEXT NOT NULL CHECK (status IN ('open', 'decided')),
    resolved_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX claim_disputes_claim ON claim_disputes (claim_id);

-- The statutory clocks beside the ticket's SLA: decide within 30 days
-- (art. 23), pay within 10 days of agreement (art. 23), a rejection notice
-- within 3 days (art. 24), the undisputed part at 60 days (art. 25), the
-- follow-up call within 3 days of closing. A row is met when done_at is
-- set; warned_at and breached_at are set once, by whichever node gets there.
CREATE TABLE claim_deadlines (
    claim_id    TEXT NOT NULL REFERENCES claims (id),
    kind        TEXT NOT NULL,
    due_at      TIMESTAMP NOT NULL,
    warn_at     TIMESTAMP NOT NULL,
    warned_at   TIMESTAMP,
    breached_at TIMESTAMP,
    done_at     TIMESTAMP,
    PRIMARY KEY (claim_id, kind)
);
CREATE INDEX claim_deadlines_open ON claim_deadlines (done_at, due_at);

-- Customers the claims department marks high-risk (a risk rule reads it).
CREATE TABLE customer_risk (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id),
    high_risk   BOOLEAN NOT NULL,
    reason      TEXT NOT NULL,
    set_by      TEXT NOT NULL,
    set_at      TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE customer_risk;
DROP TABLE claim_deadlines;
DROP TABLE claim_disputes;
DROP TABLE claim_payments;
DROP TABLE claim_tasks;
DROP TABLE claim_decisions;
DROP TABLE claims;
