-- +goose Up
-- Service requests (工单): one ticket per request on any channel, its
-- timeline, checklist and attachments; the teams and agents routing chooses
-- among; the configuration (ticket types, SLA policies, routing rules,
-- notice templates) as JSON documents edited through the API; the outbox
-- of notices; and the SLA points already acted on, which is what stops
-- two nodes from sending one warning twice.

-- Human-readable numbers: one counter row per prefix and day, taken with
-- an upsert inside the transaction that uses the number.
CREATE TABLE number_sequences (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE config_documents (
    kind       TEXT NOT NULL,  -- ticket_type, sla_policy, routing_rule, notice_template
    code       TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    doc        TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (kind, code)
);

CREATE TABLE teams (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    name_en       TEXT NOT NULL DEFAULT '',
    supervisor_id TEXT NOT NULL DEFAULT ''
);

-- An agent is a staff member who takes tickets. open_tickets is kept in
-- step with the tickets they own in the same transactions that change
-- ownership or stage, so routing reads one small table, never counts.
CREATE TABLE agents (
    staff_id         TEXT PRIMARY KEY REFERENCES staff (id),
    team             TEXT NOT NULL REFERENCES teams (code),
    skills           TEXT NOT NULL DEFAULT '',
    capacity         INTEGER NOT NULL CHECK (capacity >= 0),
    availability     TEXT NOT NULL CHECK (availability IN ('available', 'away', 'off')),
    shift_days       TEXT NOT NULL CHECK (shift_days IN ('working_days', 'every_day')),
    shift_start      TEXT NOT NULL,
    shift_end        TEXT NOT NULL,
    open_tickets     INTEGER NOT NULL DEFAULT 0 CHECK (open_tickets >= 0),
    last_assigned_at TIMESTAMP,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX agents_team ON agents (team, open_tickets);

-- A customer's dedicated advisor (VIP, paid tier) gets their tickets first.
CREATE TABLE customer_advisors (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    staff_id    TEXT NOT NULL REFERENCES staff (id),
    assigned_at TIMESTAMP NOT NULL
);

CREATE TABLE tickets (
    id               TEXT PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,
    type             TEXT NOT NULL,
    channel          TEXT NOT NULL,
    urgency          TEXT NOT NULL CHECK (urgency IN ('low', 'normal', 'high', 'urgent')),
    urgency_rank     INTEGER NOT NULL,
    stage            TEXT NOT NULL CHECK (stage IN ('received', 'acknowledged', 'in_progress', 'waiting_customer', 'resolved', 'closed', 'reopened')),
    is_open          BOOLEAN NOT NULL,
    subject          TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',  -- sealed: customers write anything here
    language         TEXT NOT NULL,
    customer_id      TEXT REFERENCES customers (id),
    customer_tier    TEXT NOT NULL DEFAULT '',
    policy_id        TEXT REFERENCES policies (id),
    contact_name     TEXT NOT NULL DEFAULT '',
    contact_email    TEXT NOT NULL DEFAULT '',  -- sealed
    contact_email_idx TEXT NOT NULL DEFAULT '',
    contact_mobile   TEXT NOT NULL DEFAULT '',  -- sealed
    verify_method    TEXT NOT NULL,
    verify_result    TEXT NOT NULL,
    verify_by        TEXT NOT NULL DEFAULT '',
    verify_at        TIMESTAMP,
    owner_id         TEXT REFERENCES staff (id),
    team             TEXT NOT NULL DEFAULT '',
    skills           TEXT NOT NULL DEFAULT '',
    routing_rule     TEXT NOT NULL DEFAULT '',
    received_by      TEXT NOT NULL DEFAULT '',
    sla_policy       TEXT NOT NULL,
    sla_doc          TEXT NOT NULL,             -- the policy as it was when chosen
    response_due     TIMESTAMP NOT NULL,
    resolution_due   TIMESTAMP NOT NULL,
    provisional      BOOLEAN NOT NULL DEFAULT FALSE,
    responded_at     TIMESTAMP,
    resolved_at      TIMESTAMP,
    closed_at        TIMESTAMP,
    paused_at        TIMESTAMP,
    paused_seconds   BIGINT NOT NULL DEFAULT 0,
    response_breached   BOOLEAN NOT NULL DEFAULT FALSE,
    resolution_breached BOOLEAN NOT NULL DEFAULT FALSE,
    satisfaction     INTEGER NOT NULL DEFAULT 0 CHECK (satisfaction BETWEEN 0 AND 5),
    source_ref       TEXT NOT NULL DEFAULT '',
    queued_at        TIMESTAMP,                 -- waiting in the team queue since
    version          BIGINT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
-- The queues: each is one index range, so a page costs the same with a
-- thousand open tickets or a million.
CREATE INDEX tickets_open_due ON tickets (is_open, resolution_due, id);
CREATE INDEX tickets_owner ON tickets (owner_id, is_open, resolution_due);
CREATE INDEX tickets_team_queue ON tickets (team, is_open, queued_at);
CREATE INDEX tickets_customer ON tickets (customer_id, created_at);
CREATE INDEX tickets_created ON tickets (created_at, id);
CREATE INDEX tickets_contact_email ON tickets (contact_email_idx);
CREATE INDEX tickets_source_ref ON tickets (source_ref);

CREATE TABLE ticket_collaborators (
    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    staff_id  TEXT NOT NULL REFERENCES staff (id),
    added_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, staff_id)
);

-- The timeline a ticket and its customer share across channels.
CREATE TABLE ticket_events (
    id          TEXT PRIMARY KEY,
    ticket_id   TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL,
    kind        TEXT NOT NULL,
    channel     TEXT NOT NULL DEFAULT '',
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_name  TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',  -- sealed
    data        TEXT NOT NULL DEFAULT '',
    source_ref  TEXT NOT NULL DEFAULT ''     -- an inbound email's Message-ID
);
CREATE INDEX ticket_events_source ON ticket_events (source_ref);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, at, id);
CREATE INDEX ticket_events_customer ON ticket_events (customer_id, at, id);

CREATE TABLE ticket_checklist (
    ticket_id  TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL CHECK (status IN ('missing', 'received', 'rejected')),
    reason     TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, code)
);

