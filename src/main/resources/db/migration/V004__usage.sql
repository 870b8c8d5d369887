-- Storage history for the usage reports: the bytes and files each package held, one snapshot per
-- UTC day (snapshot_day: the day's start, epoch millis), rewritten while the day lasts. A month's storage is
-- the last snapshot taken in it. analytics_storage_day records that a snapshot was taken, so a day
-- on which a subject stored nothing still answers 0 rather than an older day's bytes.
CREATE TABLE analytics_storage_day (
    snapshot_day    BIGINT       PRIMARY KEY,
    taken           BIGINT       NOT NULL
);

CREATE TABLE analytics_storage (
    snapshot_day    BIGINT       NOT NULL,
    subject         VARCHAR(64)  NOT NULL,
    repo            VARCHAR(64)  NOT NULL,
    package         VARCHAR(128) NOT NULL,
    bytes           BIGINT       NOT NULL,
    files           BIGINT       NOT NULL,
    PRIMARY KEY (subject, snapshot_day, repo, package)
);
CREATE INDEX analytics_storage_snapshot_day ON analytics_storage (snapshot_day);
