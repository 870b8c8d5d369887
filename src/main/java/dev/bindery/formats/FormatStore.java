package dev.bindery.formats;

import dev.bindery.storage.Like;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
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
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id, version_id, path, name, size, sha1, sha256, md5,"
                        + " published, list_in_downloads, created FROM content_file WHERE repository_id = :repo"
                        + " AND published IS NOT NULL AND path LIKE :prefix " + Like.ESCAPE + " ORDER BY path")
                .bind("repo", repositoryId).bind("prefix", Like.escape(pathPrefix) + "%")
                .map((rs, ctx) -> new dev.bindery.content.FileEntry(rs.getLong("id"), repositoryId,
                        rs.getLong("version_id"), rs.getString("path"), rs.getString("name"), rs.getLong("size"),
                        rs.getString("sha1"), rs.getString("sha256"), rs.getString("md5"),
                        Instant.ofEpochMilli(rs.getLong("published")), rs.getBoolean("list_in_downloads"),
                        Instant.ofEpochMilli(rs.getLong("created")), null, null, null, null))
                .list());
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

    public Optional<IndexFile> indexFile(long repositoryId, String path) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM formats_index_file"
                        + " WHERE repository_id = :repo AND path = :path")
                .bind("repo", repositoryId).bind("path", path).map(FormatStore::mapIndexFile).findOne());
    }

    public List<IndexFile> indexFiles(long repositoryId, String pathPrefix) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM formats_index_file"
                        + " WHERE repository_id = :repo AND path LIKE :prefix " + Like.ESCAPE + " ORDER BY path")
                .bind("repo", repositoryId).bind("prefix", Like.escape(pathPrefix) + "%")
                .map(FormatStore::mapIndexFile).list());
    }

    /**
     * Makes {@code files} the index files under {@code pathPrefix} in one transaction: rows under the
     * prefix not among them are removed.
     */
    public void replaceIndexFiles(long repositoryId, String pathPrefix, List<IndexFile> files) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("DELETE FROM formats_index_file WHERE repository_id = :repo AND path LIKE :prefix "
                            + Like.ESCAPE)
                    .bind("repo", repositoryId).bind("prefix", Like.escape(pathPrefix) + "%").execute();
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

    private static IndexFile mapIndexFile(ResultSet rs, StatementContext ctx) throws SQLException {
        return new IndexFile(rs.getLong("repository_id"), rs.getString("path"), rs.getLong("size"),
                rs.getString("sha1"), rs.getString("sha256"), rs.getString("md5"),
                Instant.ofEpochMilli(rs.getLong("updated")));
    }
}