CREATE TABLE ticket_attachments (
    id           TEXT PRIMARY KEY,
    ticket_id    TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    sha256       TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    item_code    TEXT NOT NULL DEFAULT '',
    uploaded_by  TEXT NOT NULL,
    at           TIMESTAMP NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id, at);
CREATE INDEX ticket_attachments_sha ON ticket_attachments (sha256);

-- Every SLA point acted on. The primary key is the guard: the node whose
-- insert succeeds sends the warning; any other finds the row and does not.
CREATE TABLE sla_events (
    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    target    TEXT NOT NULL,
    point     TEXT NOT NULL,
    due_at    TIMESTAMP NOT NULL,
    fired_at  TIMESTAMP NOT NULL,
    lateness_ms BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, target, point, due_at)
);
CREATE INDEX sla_events_breach ON sla_events (point, fired_at);

-- What staff are told (SLA warnings, assignments), shown in the console.
CREATE TABLE staff_notifications (
    id         TEXT PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    ticket_id  TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL,
    message    TEXT NOT NULL,
    message_en TEXT NOT NULL DEFAULT '',
    at         TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
CREATE INDEX staff_notifications_staff ON staff_notifications (staff_id, read_at, at);

-- The outbox: a notice is written with the change that causes it and sent
-- by a job, so a mail server that is down delays a notice but never loses
-- one or rolls back the change.
CREATE TABLE notices (
    id          TEXT PRIMARY KEY,
    ticket_id   TEXT NOT NULL DEFAULT '',
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
    template    TEXT NOT NULL,
    recipient   TEXT NOT NULL,             -- sealed (a webhook's URL is not personal, but one rule is simpler)
    subject     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,             -- sealed
    message_id  TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    sent_at     TIMESTAMP
);
CREATE INDEX notices_ticket ON notices (ticket_id, created_at);
CREATE INDEX notices_status ON notices (status, created_at);

-- Partners' webhook subscriptions.
CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,  -- sealed
    events     TEXT NOT NULL,  -- comma-separated, e.g. ticket.created,ticket.stage
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE webhooks;
DROP TABLE notices;
DROP TABLE staff_notifications;
DROP TABLE sla_events;
DROP TABLE ticket_attachments;
DROP TABLE ticket_checklist;
DROP TABLE ticket_events;
DROP TABLE ticket_collaborators;
DROP TABLE tickets;
DROP TABLE customer_advisors;
DROP TABLE agents;
DROP TABLE teams;
DROP TABLE config_documents;
DROP TABLE number_sequences;
