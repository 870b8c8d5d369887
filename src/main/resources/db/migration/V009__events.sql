-- The outbox of domain events (upload, download, delete, login, version published, thresholds),
-- read by the firehose, webhooks and thresholds by position.
--
-- events_counter holds the last sequence number handed out. A writer reserves its numbers with
-- UPDATE events_counter SET last_seq = last_seq + n as the last statement of the transaction that
-- makes the change: the row lock serializes writers until commit (on H2 and PostgreSQL, and across
-- nodes sharing PostgreSQL), and a rollback gives the numbers back. So seq is gap-free and in commit
-- order: once seq N is visible, every smaller seq is too, and a reader that has seen N and asks for
-- seq > N later never misses an event. An identity column would leave gaps and commit out of order.
CREATE TABLE events_counter (
    id                  INT            PRIMARY KEY,
    last_seq            BIGINT         NOT NULL
);
INSERT INTO events_counter (id, last_seq) VALUES (1, 0);

CREATE TABLE events_event (
    seq                 BIGINT         PRIMARY KEY,
    type                VARCHAR(32)    NOT NULL,   -- upload, download, delete, login_success, ...
    occurred            BIGINT         NOT NULL,   -- when it happened, epoch millis UTC
    recorded            BIGINT         NOT NULL,   -- when it entered the outbox, epoch millis UTC (retention)
    actor               VARCHAR(256),              -- the acting user, key@subject or anonymous; null if unknown
    owner               VARCHAR(64),               -- the subject owning the resource, for per-subject streams
    repo                VARCHAR(64),
    package             VARCHAR(128),
    version             VARCHAR(128),
    path                VARCHAR(1100),             -- /owner/repo/file/path, or null
    ip_address          VARCHAR(64)
);
CREATE INDEX events_event_owner ON events_event (owner, seq);
CREATE INDEX events_event_recorded ON events_event (recorded);

-- How far each node's follower of its download log has put downloads into the outbox, committed
-- with the events it appended.
CREATE TABLE events_checkpoint (
    consumer            VARCHAR(128)   PRIMARY KEY,
    log_offset          BIGINT         NOT NULL
);
