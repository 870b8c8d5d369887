package dev.bindery.content;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.storage.Like;
import dev.bindery.subject.Subject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * SQL for the {@code content_*} tables: repositories, packages, versions, files and upload leases.
 * Holds no rules ({@link ContentService} does). Methods taking a {@link Handle} join the caller's
 * transaction; the others run on their own. Times are stored as epoch milliseconds (UTC), lists as
 * JSON arrays.
 */
public final class ContentStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() { };

    private static final String REPOSITORY_COLUMNS = "r.*, s.name AS owner_name, s.kind AS owner_kind,"
            + " s.full_name AS owner_full_name, s.registered AS owner_registered";
    private static final String REPOSITORY_FROM = " FROM content_repository r JOIN subject_subject s ON s.id = r.owner_id";
    private static final String FILE_SELECT = "SELECT f.*, s.name AS owner_name, r.name AS repository_name,"
            + " p.name AS package_name, v.name AS version_name"
            + " FROM content_file f JOIN content_version v ON v.id = f.version_id"
            + " JOIN content_package p ON p.id = v.package_id"
            + " JOIN content_repository r ON r.id = f.repository_id"
            + " JOIN subject_subject s ON s.id = r.owner_id";

    private final Jdbi jdbi;

    public ContentStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    // --- repositories -------------------------------------------------------------------------

    public Optional<Repository> repository(long ownerId, String name) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + REPOSITORY_COLUMNS + REPOSITORY_FROM
                        + " WHERE r.owner_id = :owner AND r.name = :name")
                .bind("owner", ownerId)
                .bind("name", name)
                .map(ContentStore::mapRepository)
                .findOne());
    }

    public Optional<Repository> repositoryById(long id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + REPOSITORY_COLUMNS + REPOSITORY_FROM
                        + " WHERE r.id = :id")
                .bind("id", id)
                .map(ContentStore::mapRepository)
                .findOne());
    }

    public List<Repository> repositoriesOf(long ownerId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + REPOSITORY_COLUMNS + REPOSITORY_FROM
                        + " WHERE r.owner_id = :owner ORDER BY r.name")
                .bind("owner", ownerId)
                .map(ContentStore::mapRepository)
                .list());
    }

    /** Public repositories whose name and description contain the given fragments (null: any). */
    public Views.Page<Repository> searchRepositories(String name, String desc, int offset, int limit) {
        var where = new StringBuilder(" WHERE r.is_private = FALSE");
        if (name != null) {
            where.append(" AND LOWER(r.name) LIKE :name" + Like.ESCAPE);
        }
        if (desc != null) {
            where.append(" AND LOWER(r.description) LIKE :desc" + Like.ESCAPE);
        }
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery("SELECT " + REPOSITORY_COLUMNS + REPOSITORY_FROM + where
                    + " ORDER BY s.name, r.name LIMIT :limit OFFSET :offset");
            var count = handle.createQuery("SELECT COUNT(*)" + REPOSITORY_FROM + where);
            for (var statement : List.of(query, count)) {
                bindContains(statement, "name", name);
                bindContains(statement, "desc", desc);
            }
            var items = query.bind("limit", limit).bind("offset", offset).map(ContentStore::mapRepository).list();
            return new Views.Page<>(items, offset, count.mapTo(Integer.class).one());
        });
    }

    public Repository insertRepository(Repository repository) {
        long id = jdbi.withHandle(handle -> handle.createUpdate("INSERT INTO content_repository (owner_id, name, type,"
                        + " is_private, premium, description, labels, business_unit, gpg_sign_metadata, gpg_sign_files,"
                        + " gpg_use_owner_key, version_update_max_days, default_debian_distribution,"
                        + " default_debian_component, default_debian_architecture, yum_metadata_depth, yum_groups_file,"
                        + " created) VALUES (:owner, :name, :type, :private, :premium, :desc, :labels, :businessUnit,"
                        + " :signMetadata, :signFiles, :ownerKey, :maxDays, :debDist, :debComp, :debArch, :yumDepth,"
                        + " :yumGroups, :created)")
                .bind("owner", repository.owner().id())
                .bind("name", repository.name())
                .bind("created", repository.created().toEpochMilli())
                .bindMap(repositoryFields(repository))
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one());
        return repositoryById(id).orElseThrow();
    }

    public void updateRepository(Repository repository) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE content_repository SET type = :type, is_private = :private,"
                        + " premium = :premium, description = :desc, labels = :labels, business_unit = :businessUnit,"
                        + " gpg_sign_metadata = :signMetadata, gpg_sign_files = :signFiles, gpg_use_owner_key = :ownerKey,"
                        + " version_update_max_days = :maxDays, default_debian_distribution = :debDist,"
                        + " default_debian_component = :debComp, default_debian_architecture = :debArch,"
                        + " yum_metadata_depth = :yumDepth, yum_groups_file = :yumGroups WHERE id = :id")
                .bind("id", repository.id())
                .bindMap(repositoryFields(repository))
                .execute());
    }

    private static java.util.Map<String, Object> repositoryFields(Repository repository) {
        var fields = new java.util.HashMap<String, Object>();
        fields.put("type", repository.type().wire());
        fields.put("private", repository.isPrivate());
        fields.put("premium", repository.premium());
        fields.put("desc", repository.desc());
        fields.put("labels", toJson(repository.labels()));
        fields.put("businessUnit", repository.businessUnit());
        fields.put("signMetadata", repository.gpgSignMetadata());
        fields.put("signFiles", repository.gpgSignFiles());
        fields.put("ownerKey", repository.gpgUseOwnerKey());
        fields.put("maxDays", repository.versionUpdateMaxDays());
        fields.put("debDist", repository.defaultDebianDistribution());
        fields.put("debComp", repository.defaultDebianComponent());
        fields.put("debArch", repository.defaultDebianArchitecture());
        fields.put("yumDepth", repository.yumMetadataDepth());
        fields.put("yumGroups", repository.yumGroupsFile());
        return fields;
    }

    public void deleteRepository(long id) {
        jdbi.useTransaction(handle -> deleteRepository(handle, id));
    }

    public void deleteRepository(Handle handle, long id) {
        // Explicit order: H2 and PostgreSQL both cascade, but deleting leaves first keeps locks short.
        nextFileGeneration(handle, id, true);
        handle.createUpdate("DELETE FROM content_file WHERE repository_id = :id").bind("id", id).execute();
        handle.createUpdate("DELETE FROM content_repository WHERE id = :id").bind("id", id).execute();
    }

    public int packageCount(long repositoryId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM content_package WHERE repository_id = :id")
                .bind("id", repositoryId).mapTo(Integer.class).one());
    }

    // --- packages -----------------------------------------------------------------------------

    public Optional<Pkg> pkg(long repositoryId, String name) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM content_package"
                        + " WHERE repository_id = :repo AND name = :name")
                .bind("repo", repositoryId)
                .bind("name", name)
                .map(ContentStore::mapPkg)
                .findOne());
    }

    public Optional<Pkg> pkgById(long id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM content_package WHERE id = :id")
                .bind("id", id).map(ContentStore::mapPkg).findOne());
    }

    /** Packages of a repository by name, optionally only those starting with {@code prefix}. */
    public List<Pkg> packages(long repositoryId, String prefix, int offset, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM content_package WHERE repository_id = :repo"
                        + (prefix == null ? "" : " AND name LIKE :prefix" + Like.ESCAPE)
                        + " ORDER BY name LIMIT :limit OFFSET :offset")
                .bind("repo", repositoryId)
                .bind("prefix", prefix == null ? null : Like.escape(prefix) + "%")
                .bind("limit", limit)
                .bind("offset", offset)
                .map(ContentStore::mapPkg)
                .list());
    }

    public int countPackages(long repositoryId, String prefix) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM content_package WHERE repository_id = :repo"
                        + (prefix == null ? "" : " AND name LIKE :prefix" + Like.ESCAPE))
                .bind("repo", repositoryId)
                .bind("prefix", prefix == null ? null : Like.escape(prefix) + "%")
                .mapTo(Integer.class)
                .one());
    }

    /** A package found by search, with the repository it is in. */
    public record PackageHit(Repository repository, Pkg pkg) {
    }

    /** Packages in public repositories matching every given criterion (null: any). */
    public Views.Page<PackageHit> searchPackages(String name, String desc, String subject, String repo, int offset,
                                                 int limit) {
        var where = new StringBuilder(" FROM content_package p"
                + " JOIN content_repository r ON r.id = p.repository_id JOIN subject_subject s ON s.id = r.owner_id"
                + " WHERE r.is_private = FALSE");
        if (name != null) {
            where.append(" AND LOWER(p.name) LIKE :name" + Like.ESCAPE);
        }
        if (desc != null) {
            where.append(" AND LOWER(p.description) LIKE :desc" + Like.ESCAPE);
        }
        if (subject != null) {
            where.append(" AND s.name = :subject");
        }
        if (repo != null) {
            where.append(" AND r.name = :repo");
        }
        var result = jdbi.withHandle(handle -> {
            var query = handle.createQuery("SELECT p.id AS package_id, r.id AS repository_id" + where
                    + " ORDER BY s.name, r.name, p.name LIMIT :limit OFFSET :offset");
            var count = handle.createQuery("SELECT COUNT(*)" + where);
            for (var statement : List.of(query, count)) {
                bindContains(statement, "name", name);
                bindContains(statement, "desc", desc);
                statement.bind("subject", subject).bind("repo", repo);
            }
            var ids = query.bind("limit", limit).bind("offset", offset)
                    .map((rs, ctx) -> new long[] {rs.getLong("package_id"), rs.getLong("repository_id")})
                    .list();
            return new Views.Page<>(ids, offset, count.mapTo(Integer.class).one());
        });
        var hits = new ArrayList<PackageHit>(result.items().size());
        for (var pair : result.items()) {
            hits.add(new PackageHit(repositoryById(pair[1]).orElseThrow(), pkgById(pair[0]).orElseThrow()));
        }
        return new Views.Page<>(hits, offset, result.total());
    }

    public Pkg insertPackage(Pkg pkg) {
        long id = jdbi.withHandle(handle -> handle.createUpdate("INSERT INTO content_package (repository_id, name,"
                        + " description, labels, licenses, custom_licenses, vcs_url, website_url, issue_tracker_url,"
                        + " github_repo, github_release_notes_file, public_download_numbers, public_stats, created, updated)"
                        + " VALUES (:repo, :name, :desc, :labels, :licenses, :customLicenses, :vcsUrl, :websiteUrl,"
                        + " :issueTrackerUrl, :githubRepo, :githubReleaseNotesFile, :publicDownloadNumbers, :publicStats,"
                        + " :created, :updated)")
                .bind("repo", pkg.repositoryId())
                .bind("name", pkg.name())
                .bind("created", pkg.created().toEpochMilli())
                .bindMap(packageFields(pkg))
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one());
        return pkgById(id).orElseThrow();
    }

    public void updatePackage(Pkg pkg) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE content_package SET description = :desc, labels = :labels,"
                        + " licenses = :licenses, custom_licenses = :customLicenses, vcs_url = :vcsUrl,"
                        + " website_url = :websiteUrl, issue_tracker_url = :issueTrackerUrl, github_repo = :githubRepo,"
                        + " github_release_notes_file = :githubReleaseNotesFile,"
                        + " public_download_numbers = :publicDownloadNumbers, public_stats = :publicStats,"
                        + " updated = :updated WHERE id = :id")
                .bind("id", pkg.id())
                .bindMap(packageFields(pkg))
                .execute());
    }

    private static java.util.Map<String, Object> packageFields(Pkg pkg) {
        var fields = new java.util.HashMap<String, Object>();
        fields.put("desc", pkg.desc());
        fields.put("labels", toJson(pkg.labels()));
        fields.put("licenses", toJson(pkg.licenses()));
        fields.put("customLicenses", toJson(pkg.customLicenses()));
        fields.put("vcsUrl", pkg.vcsUrl());
        fields.put("websiteUrl", pkg.websiteUrl());
        fields.put("issueTrackerUrl", pkg.issueTrackerUrl());
        fields.put("githubRepo", pkg.githubRepo());
        fields.put("githubReleaseNotesFile", pkg.githubReleaseNotesFile());
        fields.put("publicDownloadNumbers", pkg.publicDownloadNumbers());
        fields.put("publicStats", pkg.publicStats());
        fields.put("updated", pkg.updated().toEpochMilli());
        return fields;
    }

    public void deletePackage(long id) {
        jdbi.useTransaction(handle -> deletePackage(handle, id));
    }

    public void deletePackage(Handle handle, long id) {
        repositoryOfPackage(handle, id).ifPresent(repository -> nextFileGeneration(handle, repository, true));
        handle.createUpdate("DELETE FROM content_file WHERE version_id IN"
                + " (SELECT id FROM content_version WHERE package_id = :id)").bind("id", id).execute();
        handle.createUpdate("DELETE FROM content_version WHERE package_id = :id").bind("id", id).execute();
        handle.createUpdate("DELETE FROM content_package WHERE id = :id").bind("id", id).execute();
    }

    // --- versions -----------------------------------------------------------------------------

    public Optional<Version> version(long packageId, String name) {
        return jdbi.withHandle(handle -> version(handle, packageId, name));
    }

    public Optional<Version> version(Handle handle, long packageId, String name) {
        return handle.createQuery("SELECT * FROM content_version WHERE package_id = :pkg AND name = :name")
                .bind("pkg", packageId)
                .bind("name", name)
                .map(ContentStore::mapVersion)
                .findOne();
    }

    public Optional<Version> versionById(long id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM content_version WHERE id = :id")
                .bind("id", id).map(ContentStore::mapVersion).findOne());
    }

    /** Makes {@code userId} a follower of the package; true if they were not one already. */
    public boolean followPackage(long packageId, long userId, Instant at) {
        try {
            return jdbi.withHandle(handle -> handle.createUpdate("INSERT INTO content_package_follower"
                            + " (package_id, user_id, followed) SELECT :pkg, :user, :at WHERE NOT EXISTS"
                            + " (SELECT 1 FROM content_package_follower WHERE package_id = :pkg AND user_id = :user)")
                    .bind("pkg", packageId).bind("user", userId).bind("at", at.toEpochMilli())
                    .execute()) > 0;
        } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
            // Two follows at once (the primary key let one in), or the package went meanwhile.
            return false;
        }
    }

    /** Ends {@code userId}'s following of the package; true if they were a follower. */
    public boolean unfollowPackage(long packageId, long userId) {
        return jdbi.withHandle(handle -> handle.createUpdate(
                        "DELETE FROM content_package_follower WHERE package_id = :pkg AND user_id = :user")
                .bind("pkg", packageId).bind("user", userId).execute()) > 0;
    }

    public boolean followsPackage(long packageId, long userId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM content_package_follower"
                        + " WHERE package_id = :pkg AND user_id = :user")
                .bind("pkg", packageId).bind("user", userId).mapTo(Integer.class).one()) > 0;
    }

    public int countPackageFollowers(long packageId) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT COUNT(*) FROM content_package_follower WHERE package_id = :pkg")
                .bind("pkg", packageId).mapTo(Integer.class).one());
    }

    /** The packages {@code userId} follows, by subject, repository and package name. */
    public List<Refs.PackageRef> followedPackages(long userId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT s.name AS subject, r.name AS repo, p.name AS pkg"
                        + " FROM content_package_follower f JOIN content_package p ON p.id = f.package_id"
                        + " JOIN content_repository r ON r.id = p.repository_id JOIN subject_subject s ON s.id = r.owner_id"
                        + " WHERE f.user_id = :user ORDER BY s.name, r.name, p.name")
                .bind("user", userId)
                .map((rs, ctx) -> new Refs.PackageRef(rs.getString("subject"), rs.getString("repo"), rs.getString("pkg")))
                .list());
    }

    /** Version names of a package, newest first. */
    public List<String> versionNames(long packageId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT name FROM content_version WHERE package_id = :pkg"
                        + " ORDER BY ordinal DESC")
                .bind("pkg", packageId).mapTo(String.class).list());
    }

    /** The newest version (by creation) with at least one published file. */
    /**
     * The versions published last across all repositories, newest first, as
     * {@code {versionId, packageId, repositoryId}}; callers filter what the reader may see.
     */
    public List<long[]> recentlyPublishedVersions(int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT v.id AS version_id, p.id AS package_id,"
                        + " p.repository_id FROM content_version v JOIN content_package p ON p.id = v.package_id"
                        + " WHERE v.published IS NOT NULL ORDER BY v.published DESC, v.id DESC LIMIT :limit")
                .bind("limit", limit)
                .map((rs, ctx) -> new long[] {rs.getLong("version_id"), rs.getLong("package_id"),
                        rs.getLong("repository_id")})
                .list());
    }

    public Optional<Version> latestPublishedVersion(long packageId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM content_version v WHERE v.package_id = :pkg"
                        + " AND EXISTS (SELECT 1 FROM content_file f WHERE f.version_id = v.id AND f.published IS NOT NULL)"
                        + " ORDER BY v.ordinal DESC LIMIT 1")
                .bind("pkg", packageId).map(ContentStore::mapVersion).findOne());
    }

    public Version insertVersion(Handle handle, Version version) {
        int ordinal = handle.createQuery("SELECT COALESCE(MAX(ordinal), 0) + 1 FROM content_version WHERE package_id = :pkg")
                .bind("pkg", version.packageId()).mapTo(Integer.class).one();
        long id = handle.createUpdate("INSERT INTO content_version (package_id, name, description, ordinal,"
                        + " github_release_notes_file, github_use_tag_release_notes, vcs_tag, created, updated, released)"
                        + " VALUES (:pkg, :name, :desc, :ordinal, :notes, :useTag, :vcsTag, :created, :updated, :released)")
                .bind("pkg", version.packageId())
                .bind("name", version.name())
                .bind("desc", version.desc())
                .bind("ordinal", ordinal)
                .bind("notes", version.githubReleaseNotesFile())
                .bind("useTag", version.githubUseTagReleaseNotes())
                .bind("vcsTag", version.vcsTag())
                .bind("created", version.created().toEpochMilli())
                .bind("updated", version.updated().toEpochMilli())
                .bind("released", millis(version.released()))
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one();
        return handle.createQuery("SELECT * FROM content_version WHERE id = :id").bind("id", id)
                .map(ContentStore::mapVersion).one();
    }

    public void updateVersion(Version version) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE content_version SET description = :desc,"
                        + " github_release_notes_file = :notes, github_use_tag_release_notes = :useTag, vcs_tag = :vcsTag,"
                        + " released = :released, updated = :updated WHERE id = :id")
                .bind("id", version.id())
                .bind("desc", version.desc())
                .bind("notes", version.githubReleaseNotesFile())
                .bind("useTag", version.githubUseTagReleaseNotes())
                .bind("vcsTag", version.vcsTag())
                .bind("released", millis(version.released()))
                .bind("updated", version.updated().toEpochMilli())
                .execute());
    }

    public void deleteVersion(long id) {
        jdbi.useTransaction(handle -> deleteVersion(handle, id));
    }

    public void deleteVersion(Handle handle, long id) {
        repositoryOfVersion(handle, id).ifPresent(repository -> nextFileGeneration(handle, repository, true));
        handle.createUpdate("DELETE FROM content_file WHERE version_id = :id").bind("id", id).execute();
        handle.createUpdate("DELETE FROM content_version WHERE id = :id").bind("id", id).execute();
    }

    /**
     * Every file, published or not, of a repository, package or version (by {@code scope}), in the
     * caller's transaction: what deleting it takes along.
     */
    public List<FileEntry> allFiles(Handle handle, FileScope scope, long id) {
        var where = switch (scope) {
            case REPOSITORY -> "f.repository_id = :id";
            case PACKAGE -> "v.package_id = :id";
            case VERSION -> "f.version_id = :id";
        };
        return handle.createQuery(FILE_SELECT + " WHERE " + where + " ORDER BY f.path").bind("id", id)
                .map(ContentStore::mapFile).list();
    }

    /** What {@link #allFiles} lists the files of. */
    public enum FileScope { REPOSITORY, PACKAGE, VERSION }

    // --- files --------------------------------------------------------------------------------

    public Optional<FileEntry> file(long repositoryId, String path) {
        return jdbi.withHandle(handle -> file(handle, repositoryId, path));
    }

    public Optional<FileEntry> file(Handle handle, long repositoryId, String path) {
        return handle.createQuery(FILE_SELECT + " WHERE f.repository_id = :repo AND f.path = :path")
                .bind("repo", repositoryId)
                .bind("path", path)
                .map(ContentStore::mapFile)
                .findOne();
    }

    public List<FileEntry> filesOfPackage(long packageId, boolean includeUnpublished) {
        return jdbi.withHandle(handle -> handle.createQuery(FILE_SELECT + " WHERE v.package_id = :pkg"
                        + (includeUnpublished ? "" : " AND f.published IS NOT NULL") + " ORDER BY v.ordinal DESC, f.path")
                .bind("pkg", packageId).map(ContentStore::mapFile).list());
    }

    public List<FileEntry> filesOfVersion(long versionId, boolean includeUnpublished) {
        return jdbi.withHandle(handle -> handle.createQuery(FILE_SELECT + " WHERE f.version_id = :version"
                        + (includeUnpublished ? "" : " AND f.published IS NOT NULL") + " ORDER BY f.path")
                .bind("version", versionId).map(ContentStore::mapFile).list());
    }

    /**
     * Published files in public repositories, by name wildcard or SHA-1 (one of them given), newest
     * first.
     */
    public Views.Page<FileEntry> searchFiles(String nameWildcard, String sha1, String subject, String repo,
                                             Instant createdAfter, int offset, int limit) {
        var where = new StringBuilder(" WHERE r.is_private = FALSE AND f.published IS NOT NULL");
        if (nameWildcard != null) {
            where.append(" AND f.name LIKE :name" + Like.ESCAPE);
        }
        if (sha1 != null) {
            where.append(" AND f.sha1 = :sha1");
        }
        if (subject != null) {
            where.append(" AND s.name = :subject");
        }
        if (repo != null) {
            where.append(" AND r.name = :repo");
        }
        if (createdAfter != null) {
            where.append(" AND f.created >= :after");
        }
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery(FILE_SELECT + where + " ORDER BY f.created DESC, f.id DESC"
                    + " LIMIT :limit OFFSET :offset");
            var count = handle.createQuery("SELECT COUNT(*)" + FILE_SELECT.substring(FILE_SELECT.indexOf(" FROM "))
                    + where);
            for (var statement : List.of(query, count)) {
                statement.bind("name", nameWildcard == null ? null : Like.fromWildcard(nameWildcard))
                        .bind("sha1", sha1 == null ? null : sha1.toLowerCase(Locale.ROOT))
                        .bind("subject", subject)
                        .bind("repo", repo)
                        .bind("after", millis(createdAfter));
            }
            var items = query.bind("limit", limit).bind("offset", offset).map(ContentStore::mapFile).list();
            return new Views.Page<>(items, offset, count.mapTo(Integer.class).one());
        });
    }

    /** Inserts a file or replaces the one at the same path (new content, unpublished or published). */
    public void putFile(Handle handle, long repositoryId, long versionId, String path, String name,
                        dev.bindery.storage.StoredBlob blob, Instant published, Instant now) {
        long generation = nextFileGeneration(handle, repositoryId, false);
        int updated = handle.createUpdate("UPDATE content_file SET version_id = :version, name = :name, size = :size,"
                        + " sha1 = :sha1, sha256 = :sha256, md5 = :md5, published = :published, created = :created,"
                        + " changed = :changed WHERE repository_id = :repo AND path = :path")
                .bind("repo", repositoryId).bind("version", versionId).bind("path", path).bind("name", name)
                .bind("size", blob.size()).bind("sha1", blob.sha1()).bind("sha256", blob.sha256()).bind("md5", blob.md5())
                .bind("published", millis(published)).bind("created", now.toEpochMilli())
                .bind("changed", generation)
                .execute();
        if (updated == 0) {
            handle.createUpdate("INSERT INTO content_file (repository_id, version_id, path, name, size, sha1, sha256, md5,"
                            + " published, created, changed) VALUES (:repo, :version, :path, :name, :size, :sha1,"
                            + " :sha256, :md5, :published, :created, :changed)")
                    .bind("repo", repositoryId).bind("version", versionId).bind("path", path).bind("name", name)
                    .bind("size", blob.size()).bind("sha1", blob.sha1()).bind("sha256", blob.sha256()).bind("md5", blob.md5())
                    .bind("published", millis(published)).bind("created", now.toEpochMilli())
                    .bind("changed", generation)
                    .execute();
        }
    }

    /**
     * Counts up the repository's file generation for a transaction about to change its files, and
     * returns it: the rows the transaction writes carry it in {@code changed}. The update holds the
     * repository row's lock to the end of the transaction, so generations commit in order. With
     * {@code removes}, the transaction deletes files, which index rebuilds cannot see in the rows:
     * they list every file again.
     */
    long nextFileGeneration(Handle handle, long repositoryId, boolean removes) {
        handle.createUpdate("UPDATE content_repository SET file_generation = file_generation + 1"
                        + (removes ? ", file_removal = file_generation + 1" : "") + " WHERE id = :id")
                .bind("id", repositoryId).execute();
        return handle.createQuery("SELECT file_generation FROM content_repository WHERE id = :id")
                .bind("id", repositoryId).mapTo(Long.class).findOne().orElse(0L);
    }

    private static Optional<Long> repositoryOfPackage(Handle handle, long packageId) {
        return handle.createQuery("SELECT repository_id FROM content_package WHERE id = :id")
                .bind("id", packageId).mapTo(Long.class).findOne();
    }

    private static Optional<Long> repositoryOfVersion(Handle handle, long versionId) {
        return handle.createQuery("SELECT p.repository_id FROM content_version v JOIN content_package p"
                        + " ON p.id = v.package_id WHERE v.id = :id")
                .bind("id", versionId).mapTo(Long.class).findOne();
    }

    private static Optional<Long> repositoryOfFile(Handle handle, long fileId) {
        return handle.createQuery("SELECT repository_id FROM content_file WHERE id = :id")
                .bind("id", fileId).mapTo(Long.class).findOne();
    }

    /**
     * Keeps what the repository's format read from the file at {@code path}, replacing what it read
     * from earlier content there; null keeps nothing.
     */
    public void putFileMetadata(Handle handle, long repositoryId, String path, String metadata) {
        long fileId = handle.createQuery("SELECT id FROM content_file WHERE repository_id = :repo AND path = :path")
                .bind("repo", repositoryId).bind("path", path).mapTo(Long.class).one();
        handle.createUpdate("DELETE FROM formats_file_metadata WHERE file_id = :id").bind("id", fileId).execute();
        if (metadata != null) {
            handle.createUpdate("INSERT INTO formats_file_metadata (file_id, metadata) VALUES (:id, :metadata)")
                    .bind("id", fileId).bind("metadata", metadata).execute();
        }
    }

    /** Published files of a repository whose path starts with {@code pathPrefix}, by path. */
    public List<FileEntry> publishedFiles(long repositoryId, String pathPrefix) {
        return jdbi.withHandle(handle -> handle.createQuery(FILE_SELECT + " WHERE f.repository_id = :repo"
                        + " AND f.published IS NOT NULL AND f.path LIKE :prefix " + Like.ESCAPE + " ORDER BY f.path")
                .bind("repo", repositoryId).bind("prefix", Like.escape(pathPrefix) + "%")
                .map(ContentStore::mapFile).list());
    }

    /** Marks a version's unpublished files published; returns how many. Sets the version's publish time once. */
    public int publishVersion(Handle handle, long versionId, Instant now) {
        long generation = repositoryOfVersion(handle, versionId)
                .map(repository -> nextFileGeneration(handle, repository, false)).orElse(0L);
        int files = handle.createUpdate("UPDATE content_file SET published = :now, changed = :changed"
                        + " WHERE version_id = :version AND published IS NULL")
                .bind("now", now.toEpochMilli()).bind("changed", generation).bind("version", versionId).execute();
        markVersionPublished(handle, versionId, now);
        return files;
    }

    public void markVersionPublished(Handle handle, long versionId, Instant now) {
        handle.createUpdate("UPDATE content_version SET published = :now WHERE id = :version AND published IS NULL")
                .bind("now", now.toEpochMilli()).bind("version", versionId).execute();
    }

    public int countUnpublished(long versionId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM content_file WHERE version_id = :version"
                        + " AND published IS NULL")
                .bind("version", versionId).mapTo(Integer.class).one());
    }

    /** Removes a version's unpublished files; returns how many. */
    public int discardVersion(Handle handle, long versionId) {
        repositoryOfVersion(handle, versionId).ifPresent(repository -> nextFileGeneration(handle, repository, true));
        return handle.createUpdate("DELETE FROM content_file WHERE version_id = :version AND published IS NULL")
                .bind("version", versionId).execute();
    }

    public void deleteFile(long fileId) {
        jdbi.useTransaction(handle -> deleteFile(handle, fileId));
    }

    public void deleteFile(Handle handle, long fileId) {
        repositoryOfFile(handle, fileId).ifPresent(repository -> nextFileGeneration(handle, repository, true));
        handle.createUpdate("DELETE FROM content_file WHERE id = :id").bind("id", fileId).execute();
    }

    public void setListInDownloads(long fileId, boolean listed) {
        jdbi.useTransaction(handle -> {
            long generation = repositoryOfFile(handle, fileId)
                    .map(repository -> nextFileGeneration(handle, repository, false)).orElse(0L);
            handle.createUpdate("UPDATE content_file SET list_in_downloads = :listed, changed = :changed WHERE id = :id")
                    .bind("listed", listed).bind("changed", generation).bind("id", fileId).execute();
        });
    }

    /** Bytes of all files of repositories owned by {@code ownerId}, counted per stored file. */
    public long bytesOwnedBy(long ownerId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COALESCE(SUM(f.size), 0) FROM content_file f"
                        + " JOIN content_repository r ON r.id = f.repository_id WHERE r.owner_id = :owner")
                .bind("owner", ownerId).mapTo(Long.class).one());
    }

    /** Whether a file, or an index file served at {@code now} (current, or superseded and kept), uses the blob. */
    public boolean isBlobReferenced(String sha256, Instant now) {
        // Index files the formats generated are blobs too (formats_index_file).
        return jdbi.withHandle(handle -> handle.createQuery("SELECT (SELECT COUNT(*) FROM content_file WHERE sha256 = :sha)"
                        + " + (SELECT COUNT(*) FROM formats_index_file WHERE sha256 = :sha"
                        + " AND (expires IS NULL OR expires > :now))")
                .bind("sha", sha256).bind("now", now.toEpochMilli()).mapTo(Integer.class).one() > 0);
    }

    // --- upload leases ------------------------------------------------------------------------

    /** Claims {@code path} for an upload; false if another upload holds it. */
    public boolean tryLease(long repositoryId, String path, Instant now) {
        try {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO content_upload_lease (repository_id, path, started)"
                            + " VALUES (:repo, :path, :now)")
                    .bind("repo", repositoryId).bind("path", path).bind("now", now.toEpochMilli()).execute());
            return true;
        } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException taken) {
            return false;
        }
    }

    public void releaseLease(long repositoryId, String path) {
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM content_upload_lease WHERE repository_id = :repo"
                        + " AND path = :path")
                .bind("repo", repositoryId).bind("path", path).execute());
    }

    public int sweepLeases(Instant startedBefore) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM content_upload_lease WHERE started < :before")
                .bind("before", startedBefore.toEpochMilli()).execute());
    }

    // --- mapping ------------------------------------------------------------------------------

    private static void bindContains(Query query, String name, String fragment) {
        if (fragment != null) {
            query.bind(name, "%" + Like.escape(fragment.toLowerCase(Locale.ROOT)) + "%");
        }
    }

    private static Repository mapRepository(ResultSet rs, StatementContext ctx) throws SQLException {
        var owner = new Subject(rs.getLong("owner_id"), rs.getString("owner_name"),
                "org".equals(rs.getString("owner_kind")) ? Subject.Kind.ORG : Subject.Kind.USER,
                rs.getString("owner_full_name"), null, null, false, Instant.ofEpochMilli(rs.getLong("owner_registered")));
        return new Repository(rs.getLong("id"), owner, rs.getString("name"),
                RepositoryType.fromWire(rs.getString("type")), rs.getBoolean("is_private"), rs.getBoolean("premium"),
                rs.getString("description"), fromJson(rs.getString("labels")), rs.getString("business_unit"),
                rs.getBoolean("gpg_sign_metadata"), rs.getBoolean("gpg_sign_files"), rs.getBoolean("gpg_use_owner_key"),
                integer(rs, "version_update_max_days"), rs.getString("default_debian_distribution"),
                rs.getString("default_debian_component"), rs.getString("default_debian_architecture"),
                integer(rs, "yum_metadata_depth"), rs.getString("yum_groups_file"),
                Instant.ofEpochMilli(rs.getLong("created")));
    }

    private static Pkg mapPkg(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Pkg(rs.getLong("id"), rs.getLong("repository_id"), rs.getString("name"), rs.getString("description"),
                fromJson(rs.getString("labels")), fromJson(rs.getString("licenses")),
                fromJson(rs.getString("custom_licenses")), rs.getString("vcs_url"), rs.getString("website_url"),
                rs.getString("issue_tracker_url"), rs.getString("github_repo"), rs.getString("github_release_notes_file"),
                rs.getBoolean("public_download_numbers"), rs.getBoolean("public_stats"),
                Instant.ofEpochMilli(rs.getLong("created")), Instant.ofEpochMilli(rs.getLong("updated")));
    }

    private static Version mapVersion(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Version(rs.getLong("id"), rs.getLong("package_id"), rs.getString("name"), rs.getString("description"),
                rs.getInt("ordinal"), rs.getString("github_release_notes_file"),
                rs.getBoolean("github_use_tag_release_notes"), rs.getString("vcs_tag"),
                Instant.ofEpochMilli(rs.getLong("created")), Instant.ofEpochMilli(rs.getLong("updated")),
                instant(rs, "released"), instant(rs, "published"));
    }

    private static FileEntry mapFile(ResultSet rs, StatementContext ctx) throws SQLException {
        return new FileEntry(rs.getLong("id"), rs.getLong("repository_id"), rs.getLong("version_id"),
                rs.getString("path"), rs.getString("name"), rs.getLong("size"), rs.getString("sha1"),
                rs.getString("sha256"), rs.getString("md5"), instant(rs, "published"),
                rs.getBoolean("list_in_downloads"), Instant.ofEpochMilli(rs.getLong("created")),
                rs.getString("owner_name"), rs.getString("repository_name"), rs.getString("package_name"),
                rs.getString("version_name"));
    }

    private static Integer integer(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }

    private static Long millis(Instant instant) {
        return instant == null ? null : instant.toEpochMilli();
    }

    private static String toJson(List<String> values) {
        try {
            return JSON.writeValueAsString(values == null ? List.of() : values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> fromJson(String json) {
        try {
            return json == null ? List.of() : List.copyOf(JSON.readValue(json, STRING_LIST));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Corrupt JSON list in database: " + json, e);
        }
    }
}
