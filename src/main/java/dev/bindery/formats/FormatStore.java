package dev.bindery.formats;

import dev.bindery.storage.Like;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** SQL for the formats: metadata read from uploaded files, and the index files generated. */
public final class FormatStore {

    private final Jdbi jdbi;

    public FormatStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The metadata of the published files of a repository under {@code pathPrefix}, by file id. */
    public Map<Long, String> metadata(long repositoryId, String pathPrefix) {
        return jdbi.withHandle(handle -> {
            var byFile = new HashMap<Long, String>();
            handle.createQuery("SELECT m.file_id, m.metadata FROM formats_file_metadata m"
                            + " JOIN content_file f ON f.id = m.file_id WHERE f.repository_id = :repo"
                            + " AND f.published IS NOT NULL AND f.path LIKE :prefix " + Like.ESCAPE)
                    .bind("repo", repositoryId).bind("prefix", Like.escape(pathPrefix) + "%")
                    .map((rs, ctx) -> byFile.put(rs.getLong(1), rs.getString(2))).list();
            return byFile;
        });
    }

    /**
     * Published files of a repository whose path starts with {@code pathPrefix}, by path, read from
     * {@code content_file} alone: the names of their owner, repository, package and version are null.
     */
    public List<dev.bindery.content.FileEntry> publishedFiles(long repositoryId, String pathPrefix) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + FILE_COLUMNS + " FROM content_file"
                        + " WHERE repository_id = :repo AND published IS NOT NULL AND path LIKE :prefix " + Like.ESCAPE
                        + " ORDER BY path")
                .bind("repo", repositoryId).bind("prefix", Like.escape(pathPrefix) + "%")
                .map((rs, ctx) -> fileEntry(rs, repositoryId))
                .list());
    }

    /**
     * The repository's file generation and the generation of its last file removal (see the V016
     * migration); zeros for a repository that is gone.
     */
    public FileListing.Generation fileGeneration(long repositoryId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT file_generation, file_removal FROM content_repository"
                        + " WHERE id = :repo")
                .bind("repo", repositoryId)
                .map((rs, ctx) -> new FileListing.Generation(rs.getLong(1), rs.getLong(2)))
                .findOne().orElse(new FileListing.Generation(0, 0)));
    }

    /**
     * The files under {@code pathPrefix}, published or not, that transactions of generations after
     * {@code after} and up to {@code upTo} wrote; unpublished ones have a null {@code published}.
     */
    public List<dev.bindery.content.FileEntry> filesChanged(long repositoryId, String pathPrefix, long after,
                                                            long upTo) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + FILE_COLUMNS + " FROM content_file"
                        + " WHERE repository_id = :repo AND changed > :after AND changed <= :upTo"
                        + " AND path LIKE :prefix " + Like.ESCAPE)
                .bind("repo", repositoryId).bind("after", after).bind("upTo", upTo)
                .bind("prefix", Like.escape(pathPrefix) + "%")
                .map((rs, ctx) -> fileEntry(rs, repositoryId))
                .list());
    }

    private static final String FILE_COLUMNS = "id, version_id, path, name, size, sha1, sha256, md5, published,"
            + " list_in_downloads, created";

    private static dev.bindery.content.FileEntry fileEntry(ResultSet rs, long repositoryId) throws SQLException {
        long published = rs.getLong("published");
        boolean unpublished = rs.wasNull();
        return new dev.bindery.content.FileEntry(rs.getLong("id"), repositoryId,
                rs.getLong("version_id"), rs.getString("path"), rs.getString("name"), rs.getLong("size"),
                rs.getString("sha1"), rs.getString("sha256"), rs.getString("md5"),
                unpublished ? null : Instant.ofEpochMilli(published), rs.getBoolean("list_in_downloads"),
                Instant.ofEpochMilli(rs.getLong("created")), null, null, null, null);
    }

    /** The metadata of the files of a repository with these ids, by file id; at most 1,000 ids a query. */
    public Map<Long, String> metadata(long repositoryId, java.util.Collection<Long> fileIds) {
        var byFile = new HashMap<Long, String>();
        var ids = List.copyOf(fileIds);
        for (int from = 0; from < ids.size(); from += 1000) {
            var batch = ids.subList(from, Math.min(ids.size(), from + 1000));
            jdbi.useHandle(handle -> handle.createQuery("SELECT m.file_id, m.metadata FROM formats_file_metadata m"
                            + " JOIN content_file f ON f.id = m.file_id WHERE f.repository_id = :repo"
                            + " AND m.file_id IN (<ids>)")
                    .bind("repo", repositoryId).bindList("ids", batch)
                    .map((rs, ctx) -> byFile.put(rs.getLong(1), rs.getString(2))).list());
        }
        return byFile;
    }

    /** The index file of the current generation at {@code path}. */
    public Optional<IndexFile> indexFile(long repositoryId, String path) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM formats_index_file"
                        + " WHERE repository_id = :repo AND path = :path AND expires IS NULL")
                .bind("repo", repositoryId).bind("path", path).map(FormatStore::mapIndexFile).findOne());
    }

    /** The index file served at {@code path}: of the current generation, or superseded and kept past {@code now}. */
    public Optional<IndexFile> servedIndexFile(long repositoryId, String path, Instant now) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM formats_index_file"
                        + " WHERE repository_id = :repo AND path = :path AND (expires IS NULL OR expires > :now)")
                .bind("repo", repositoryId).bind("path", path).bind("now", now.toEpochMilli())
                .map(FormatStore::mapIndexFile).findOne());
    }

    /** The index files of the current generation under {@code pathPrefix}, by path; superseded ones are left out. */
    public List<IndexFile> indexFiles(long repositoryId, String pathPrefix) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM formats_index_file"
                        + " WHERE repository_id = :repo AND path LIKE :prefix " + Like.ESCAPE
                        + " AND expires IS NULL ORDER BY path")
                .bind("repo", repositoryId).bind("prefix", Like.escape(pathPrefix) + "%")
                .map(FormatStore::mapIndexFile).list());
    }

    /**
     * Makes {@code files} the index files under {@code pathPrefix} in one transaction. Files of the
     * current generation under the prefix that are not among them are removed, but for those at the
     * paths in {@code keep}, which are superseded: served until {@code keepUntil}, then removed by a
     * later call for the prefix or by {@link #removeExpiredIndexFiles}.
     *
     * @param keepUntil null when the format keeps no superseded files ({@code keep} is then ignored):
     *                  the statements for superseded files are skipped
     */
    public void replaceIndexFiles(long repositoryId, String pathPrefix, List<IndexFile> files,
                                  Collection<String> keep, Instant keepUntil, Instant now) {
        var prefix = Like.escape(pathPrefix) + "%";
        jdbi.useTransaction(handle -> {
            if (keepUntil != null) {
                handle.createUpdate("DELETE FROM formats_index_file WHERE repository_id = :repo AND path LIKE :prefix "
                                + Like.ESCAPE + " AND expires <= :now")
                        .bind("repo", repositoryId).bind("prefix", prefix).bind("now", now.toEpochMilli()).execute();
                if (!keep.isEmpty()) {
                    var supersede = handle.prepareBatch("UPDATE formats_index_file SET expires = :until"
                            + " WHERE repository_id = :repo AND path = :path AND expires IS NULL");
                    for (var path : keep) {
                        supersede.bind("until", keepUntil.toEpochMilli()).bind("repo", repositoryId)
                                .bind("path", path).add();
                    }
                    supersede.execute();
                }
                // A superseded file whose path is back in this generation gives way to it.
                var paths = files.stream().map(IndexFile::path).toList();
                for (int from = 0; from < paths.size(); from += 1000) {
                    handle.createUpdate("DELETE FROM formats_index_file WHERE repository_id = :repo"
                                    + " AND expires IS NOT NULL AND path IN (<paths>)")
                            .bind("repo", repositoryId)
                            .bindList("paths", paths.subList(from, Math.min(paths.size(), from + 1000))).execute();
                }
            }
            handle.createUpdate("DELETE FROM formats_index_file WHERE repository_id = :repo AND path LIKE :prefix "
                            + Like.ESCAPE + " AND expires IS NULL")
                    .bind("repo", repositoryId).bind("prefix", prefix).execute();
            var batch = handle.prepareBatch("INSERT INTO formats_index_file (repository_id, path, size, sha1, sha256,"
                    + " md5, updated) VALUES (:repo, :path, :size, :sha1, :sha256, :md5, :updated)");
            for (var file : files) {
                batch.bind("repo", repositoryId).bind("path", file.path()).bind("size", file.size())
                        .bind("sha1", file.sha1()).bind("sha256", file.sha256()).bind("md5", file.md5())
                        .bind("updated", file.updated().toEpochMilli()).add();
            }
            if (!files.isEmpty()) {
                batch.execute();
            }
        });
    }

    /** Removes the superseded index files of all repositories kept until {@code now} or before; returns how many. */
    public int removeExpiredIndexFiles(Instant now) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM formats_index_file WHERE expires <= :now")
                .bind("now", now.toEpochMilli()).execute());
    }

    private static IndexFile mapIndexFile(ResultSet rs, StatementContext ctx) throws SQLException {
        return new IndexFile(rs.getLong("repository_id"), rs.getString("path"), rs.getLong("size"),
                rs.getString("sha1"), rs.getString("sha256"), rs.getString("md5"),
                Instant.ofEpochMilli(rs.getLong("updated")));
    }
}
