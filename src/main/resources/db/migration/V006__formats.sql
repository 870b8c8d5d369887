-- What a repository format read from an uploaded file (a .deb's control data, an RPM header, a
-- POM's coordinates), kept with the file so indexes are rebuilt without re-reading the files.
CREATE TABLE formats_file_metadata (
    file_id             BIGINT        NOT NULL PRIMARY KEY REFERENCES content_file (id) ON DELETE CASCADE,
    metadata            TEXT          NOT NULL
);

-- Index files a format generated (Release, Packages.gz, repomd.xml, maven-metadata.xml, ...):
-- served at their path like uploaded files, their bytes in the blob store.
CREATE TABLE formats_index_file (
    repository_id       BIGINT        NOT NULL REFERENCES content_repository (id) ON DELETE CASCADE,
    path                VARCHAR(1024) NOT NULL,
    size                BIGINT        NOT NULL,
    sha1                VARCHAR(40)   NOT NULL,
    sha256              VARCHAR(64)   NOT NULL,   -- also the blob key
    md5                 VARCHAR(32)   NOT NULL,
    updated             BIGINT        NOT NULL,
    PRIMARY KEY (repository_id, path)
);
CREATE INDEX formats_index_file_sha256 ON formats_index_file (sha256);
