-- Every transaction that changes a repository's files (upload, publish, override, delete, discard,
-- the download list) counts up the repository's file_generation, under the repository row's lock,
-- so generations commit in order, and stamps the rows it writes with it in content_file.changed.
-- A rebuild of the repository's index then reads only the rows changed since the generation it
-- last saw. Deleted rows leave nothing to read: a transaction that deletes files also sets
-- file_removal to its generation, which makes the next rebuild read all the files again.
ALTER TABLE content_repository ADD COLUMN file_generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE content_repository ADD COLUMN file_removal BIGINT NOT NULL DEFAULT 0;
ALTER TABLE content_file ADD COLUMN changed BIGINT NOT NULL DEFAULT 0;
CREATE INDEX content_file_changed ON content_file (repository_id, changed);
