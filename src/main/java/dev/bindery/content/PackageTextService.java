package dev.bindery.content;

import dev.bindery.BinderyException;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.content.Refs.VersionRef;
import dev.bindery.subject.Caller;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * Bintray's Readme and Release Notes: a package's readme and release notes and a version's release
 * notes, each written in Bintray or kept on GitHub (Bindery cannot fetch from GitHub: it keeps the
 * reference, and the web UI links to it). Reading needs read access to the package, writing publish
 * rights on its repository. Thread-safe.
 */
public final class PackageTextService {

    /** A package's texts. */
    public enum Kind {
        README, RELEASE_NOTES
    }

    private static final int MAX_CONTENT = 256 * 1024;
    private static final Pattern GITHUB_REPO = Pattern.compile("[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}");

    private static final String TEXT_COLUMNS = "syntax, content, github_repo, github_file";

    private final Jdbi jdbi;
    private final ContentService content;
    private final Clock clock;

    public PackageTextService(Jdbi jdbi, ContentService content, Clock clock) {
        this.jdbi = jdbi;
        this.content = content;
        this.clock = clock;
    }

    /** The body of Create Readme and Create Release Notes: one of the two forms. */
    public record TextRequest(Bintray bintray, Github github) {
    }

    public record Bintray(String syntax, String content) {
    }

    public record Github(String githubRepo, String githubReleaseNotesFile) {
    }

    // --- reading ---------------------------------------------------------------------------------

    /** A package's readme or release notes; 404 when it has none. */
    public PackageText get(Caller caller, PackageRef ref, Kind kind) {
        return find(caller, ref, kind).orElseThrow(() -> BinderyException.notFound(
                "Package '" + ref + "' has no " + name(kind)));
    }

