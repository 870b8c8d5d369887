-- The Maven coordinates (groupId:artifactId) each package of a Maven repository holds published
-- files of, for Maven Package Search; rebuilt with the repository's maven-metadata.xml files.
CREATE TABLE formats_maven_artifact (
    repository_id       BIGINT        NOT NULL REFERENCES content_repository (id) ON DELETE CASCADE,
    package_id          BIGINT        NOT NULL REFERENCES content_package (id) ON DELETE CASCADE,
    group_id            VARCHAR(255)  NOT NULL,
    artifact_id         VARCHAR(255)  NOT NULL,
    artifact_folder     VARCHAR(1024) NOT NULL,   -- group/as/path/artifactId/
    PRIMARY KEY (package_id, group_id, artifact_id)
);
CREATE INDEX formats_maven_artifact_repository ON formats_maven_artifact (repository_id, group_id, artifact_id);
