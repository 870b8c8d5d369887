package dev.bindery.ui;

import dev.bindery.content.FileEntry;
import dev.bindery.content.Pkg;
import dev.bindery.content.Repository;
import dev.bindery.content.Views.PackageView;
import dev.bindery.content.Views.PublishedVersion;
import dev.bindery.content.Views.RepositoryView;
import dev.bindery.content.Views.VersionView;
import dev.bindery.subject.Member;
import dev.bindery.subject.Subject;
import java.util.List;

/** What each page template renders (its {@code page} parameter): one record per page, read-only. */
public final class Pages {

    private Pages() {
    }

    /**
     * @param repositories null when the caller may not search repositories (anonymous, as the API)
     */
    public record Home(String query, List<Repository> repositories, List<PackageView> packages,
                       List<FileEntry> files, List<PublishedVersion> recent) {

        public boolean searched() {
            return !query.isBlank();
        }
    }

    /**
     * @param members   null when the caller may not see them (anonymous, as the API)
     * @param followers how many users follow the subject
     * @param following whether the caller follows it
     */
    public record SubjectPage(Subject subject, List<Repository> repositories, List<Member> members, int followers,
                              boolean following) {
    }

    /** @param totalPackages may exceed {@code packages.size()} (one page is shown) */
    public record RepositoryPage(RepositoryView view, List<Pkg> packages, int totalPackages,
                                 List<SetMeUp.Snippet> setup) {

        public Repository repository() {
            return view.repository();
        }
    }

    /**
     * @param downloads    all-time downloads, or null when the caller may not see them
     * @param readme       the package's readme, or null
     * @param releaseNotes the package's release notes, or null
     * @param following    whether the caller follows the package
     */
    public record PackagePage(PackageView view, Long downloads, TextView readme, TextView releaseNotes,
                              boolean following) {

        public Pkg pkg() {
            return view.pkg();
        }

        public Repository repository() {
            return view.repository();
        }
    }

    /**
     * @param files        published files, those in the download list first
     * @param releaseNotes the version's release notes, else the package's, or null
     */
    public record VersionPage(VersionView view, List<FileEntry> files, TextView releaseNotes) {

        public Repository repository() {
            return view.repository();
        }
    }

    public record ErrorPage(int status, String message) {
    }
}
