-- Readme and release notes (Bintray's Readme and Release Notes API): written in Bintray (syntax and
-- content) or pointing at GitHub (repository, release notes file). One readme and one set of
-- release notes per package, release notes per version; they go with their package or version.
CREATE TABLE content_package_text (
    package_id          BIGINT         NOT NULL REFERENCES content_package (id) ON DELETE CASCADE,
    kind                VARCHAR(16)    NOT NULL,   -- readme or release_notes
    syntax              VARCHAR(16),               -- markdown, asciidoc or plain_text; null for GitHub
    content             TEXT,                      -- null for GitHub
    github_repo         VARCHAR(256),
    github_file         VARCHAR(512),
    updated             BIGINT         NOT NULL,
    PRIMARY KEY (package_id, kind)
);

CREATE TABLE content_version_text (
    version_id          BIGINT         NOT NULL REFERENCES content_version (id) ON DELETE CASCADE,
    syntax              VARCHAR(16),
    content             TEXT,
    github_repo         VARCHAR(256),
    github_file         VARCHAR(512),
    updated             BIGINT         NOT NULL,
    PRIMARY KEY (version_id)
);