    /** A package's readme or release notes, if it has one (for the web UI). */
    public Optional<PackageText> find(Caller caller, PackageRef ref, Kind kind) {
        var pkg = content.pkg(caller, ref).pkg();
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + TEXT_COLUMNS
                        + " FROM content_package_text WHERE package_id = :id AND kind = :kind")
                .bind("id", pkg.id()).bind("kind", kind.name().toLowerCase(java.util.Locale.ROOT))
                .map(PackageTextService::text).findOne());
    }

    /** A version's release notes; 404 when it has none. */
    public PackageText getVersionNotes(Caller caller, VersionRef ref) {
        return findVersionNotes(caller, ref).orElseThrow(() -> BinderyException.notFound(
                "Version '" + ref + "' has no release notes"));
    }

    /** A version's release notes, if it has some (for the web UI). */
    public Optional<PackageText> findVersionNotes(Caller caller, VersionRef ref) {
        var version = content.version(caller, ref).version();
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + TEXT_COLUMNS
                        + " FROM content_version_text WHERE version_id = :id")
                .bind("id", version.id()).map(PackageTextService::text).findOne());
    }

    // --- writing ---------------------------------------------------------------------------------

    /** Create Readme / Create Package's Release Notes: replaces what the package had. */
    public PackageText set(Caller caller, PackageRef ref, Kind kind, TextRequest request) {
        return setAll(caller, List.of(ref), kind, request);
    }

    /**
     * Create Product Readme: the same text for each of the packages, all or none. The caller needs
     * publish rights on every one of them, checked before anything is written.
     */
    public PackageText setAll(Caller caller, List<PackageRef> refs, Kind kind, TextRequest request) {
        var packages = refs.stream().map(ref -> publishablePackage(caller, ref)).toList();
        var text = validate(request, kind == Kind.RELEASE_NOTES);
        var kindName = kind.name().toLowerCase(java.util.Locale.ROOT);
        jdbi.useTransaction(handle -> {
            for (var pkg : packages) {
                handle.createUpdate("DELETE FROM content_package_text WHERE package_id = :id AND kind = :kind")
                        .bind("id", pkg.id()).bind("kind", kindName).execute();
                handle.createUpdate("INSERT INTO content_package_text (package_id, kind, syntax, content, github_repo,"
                                + " github_file, updated) VALUES (:id, :kind, :syntax, :content, :repo, :file, :now)")
                        .bind("id", pkg.id()).bind("kind", kindName).bind("syntax", text.syntax())
                        .bind("content", text.content()).bind("repo", text.githubRepo())
                        .bind("file", text.githubFile()).bind("now", clock.millis()).execute();
            }
        });
        return text;
    }

    /** Delete Package's Release Notes (and a readme, which Bintray deleted with its package). */
    public void delete(Caller caller, PackageRef ref, Kind kind) {
        var pkg = publishablePackage(caller, ref);
        int deleted = jdbi.withHandle(handle -> handle.createUpdate(
                        "DELETE FROM content_package_text WHERE package_id = :id AND kind = :kind")
                .bind("id", pkg.id()).bind("kind", kind.name().toLowerCase(java.util.Locale.ROOT)).execute());
        if (deleted == 0) {
            throw BinderyException.notFound("Package '" + ref + "' has no " + name(kind));
        }
    }

    /**
     * Delete Product Readme: removes the readme of each of the packages that has one, all or none;
     * publish rights on every package are checked first.
     */
    public void deleteAll(Caller caller, List<PackageRef> refs, Kind kind) {
        var packages = refs.stream().map(ref -> publishablePackage(caller, ref)).toList();
        var kindName = kind.name().toLowerCase(java.util.Locale.ROOT);
        jdbi.useTransaction(handle -> {
            for (var pkg : packages) {
                handle.createUpdate("DELETE FROM content_package_text WHERE package_id = :id AND kind = :kind")
                        .bind("id", pkg.id()).bind("kind", kindName).execute();
            }
        });
    }

    /** Create Version's Release Notes: replaces what the version had. */
    public PackageText setVersionNotes(Caller caller, VersionRef ref, TextRequest request) {
        var view = content.version(caller, ref);
        requirePublisher(caller, view.publisher(), ref.toString());
        var text = validate(request, true);
        jdbi.useTransaction(handle -> {
            handle.createUpdate("DELETE FROM content_version_text WHERE version_id = :id")
                    .bind("id", view.version().id()).execute();
            handle.createUpdate("INSERT INTO content_version_text (version_id, syntax, content, github_repo,"
                            + " github_file, updated) VALUES (:id, :syntax, :content, :repo, :file, :now)")
                    .bind("id", view.version().id()).bind("syntax", text.syntax()).bind("content", text.content())
                    .bind("repo", text.githubRepo()).bind("file", text.githubFile()).bind("now", clock.millis())
                    .execute();
        });
        return text;
    }

    private Pkg publishablePackage(Caller caller, PackageRef ref) {
        var view = content.pkg(caller, ref);
        requirePublisher(caller, view.publisher(), ref.toString());
        return view.pkg();
    }

    private static void requirePublisher(Caller caller, boolean publisher, String what) {
        if (!publisher) {
            throw caller.refusal("User '" + caller.name() + "' may not change the texts of '" + what + "'");
        }
    }

    private static PackageText validate(TextRequest request, boolean releaseNotes) {
        if ((request.bintray() == null) == (request.github() == null)) {
            throw BinderyException.badRequest("Give exactly one of 'bintray' (syntax and content) and 'github'");
        }
        if (request.bintray() != null) {
            var syntax = PackageText.syntax(request.bintray().syntax());
            if (syntax == null) {
                throw BinderyException.badRequest("Field 'syntax' must be one of markdown, asciidoc, plain_text");
            }
            var text = request.bintray().content();
            if (text == null) {
                throw BinderyException.badRequest("Field 'content' is required");
            }
            if (text.length() > MAX_CONTENT) {
                throw BinderyException.badRequest("Field 'content' is longer than " + MAX_CONTENT + " characters");
            }
            return new PackageText(syntax, text, null, null);
        }
        var repo = request.github().githubRepo();
        if (repo == null || !GITHUB_REPO.matcher(repo).matches()) {
            throw BinderyException.badRequest("Field 'github_repo' must name a GitHub repository as owner/name");
        }
        var file = releaseNotes ? request.github().githubReleaseNotesFile() : null;
        if (file != null && (file.isBlank() || file.length() > 500 || file.contains("..") || file.startsWith("/"))) {
            throw BinderyException.badRequest("Field 'github_release_notes_file' must be a path in the repository");
        }
        return new PackageText(null, null, repo, file);
    }

    private static PackageText text(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new PackageText(rs.getString("syntax"), rs.getString("content"), rs.getString("github_repo"),
                rs.getString("github_file"));
    }

    private static String name(Kind kind) {
        return kind == Kind.README ? "readme" : "release notes";
    }
}
