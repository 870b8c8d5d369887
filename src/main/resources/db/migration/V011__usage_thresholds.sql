-- Usage thresholds of organizations, of their repositories and business units, and the alerts
-- they raised.

-- Which threshold a threshold_exceeded event is about (JSON); null for other events.
ALTER TABLE events_event ADD COLUMN details VARCHAR(2000);

-- One threshold per (organization, scope, target). A limit of 0 is off.
CREATE TABLE usage_threshold (
    owner                   VARCHAR(64)    NOT NULL,   -- the organization
    scope                   VARCHAR(16)    NOT NULL,   -- organization, repo or business_unit
    target                  VARCHAR(128)   NOT NULL,   -- the repository or business unit; '' for the organization
    monthly_storage_bytes   BIGINT         NOT NULL,
    monthly_download_bytes  BIGINT         NOT NULL,
    daily_download_bytes    BIGINT         NOT NULL,
    alert_to_emails         VARCHAR(4000)  NOT NULL,   -- comma-separated addresses, '' for none
    alert_to_admins         BOOLEAN        NOT NULL,
    created                 BIGINT         NOT NULL,   -- epoch millis UTC
    updated                 BIGINT         NOT NULL,
    PRIMARY KEY (owner, scope, target)
);

-- One alert per threshold, kind and period (the UTC day or month it is for): the primary key is
-- what keeps nodes sharing the database from alerting twice. The alert commits with its
-- threshold_exceeded event. mail_state: pending (to send), sending (claimed by a node at
-- mail_claimed), sent, failed (gave up after some attempts) or none (no recipient or no SMTP server).
CREATE TABLE usage_threshold_alert (
    owner                   VARCHAR(64)    NOT NULL,
    scope                   VARCHAR(16)    NOT NULL,
    target                  VARCHAR(128)   NOT NULL,
    kind                    VARCHAR(32)    NOT NULL,   -- monthly_storage_bytes, monthly_download_bytes, daily_download_bytes
    period_start            BIGINT         NOT NULL,   -- epoch millis UTC
    limit_bytes             BIGINT         NOT NULL,
    usage_bytes             BIGINT         NOT NULL,
    raised                  BIGINT         NOT NULL,   -- epoch millis UTC
    recipients              VARCHAR(8000)  NOT NULL,   -- comma-separated, fixed when raised
    mail_state              VARCHAR(16)    NOT NULL,
    mail_claimed            BIGINT,
    mail_attempts           INT            NOT NULL,
    PRIMARY KEY (owner, scope, target, kind, period_start)
);
CREATE INDEX usage_threshold_alert_mail ON usage_threshold_alert (mail_state);
