package dev.bindery.ui;

import dev.bindery.content.FileEntry;
import dev.bindery.content.Pkg;
import dev.bindery.content.Repository;
import java.util.Locale;

/**
 * The paths of the UI's pages and of downloads, in one place. Templates call these rather than
 * concatenating paths. Names are restricted to URL-safe characters by {@code dev.bindery.Names}.
 */
public final class Links {

    private Links() {
    }

    public static String subject(String subject) {
        return "/" + subject;
    }

    public static String repository(Repository repository) {
        return repository(repository.owner().name(), repository.name());
    }

    public static String repository(String subject, String repo) {
        return "/" + subject + "/" + repo;
    }

    public static String pkg(Repository repository, String pkg) {
        return repository(repository) + "/" + pkg;
    }

    public static String pkg(dev.bindery.content.Refs.PackageRef ref) {
        return repository(ref.subject(), ref.repo()) + "/" + ref.pkg();
    }

    public static String version(Repository repository, Pkg pkg, String version) {
        return pkg(repository, pkg.name()) + "/" + version;
    }

    public static String version(String subject, String repo, String pkg, String version) {
        return "/" + subject + "/" + repo + "/" + pkg + "/" + version;
    }

    /** Where a published file downloads from (the download endpoint, not a page). */
    public static String download(FileEntry file) {
        return "/dl/" + file.owner() + "/" + file.repository() + "/" + file.path();
    }

    /**
     * {@code url} if it is an http or https URL, else null, which jte renders as no {@code href}
     * at all: a package's links are the publisher's text and must not run script when clicked.
     */
    public static String webUrl(String url) {
        if (url == null) {
            return null;
        }
        var lower = url.strip().toLowerCase(Locale.ROOT);
        return lower.startsWith("https://") || lower.startsWith("http://") ? url.strip() : null;
    }

    /** A day as {@code yyyy-MM-dd} (UTC), or empty for null. */
    public static String date(java.time.Instant instant) {
        return instant == null ? "" : java.time.format.DateTimeFormatter.ISO_LOCAL_DATE
                .format(instant.atZone(java.time.ZoneOffset.UTC));
    }

    /** Bytes as a person reads them: 1023 B, 1.5 KB, 12.0 MB. */
    public static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
