package dev.bindery.events;

import java.time.Instant;

/**
 * One domain event as the firehose describes it (Bintray's Stream API: {@code type}, {@code time},
 * {@code subject}, {@code path}, {@code ip_address}), plus what consumers filter on: the subject that
 * owns the resource, and its repository, package and version. Fields that do not apply are null.
 *
 * @param time      when it happened
 * @param subject   who acted: a user name, {@code key@subject} for an access key, {@code anonymous}
 *                  (with {@code :callback_id} for signed URLs); null if unknown (a wrong bearer token)
 * @param owner     the subject owning the resource (for a login, the subject logging in), for per-subject streams
 * @param path      {@code /owner/repo/file/path} of a file event, else null
 * @param ipAddress the client's address, when the change knows it (logins, downloads)
 * @param threshold which usage threshold was exceeded, for {@code threshold_exceeded}; else null
 */
public record Event(EventType type, Instant time, String subject, String owner, String repo, String pkg,
                    String version, String path, String ipAddress, ThresholdExceeded threshold) {

    /**
     * A usage threshold an organization's usage went past.
     *
     * @param scope        {@code organization}, {@code repo} or {@code business_unit}
     * @param target       the repository or business unit; null for the organization
     * @param kind         {@code monthly_storage_bytes}, {@code monthly_download_bytes} or {@code daily_download_bytes}
     * @param limitBytes   the threshold
     * @param usageBytes   the usage when it was noticed
     * @param periodStart  the day or month the alert is for (UTC)
     */
    public record ThresholdExceeded(String scope, String target, String kind, long limitBytes, long usageBytes,
                                    Instant periodStart) {
    }

    public Event(EventType type, Instant time, String subject, String owner, String repo, String pkg,
                 String version, String path, String ipAddress) {
        this(type, time, subject, owner, repo, pkg, version, path, ipAddress, null);
    }

    /** An upload, download or delete of the file at {@code filePath} in {@code owner/repo}. */
    public static Event file(EventType type, Instant time, String subject, String owner, String repo, String pkg,
                             String version, String filePath, String ipAddress) {
        return new Event(type, time, subject, owner, repo, pkg, version, path(owner, repo, filePath), ipAddress);
    }

    /** The {@link #path} of a file event: {@code /owner/repo/file/path}. */
    static String path(String owner, String repo, String filePath) {
        return "/" + owner + "/" + repo + "/" + filePath;
    }

    /** Files of a version were published. */
    public static Event versionPublished(Instant time, String subject, String owner, String repo, String pkg,
                                         String version) {
        return new Event(EventType.VERSION_PUBLISHED, time, subject, owner, repo, pkg, version, null, null);
    }

    /** {@code owner}'s usage went past a threshold; {@code repo} is set for a repository's threshold. */
    public static Event thresholdExceeded(Instant time, String owner, String repo, ThresholdExceeded threshold) {
        return new Event(EventType.THRESHOLD_EXCEEDED, time, owner, owner, repo, null, null, null, null, threshold);
    }

    /** A log-in or a failed authentication by {@code subject} (a user name or {@code key@subject}). */
    public static Event login(EventType type, Instant time, String subject, String owner, String ipAddress) {
        return new Event(type, time, subject, owner, null, null, null, null, ipAddress);
    }
}
