-- +goose Up
-- The audit log: who did what to which object, when, from where. Rows are
-- only ever inserted. Each row carries the SHA-256 of its own fields and of
-- the row before it in its chain, so an edited, deleted or inserted row
-- breaks the chain and `anxin audit verify` finds it.
--
-- There are 16 chains rather than one so that writers on PostgreSQL do not
-- all queue for a single head row: the chain is picked by hashing the
-- object, so one object's history is still one ordered chain.
--
-- Nothing here is engine-specific, so the one migration folder keeps working
-- on SQLite. On PostgreSQL a deployment can additionally run the nodes as a
-- role that may not rewrite history:
--   REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM <app role>;
-- (the role still needs UPDATE on audit_chains to advance the heads).

CREATE TABLE audit_log (
    chain        INTEGER NOT NULL,
    seq          BIGINT NOT NULL CHECK (seq >= 1),
    id           TEXT NOT NULL UNIQUE,
    at           TIMESTAMP NOT NULL,
    actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('staff', 'customer', 'system', 'token')),
    actor_id     TEXT NOT NULL,
    actor_name   TEXT NOT NULL DEFAULT '',
    actor_role   TEXT NOT NULL DEFAULT '',
    channel      TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    request_id   TEXT NOT NULL DEFAULT '',
    object_type  TEXT NOT NULL,
    object_id    TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    changes      TEXT NOT NULL DEFAULT '{}',
    detail       TEXT NOT NULL DEFAULT '',
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    PRIMARY KEY (chain, seq)
);
-- The search pages newest first by (at, id). The object and action filters
-- have indexes that end in that order, so a page is an index range, not a
-- sort. The actor filter matches an id or a fragment of a name, which no
-- B-tree serves; it walks audit_log_at backwards within the time range.
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, at, id);
CREATE INDEX audit_log_action ON audit_log (action, at, id);

-- The head of each chain: the last seq and hash. Appending a record
-- advances its chain's head in the same transaction, so the head row's lock
-- orders the writers of one chain and a rolled-back append leaves no trace.
CREATE TABLE audit_chains (
    chain INTEGER PRIMARY KEY,
    seq   BIGINT NOT NULL CHECK (seq >= 0),
    hash  TEXT NOT NULL
);
-- Each chain starts at hex(SHA-256("anxin-audit-genesis-<chain>")).
INSERT INTO audit_chains (chain, seq, hash) VALUES
(0, 0, '838f9e3bc6e7048f63729cba9e084a8178aadbc253f63b5689e7c4d9188b9b76'),
(1, 0, '2f1551cb088c3b8fb6b4b838768ae1351df1f05d9de05b8f53ae981504da9b5f'),
(2, 0, '3bfa0304ab3b306bd825cfae1f47ac0ebccce42d4f4c25c26cb56f067b8824ad'),
(3, 0, 'ed1dc0475c9abafcb0cee1b7e4f86fa4d250cece1adb903fcdebc935ccbd1f15'),
(4, 0, 'cfc659216b4bbefac38191743c7aa3fd67d540aab22342585303fe0257d04327'),
(5, 0, '7bf7e767ae6a225365b88d88292f200a7d075018e13945de4ac6a56afa77f582'),
(6, 0, '114b63bd817b8a5280460eee3639e4fc2097f442eae7344bbfd2c6a46799c817'),
(7, 0, 'ae828cc1a88d11bfeb151acbea3c091d1812ae1d703669dc780ae02f382d9bd8'),
(8, 0, '7e63f62f9c0c842ece7c3a56ea49165ddf8f3dec476bcdbb2009794b61621812'),
(9, 0, 'd0c412519bf0dc184ae15c6b2ea6ac4fe4b0efccb5bcd79749522e17e361b556'),
(10, 0, 'e15995a05528434c8b563885b6df3ba8a9fd9545f6e2c0ff70c716b334624d80'),
(11, 0, 'deaa6194ce08009cf182261eb850127a78738732399ab453c970357b3f9f8cae'),
(12, 0, '0fba523166259802e37c255aee00a7055965eb74486a5a5d2180e23e4977d040'),
(13, 0, '8bc9cd40d1aba69ebb63d0224c7beb107dda5134b2f6bf2c1ef4955e3ed4d90b'),
(14, 0, 'b1cad3aa0227e939787293933e60f8b3b2276c9596db72162ca32be1c66c72fd'),
(15, 0, 'ef11945a9936db8ea9448b2ba72b771191b3184b9dc4f17e7c0e403567e6ff30');

-- +goose Down
DROP TABLE audit_chains;
DROP TABLE audit_log;
