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
 */
public record Event(EventType type, Instant time, String subject, String owner, String repo, String pkg,
                    String version, String path, String ipAddress) {

    /** An upload, download or delete of the file at {@code filePath} in {@code owner/repo}. */
    public static Event file(EventType type, Instant time, String subject, String owner, String repo, String pkg,
                             String version, String filePath, String ipAddress) {
        return new Event(type, time, subject, owner, repo, pkg, version, "/" + owner + "/" + repo + "/" + filePath,
                ipAddress);
    }

    /** Files of a version were published. */
    public static Event versionPublished(Instant time, String subject, String owner, String repo, String pkg,
                                         String version) {
        return new Event(EventType.VERSION_PUBLISHED, time, subject, owner, repo, pkg, version, null, null);
    }

    /** A log-in or a failed authentication by {@code subject} (a user name or {@code key@subject}). */
    public static Event login(EventType type, Instant time, String subject, String owner, String ipAddress) {
        return new Event(type, time, subject, owner, null, null, null, null, ipAddress);
    }
}
