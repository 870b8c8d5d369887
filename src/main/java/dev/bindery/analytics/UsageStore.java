package dev.bindery.analytics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * SQL of the usage reports: downloaded bytes from the {@code analytics_version} rollup, stored bytes
 * live from {@code content_file} and as daily snapshots in {@code analytics_storage}. Bytes are whole
 * bytes; days and buckets are epoch millis UTC. Holds no rules. Thread-safe.
 */
public final class UsageStore {

    /** What one package stores: the sum of its files' sizes and their number. */
    public record PackageStorage(String repo, String pkg, long bytes, long files) {
    }

    private static final String LIVE_STORAGE = "SELECT s.name AS subject, r.name AS repo, p.name AS package,"
            + " SUM(f.size) AS bytes, COUNT(*) AS files"
            + " FROM content_file f"
            + " JOIN content_version v ON v.id = f.version_id"
            + " JOIN content_package p ON p.id = v.package_id"
            + " JOIN content_repository r ON r.id = p.repository_id"
            + " JOIN subject_subject s ON s.id = r.owner_id";
    private static final String LIVE_GROUP = " GROUP BY s.name, r.name, p.name";

    private final Jdbi jdbi;

    public UsageStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Bytes downloaded per repository of {@code subject} from buckets of {@code res} starting in {@code [from, to)}. */
    Map<String, Long> downloadedBytes(String subject, char res, long from, long to) {
        return jdbi.withHandle(handle -> {
            var bytes = new HashMap<String, Long>();
            handle.createQuery("SELECT repo, SUM(bytes) AS total FROM analytics_version WHERE subject = :subject"
                            + " AND res = :res AND bucket >= :from AND bucket < :to GROUP BY repo")
                    .bind("subject", subject).bind("res", String.valueOf(res)).bind("from", from).bind("to", to)
                    .map((rs, ctx) -> Map.entry(rs.getString("repo"), rs.getLong("total")))
                    .forEach(entry -> bytes.put(entry.getKey(), entry.getValue()));
            return bytes;
        });
    }

    /** Bytes downloaded per repository of {@code subject} on the UTC day starting at {@code dayStart}. */
    public Map<String, Long> dayDownloads(String subject, long dayStart) {
        return downloadedBytes(subject, Buckets.DAYS, dayStart, dayStart + 1);
    }

    /** Bytes downloaded per repository of {@code subject} in the UTC month starting at {@code monthStart}. */
    public Map<String, Long> monthDownloads(String subject, long monthStart) {
        return downloadedBytes(subject, Buckets.MONTHS, monthStart, monthStart + 1);
    }

    /** What each repository of {@code subject} stores now, in bytes. */
    public Map<String, Long> storedBytes(String subject) {
        var bytes = new HashMap<String, Long>();
        liveStorage(subject).forEach(row -> bytes.merge(row.repo(), row.bytes(), Long::sum));
        return bytes;
    }

    /** What every package of {@code subject} stores now. */
    List<PackageStorage> liveStorage(String subject) {
        return jdbi.withHandle(handle -> handle.createQuery(LIVE_STORAGE + " WHERE s.name = :subject" + LIVE_GROUP)
                .bind("subject", subject)
                .map((rs, ctx) -> new PackageStorage(rs.getString("repo"), rs.getString("package"),
                        rs.getLong("bytes"), rs.getLong("files")))
                .list());
    }

    /** Every package of a repository, with or without files, by name. */
    List<PackageStorage> repositoryStorage(long repositoryId, String repoName) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT p.name AS package,"
                        + " COALESCE(SUM(f.size), 0) AS bytes, COUNT(f.id) AS files"
                        + " FROM content_package p"
                        + " LEFT JOIN content_version v ON v.package_id = p.id"
                        + " LEFT JOIN content_file f ON f.version_id = v.id"
                        + " WHERE p.repository_id = :repository GROUP BY p.name ORDER BY p.name")
                .bind("repository", repositoryId)
                .map((rs, ctx) -> new PackageStorage(repoName, rs.getString("package"), rs.getLong("bytes"),
                        rs.getLong("files")))
                .list());
    }

    /** The last day in {@code [from, to)} a storage snapshot was taken on. */
    Optional<Long> lastSnapshotDay(long from, long to) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT MAX(snapshot_day) FROM analytics_storage_day"
                        + " WHERE snapshot_day >= :from AND snapshot_day < :to")
                .bind("from", from).bind("to", to).mapTo(Long.class).findOne());
    }

    /** What every package of {@code subject} stored in the snapshot of {@code day}. */
    List<PackageStorage> snapshotStorage(String subject, long day) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT repo, package, bytes, files FROM analytics_storage"
                        + " WHERE subject = :subject AND snapshot_day = :day")
                .bind("subject", subject).bind("day", day)
                .map((rs, ctx) -> new PackageStorage(rs.getString("repo"), rs.getString("package"),
                        rs.getLong("bytes"), rs.getLong("files")))
                .list());
    }

    /** Replaces the snapshot of {@code day} with what every package stores now, in one transaction. */
    int snapshot(long day, long taken) {
        return jdbi.inTransaction(handle -> {
            handle.createUpdate("DELETE FROM analytics_storage WHERE snapshot_day = :day").bind("day", day).execute();
            handle.createUpdate("DELETE FROM analytics_storage_day WHERE snapshot_day = :day").bind("day", day)
                    .execute();
            int rows = handle.createUpdate("INSERT INTO analytics_storage"
                            + " (snapshot_day, subject, repo, package, bytes, files) SELECT CAST(:day AS BIGINT), subject, repo, package, bytes, files FROM ("
                            + LIVE_STORAGE + LIVE_GROUP + ") live")
                    .bind("day", day).execute();
            handle.createUpdate("INSERT INTO analytics_storage_day (snapshot_day, taken) VALUES (:day, :taken)")
                    .bind("day", day).bind("taken", taken).execute();
            return rows;
        });
    }
}
