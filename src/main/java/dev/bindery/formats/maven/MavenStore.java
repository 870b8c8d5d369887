package dev.bindery.formats.maven;

import dev.bindery.storage.Like;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** SQL for the Maven format: which groupId:artifactId pairs each package holds, for Maven Package Search. */
public final class MavenStore {

    private final Jdbi jdbi;

    public MavenStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A groupId:artifactId of published files of one version, in the artifact folder {@code folder/}. */
    record Artifact(long versionId, String groupId, String artifactId, String folder) {
    }

    /** A package holding a matching groupId:artifactId; package search renders the package. */
    record Hit(String owner, String repo, String pkg, String groupId, String artifactId) {
    }

    /**
     * Makes {@code artifacts} the pairs of the repository's artifact folders under {@code folderPrefix}
     * ("" for all), in one transaction.
     */
    void replaceArtifacts(long repositoryId, String folderPrefix, Collection<Artifact> artifacts) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("DELETE FROM formats_maven_artifact WHERE repository_id = :repo"
                            + " AND artifact_folder LIKE :prefix " + Like.ESCAPE)
                    .bind("repo", repositoryId).bind("prefix", Like.escape(folderPrefix) + "%").execute();
            if (artifacts.isEmpty()) {
                return;
            }
            Map<Long, Long> packageOfVersion = new HashMap<>();
            handle.createQuery("SELECT v.id, v.package_id FROM content_version v"
                            + " JOIN content_package p ON p.id = v.package_id WHERE p.repository_id = :repo")
                    .bind("repo", repositoryId)
                    .map((rs, ctx) -> packageOfVersion.put(rs.getLong(1), rs.getLong(2))).list();
            var rows = new LinkedHashSet<List<Object>>();
            for (var artifact : artifacts) {
                var pkg = packageOfVersion.get(artifact.versionId());
                if (pkg != null) {
                    rows.add(List.of(pkg, artifact.groupId(), artifact.artifactId(), artifact.folder()));
                }
            }
            var batch = handle.prepareBatch("INSERT INTO formats_maven_artifact (repository_id, package_id, group_id,"
                    + " artifact_id, artifact_folder) VALUES (:repo, :pkg, :group, :artifact, :folder)");
            for (var row : rows) {
                batch.bind("repo", repositoryId).bind("pkg", row.get(0)).bind("group", row.get(1))
                        .bind("artifact", row.get(2)).bind("folder", row.get(3)).add();
            }
            batch.execute();
        });
    }

    /**
     * The pairs of public repositories matching the wildcard patterns ({@code *}, {@code ?}; null
     * matches all): {@code groupId} and {@code artifactId} exactly, {@code query} either of them or
     * {@code groupId:artifactId}, ignoring case. Ordered by owner, repository, package, pair.
     */
    List<Hit> search(String groupId, String artifactId, String query, String subject, String repo) {
        var sql = new StringBuilder("SELECT s.name AS owner, r.name AS repo, p.name AS pkg, a.group_id, a.artifact_id"
                + " FROM formats_maven_artifact a JOIN content_package p ON p.id = a.package_id"
                + " JOIN content_repository r ON r.id = a.repository_id JOIN subject_subject s ON s.id = r.owner_id"
                + " WHERE r.is_private = FALSE");
        if (groupId != null) {
            sql.append(" AND a.group_id LIKE :group").append(Like.ESCAPE);
        }
        if (artifactId != null) {
            sql.append(" AND a.artifact_id LIKE :artifact").append(Like.ESCAPE);
        }
        if (query != null) {
            sql.append(" AND (LOWER(a.group_id) LIKE :query").append(Like.ESCAPE)
                    .append(" OR LOWER(a.artifact_id) LIKE :query").append(Like.ESCAPE)
                    .append(" OR LOWER(a.group_id || ':' || a.artifact_id) LIKE :query").append(Like.ESCAPE)
                    .append(")");
        }
        if (subject != null) {
            sql.append(" AND s.name = :subject");
        }
        if (repo != null) {
            sql.append(" AND r.name = :repo");
        }
        sql.append(" ORDER BY s.name, r.name, p.name, a.group_id, a.artifact_id");
        return jdbi.withHandle(handle -> handle.createQuery(sql.toString())
                .bind("group", groupId == null ? null : Like.fromWildcard(groupId))
                .bind("artifact", artifactId == null ? null : Like.fromWildcard(artifactId))
                .bind("query", query == null ? null : Like.fromWildcard(query.toLowerCase(java.util.Locale.ROOT)))
                .bind("subject", subject).bind("repo", repo)
                .map((rs, ctx) -> new Hit(rs.getString("owner"), rs.getString("repo"), rs.getString("pkg"),
                        rs.getString("group_id"), rs.getString("artifact_id")))
                .list());
    }
}
