-- +goose Up
-- The outcome of each periodic health check (e.g. "does the calendar have
-- next year?"), written by whichever node ran it, read by every node's /readyz.
CREATE TABLE system_checks (
    name       TEXT PRIMARY KEY,
    ok         BOOLEAN NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    checked_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE system_checks;
