-- Web UI sessions: a user logged in to the pages with their API key. The browser holds a random
-- 256-bit id in a cookie; only its SHA-256 is kept, so reading this table logs nobody in. Rows live
-- here rather than in a node's memory so every node behind a load balancer knows every session.
CREATE TABLE access_session (
    id_hash             VARCHAR(64)    PRIMARY KEY,  -- hex SHA-256 of the cookie's id
    user_id             BIGINT         NOT NULL REFERENCES subject_subject (id) ON DELETE CASCADE,
    key_tag             VARCHAR(64)    NOT NULL,     -- hex SHA-256 derived from the user's API key hash at log-in:
                                                     -- a new API key (by the API or elsewhere) ends the session
    created             BIGINT         NOT NULL,     -- epoch millis, UTC: ends 7 days later at the latest
    last_seen           BIGINT         NOT NULL      -- epoch millis, UTC, updated every few minutes of use
);
CREATE INDEX access_session_user ON access_session (user_id);
CREATE INDEX access_session_last_seen ON access_session (last_seen);
