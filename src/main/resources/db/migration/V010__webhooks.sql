-- Webhooks: one callback per (owning subject, repository, package), called when a version of the
-- package is published. Registering it again replaces its URL and method and re-activates it.
-- failure_count counts consecutive failed deliveries; at 7 the hook is deactivated (active = FALSE).
CREATE TABLE webhooks_hook (
    owner               VARCHAR(64)    NOT NULL,   -- the subject owning the repository
    repo                VARCHAR(64)    NOT NULL,
    package             VARCHAR(128)   NOT NULL,
    url                 VARCHAR(2048)  NOT NULL,   -- may hold %r and %p
    method              VARCHAR(8)     NOT NULL,   -- POST, PUT or GET
    registered_by       VARCHAR(256)   NOT NULL,   -- whose API key signs the calls
    failure_count       INT            NOT NULL,
    active              BOOLEAN        NOT NULL,
    created             BIGINT         NOT NULL,   -- epoch millis UTC
    PRIMARY KEY (owner, repo, package)
);

-- How far in the outbox webhook deliveries have been claimed. One row: a node claims a batch of
-- events by moving last_seq with UPDATE ... WHERE last_seq = :seen, so on nodes sharing the database
-- exactly one node delivers a given event.
CREATE TABLE webhooks_checkpoint (
    id                  INT            PRIMARY KEY,
    last_seq            BIGINT         NOT NULL
);
INSERT INTO webhooks_checkpoint (id, last_seq) VALUES (1, 0);
