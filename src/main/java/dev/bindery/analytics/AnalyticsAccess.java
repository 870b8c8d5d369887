package dev.bindery.analytics;

import dev.bindery.content.ContentService;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.subject.Caller;
import dev.bindery.subject.SubjectService;

/**
 * Who may see a package's downloads: its publishers, and everybody who can see the package when it
 * has {@code public_stats} (statistics only; log files name people's addresses and stay private).
 */
final class AnalyticsAccess {

    private final ContentService content;
    private final SubjectService subjects;

    AnalyticsAccess(ContentService content, SubjectService subjects) {
        this.content = content;
        this.subjects = subjects;
    }

    /** The live feed of a package or repository is its publishers'; a whole subject's, its admins'. */
    void requireFeed(Caller caller, LiveFeed.Filter filter) {
        if (filter.pkg() != null) {
            requireLogs(caller, new PackageRef(filter.subject(), filter.repo(), filter.pkg()));
        } else if (filter.repo() != null) {
            content.publishable(caller, new RepoRef(filter.subject(), filter.repo()),
                    "watch the downloads of '" + filter.subject() + "/" + filter.repo() + "'");
        } else if (!caller.administers(subjects.subject(filter.subject()))) {
            refuse(caller, "watch the downloads of '" + filter.subject() + "'");
        }
    }

    void requireStats(Caller caller, PackageRef ref) {
        var view = content.pkg(caller, ref);
        if (!view.publisher() && !view.pkg().publicStats()) {
            refuse(caller, "see the statistics of '" + ref + "'");
        }
    }

    void requireLogs(Caller caller, PackageRef ref) {
        if (!content.pkg(caller, ref).publisher()) {
            refuse(caller, "read the download logs of '" + ref + "'");
        }
    }

    private static void refuse(Caller caller, String action) {
        throw caller.refusal("User '" + caller.name() + "' may not " + action);
    }
}
