-- Webhook calls still to make: one row per (version_published event, active hook of its package),
-- inserted in the transaction that moves webhooks_checkpoint past the event, deleted when the call
-- succeeded or finally failed (after its retries). So a call is lost neither when a node stops or
-- dies mid-batch nor when the database fails between claiming and calling: delivery is at least once.
--
-- A node works only on rows it holds: claimed_by is its id and lease_until (renewed while it works)
-- has not passed. Rows nobody holds (claimed_by null: released on a graceful stop, or left for later
-- because the hook's queue was full; or lease_until past: their node died) are taken over by any node
-- with UPDATE ... WHERE (claimed_by IS NULL OR lease_until < :now), which a concurrent taker re-checks
-- after waiting for the row lock (H2 and PostgreSQL), so one node wins.
CREATE TABLE webhooks_delivery (
    seq                 BIGINT         NOT NULL,   -- the version_published event (events_event.seq)
    owner               VARCHAR(64)    NOT NULL,   -- the hook: webhooks_hook (owner, repo, package)
    repo                VARCHAR(64)    NOT NULL,
    package             VARCHAR(128)   NOT NULL,
    version             VARCHAR(128)   NOT NULL,   -- copied from the event: the outbox may purge it first
    released            BIGINT         NOT NULL,   -- the event's time, epoch millis UTC
    attempts            INT            NOT NULL,   -- failed attempts so far
    next_attempt        BIGINT         NOT NULL,   -- not before, epoch millis UTC (backoff)
    claimed_by          VARCHAR(128),              -- the node working on it, or null
    lease_until         BIGINT,                    -- epoch millis UTC; once past, any node may take the row
    PRIMARY KEY (seq, owner, repo, package)
);
CREATE INDEX webhooks_delivery_claimed ON webhooks_delivery (claimed_by, lease_until);
