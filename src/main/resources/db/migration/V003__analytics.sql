-- How far each follower of the download log has got, committed with what it derived.
CREATE TABLE analytics_checkpoint (
    consumer        VARCHAR(128) PRIMARY KEY,
    log_offset      BIGINT       NOT NULL
);

-- Download rollups. res: 'm' minute buckets (kept 48 hours), 'd' days and 'M' months (kept);
-- bucket: the bucket's start, epoch millis UTC. One table per question asked of them, so a query
-- over years reads months, not events. Keys lead with the package and time.
CREATE TABLE analytics_version (
    subject         VARCHAR(64)  NOT NULL,
    repo            VARCHAR(64)  NOT NULL,
    package         VARCHAR(128) NOT NULL,
    res             CHAR(1)      NOT NULL,
    bucket          BIGINT       NOT NULL,
    version         VARCHAR(128) NOT NULL,
    downloads       BIGINT       NOT NULL,
    bytes           BIGINT       NOT NULL,
    PRIMARY KEY (subject, repo, package, res, bucket, version)
);

CREATE TABLE analytics_country_os (
    subject         VARCHAR(64)  NOT NULL,
    repo            VARCHAR(64)  NOT NULL,
    package         VARCHAR(128) NOT NULL,
    res             CHAR(1)      NOT NULL,
    bucket          BIGINT       NOT NULL,
    version         VARCHAR(128) NOT NULL,
    country         VARCHAR(16)  NOT NULL,
    os              VARCHAR(32)  NOT NULL,
    downloads       BIGINT       NOT NULL,
    PRIMARY KEY (subject, repo, package, res, bucket, version, country, os)
);

CREATE TABLE analytics_org (
    subject         VARCHAR(64)  NOT NULL,
    repo            VARCHAR(64)  NOT NULL,
    package         VARCHAR(128) NOT NULL,
    res             CHAR(1)      NOT NULL,
    bucket          BIGINT       NOT NULL,
    version         VARCHAR(128) NOT NULL,
    asn             BIGINT       NOT NULL,   -- 0 when unknown
    organization    VARCHAR(256) NOT NULL,
    downloads       BIGINT       NOT NULL,
    PRIMARY KEY (subject, repo, package, res, bucket, version, asn, organization)
);

CREATE TABLE analytics_client (
    subject         VARCHAR(64)  NOT NULL,
    repo            VARCHAR(64)  NOT NULL,
    package         VARCHAR(128) NOT NULL,
    res             CHAR(1)      NOT NULL,
    bucket          BIGINT       NOT NULL,
    version         VARCHAR(128) NOT NULL,
    client          VARCHAR(32)  NOT NULL,
    downloads       BIGINT       NOT NULL,
    PRIMARY KEY (subject, repo, package, res, bucket, version, client)
);
