package dev.bindery.content;

import dev.bindery.BinderyException;
import dev.bindery.Names;
import dev.bindery.Times;
import dev.bindery.access.AccessService;
import dev.bindery.access.Permission;
import dev.bindery.access.Resource;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.content.Refs.VersionRef;
import dev.bindery.content.Requests.CreatePackageRequest;
import dev.bindery.content.Requests.CreateRepositoryRequest;
import dev.bindery.content.Requests.CreateVersionRequest;
import dev.bindery.content.Requests.UpdatePackageRequest;
import dev.bindery.content.Requests.UpdateRepositoryRequest;
import dev.bindery.content.Requests.UpdateVersionRequest;
import dev.bindery.content.Views.Page;
import dev.bindery.content.Views.PackageView;
import dev.bindery.content.Views.RepositoryView;
import dev.bindery.content.Views.VersionView;
import dev.bindery.events.Event;
import dev.bindery.events.EventService;
import dev.bindery.events.EventType;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repositories, packages, versions and files: every rule of the content API. Reads check that the
 * caller may see the thing (hidden private content answers 404 as if absent); writes check publish
 * or admin permission and Bintray's time windows:
 *
 * <ul>
 *   <li>in public (OSS) repositories, a published version takes new files, overrides and deletes
 *       for 180 days after its first publish;</li>
 *   <li>a repository's {@code version_update_max_days} limits the same for callers who are not
 *       repository admins.</li>
 * </ul>
 *
 * Listeners hear about published and deleted content after commit; publishing runs them on a
 * background executor and {@code publish_wait_for_secs} waits for them. Thread-safe.
 */
public final class ContentService {

    static final Duration OSS_WINDOW = Duration.ofDays(180);
    public static final int PAGE_SIZE = 50;
    private static final Logger LOG = LoggerFactory.getLogger(ContentService.class);

    private final ContentStore store;
    private final SubjectService subjects;
    private final AccessService access;
    private final Clock clock;
    private final Duration maxPublishWait;
    private final ExecutorService background;
    private final List<ContentListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger listenerTasks = new AtomicInteger();
    private final Predicate<Subject> hasSigningKey;
    private volatile EventService events;

    /** @param hasSigningKey whether a subject holds a GPG key pair, which {@code gpg_use_owner_key} needs */
    public ContentService(ContentStore store, SubjectService subjects, AccessService access, Clock clock,
                          Duration maxPublishWait, ExecutorService background,
                          Predicate<Subject> hasSigningKey) {
        this.hasSigningKey = hasSigningKey;
        this.store = store;
        this.subjects = subjects;
        this.access = access;
        this.clock = clock;
        this.maxPublishWait = maxPublishWait;
        this.background = background;
    }

    /** Where uploads, deletes and publishes append their events, in their transactions. Set while wiring. */
    public void events(EventService outbox) {
        this.events = outbox;
    }

    /** Appends events to the outbox in the change's transaction, as its last statement (see {@link EventService#append}). */
    void appendEvents(Handle handle, List<Event> changes) {
        var outbox = events;
        if (outbox != null) {
            outbox.append(handle, changes);
        }
    }

    /** Runs {@code delete} with one {@code delete} event per file it takes along, in one transaction. */
    private void deleteWithEvents(Caller caller, ContentStore.FileScope scope, long id,
                                  Consumer<Handle> delete) {
        var now = clock.instant();
        store.jdbi().useTransaction(handle -> {
            var files = store.allFiles(handle, scope, id);
            delete.accept(handle);
            appendEvents(handle, files.stream().map(file -> Event.file(EventType.DELETE, now, caller.name(),
                    file.owner(), file.repository(), file.pkg(), file.version(), file.path(), caller.address()))
                    .toList());
        });
    }

    public void addListener(ContentListener listener) {
        listeners.add(listener);
    }

    /** Runs {@code listener} synchronously after every committed change, e.g. to drop caches. */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    void changed() {
        changeListeners.forEach(Runnable::run);
    }

    /** A repository with the caller's permission on it. */
    public record Access(Repository repository, Permission permission) {
    }

    // --- repositories -------------------------------------------------------------------------

    /** Resolves a repository the caller may read; anything hidden answers as missing. */
    public Access readable(Caller caller, RepoRef ref) {
        var repository = findRepository(ref)
                .orElseThrow(() -> BinderyException.notFound(repositoryNotFound(ref)));
        var permission = permissionOn(caller, repository);
        access.requireRead(caller, permission, repositoryNotFound(ref));
        return new Access(repository, permission);
    }

    public Access publishable(Caller caller, RepoRef ref, String action) {
        var resolved = readableOrUnauthorized(caller, ref);
        access.requirePublish(caller, resolved.permission(), repositoryNotFound(ref), action);
        return resolved;
    }

    /**
     * Like {@link #publishable}, for one file (or with a null {@code path}, one version): an access key
     * whose entitlement ({@code rw}) covers just the file's package, version or path may write there
     * though it may not write the whole repository. Everyone else gets {@link #publishable}'s answer.
     */
    public Access publishableFile(Caller caller, RepoRef ref, String pkg, String version, FilePath path,
                                  String action) {
        if (caller.accessKey().isPresent()) {
            var repository = findRepository(ref).orElse(null);
            if (repository != null && !permissionOn(caller, repository).atLeast(Permission.PUBLISH)
                    && access.permission(caller, resource(repository).file(pkg, version,
                            path == null ? null : path.value())).atLeast(Permission.PUBLISH)) {
                return new Access(repository, Permission.PUBLISH);
            }
        }
        return publishable(caller, ref, action);
    }

    private Access administrable(Caller caller, RepoRef ref, String action) {
        var resolved = readableOrUnauthorized(caller, ref);
        access.requireAdmin(caller, resolved.permission(), repositoryNotFound(ref), action);
        return resolved;
    }

    /** Like {@link #readable}, but an anonymous caller gets 401 rather than a hidden 404, since a write needs credentials anyway. */
    private Access readableOrUnauthorized(Caller caller, RepoRef ref) {
        if (caller.isAnonymous()) {
            access.requireAuthenticated(caller);
        }
        return readable(caller, ref);
    }

    private Optional<Repository> findRepository(RepoRef ref) {
        return subjects.findSubject(ref.subject()).flatMap(owner -> store.repository(owner.id(), ref.repo()));
    }

    /** The caller's permission on the repository as a whole. */
    public Permission permissionOn(Caller caller, Repository repository) {
        return access.permission(caller, resource(repository));
    }

    /** The repository as what access decisions are about. */
    public static Resource resource(Repository repository) {
        return Resource.repository(repository.id(), repository.owner(), repository.name(), repository.isPrivate());
    }

    private static String repositoryNotFound(RepoRef ref) {
        return "Repository '" + ref + "' was not found";
    }

    /** The repositories of {@code subjectName} the caller may see. */
    public List<Repository> repositories(Caller caller, String subjectName) {
        var owner = subjects.subject(subjectName);
        return store.repositoriesOf(owner.id()).stream()
                .filter(repository -> permissionOn(caller, repository).atLeast(Permission.READ))
                .toList();
    }

    public RepositoryView repository(Caller caller, RepoRef ref) {
        var repository = readable(caller, ref).repository();
        return new RepositoryView(repository, store.packageCount(repository.id()));
    }

    public RepositoryView createRepository(Caller caller, RepoRef ref, CreateRepositoryRequest request) {
        var owner = subjects.subject(ref.subject());
        access.requireRepositoryCreation(caller, owner, "create repositories for '" + owner.name() + "'");
        Names.repository(ref.repo());
        if (request.name() != null && !request.name().equals(ref.repo())) {
            throw BinderyException.badRequest("Repository name '" + request.name()
                    + "' in the body does not match '" + ref.repo() + "' in the path");
        }
        var type = RepositoryType.fromWire(request.type());
        boolean signMetadata = bool(request.gpgSignMetadata());
        boolean signFiles = bool(request.gpgSignFiles());
        boolean ownerKey = bool(request.gpgUseOwnerKey());
        checkSigningFlags(owner, signMetadata, signFiles, ownerKey);
        checkMaxDays(request.versionUpdateMaxDays());
        if (request.yumMetadataDepth() != null && (request.yumMetadataDepth() < 0 || request.yumMetadataDepth() > 32)) {
            throw BinderyException.badRequest("Field 'yum_metadata_depth' must be between 0 and 32");
        }
        boolean debian = type == RepositoryType.DEBIAN;
        boolean rpm = type == RepositoryType.RPM;
        var repository = new Repository(0, owner, ref.repo(), type, bool(request.isPrivate()), bool(request.premium()),
                request.desc(), labels(request.labels()),
                request.businessUnit() != null ? request.businessUnit() : access.defaultBusinessUnit(caller, owner),
                signMetadata, signFiles, ownerKey,
                request.versionUpdateMaxDays(),
                debian ? request.defaultDebianDistribution() : null,
                debian && request.defaultDebianDistribution() != null
                        ? Objects.requireNonNullElse(request.defaultDebianComponent(), "main") : null,
                debian ? request.defaultDebianArchitecture() : null,
                rpm ? Objects.requireNonNullElse(request.yumMetadataDepth(), 0) : null,
                rpm ? request.yumGroupsFile() : null,
                clock.instant());
        Repository created;
        try {
            created = store.insertRepository(repository);
        } catch (UnableToExecuteStatementException e) {
            throw BinderyException.conflict("Repository '" + ref + "' already exists");
        }
        changed();
        notifyRepositoryChanged(created);
        return new RepositoryView(created, 0);
    }

    public RepositoryView updateRepository(Caller caller, RepoRef ref, UpdateRepositoryRequest request) {
        // Members of a team allowed to create the owner's repositories may update them too.
        var current = subjects.findSubject(ref.subject())
                .filter(owner -> !caller.isAnonymous() && !caller.administers(owner)
                        && access.mayCreateRepositories(caller, owner))
                .map(owner -> findRepository(ref).orElseThrow(() -> BinderyException.notFound(repositoryNotFound(ref))))
                .orElseGet(() -> administrable(caller, ref, "update repository '" + ref + "'").repository());
        boolean signMetadata = or(request.gpgSignMetadata(), current.gpgSignMetadata());
        boolean signFiles = or(request.gpgSignFiles(), current.gpgSignFiles());
        boolean ownerKey = or(request.gpgUseOwnerKey(), current.gpgUseOwnerKey());
        checkSigningFlags(current.owner(), signMetadata, signFiles, ownerKey);
        checkMaxDays(request.versionUpdateMaxDays());
        var updated = new Repository(current.id(), current.owner(), current.name(), current.type(), current.isPrivate(),
                current.premium(), or(request.desc(), current.desc()),
                request.labels() == null ? current.labels() : labels(request.labels()),
                or(request.businessUnit(), current.businessUnit()), signMetadata, signFiles, ownerKey,
                request.versionUpdateMaxDays() == null ? current.versionUpdateMaxDays() : request.versionUpdateMaxDays(),
                current.defaultDebianDistribution(), current.defaultDebianComponent(),
                current.defaultDebianArchitecture(), current.yumMetadataDepth(), current.yumGroupsFile(),
                current.created());
        store.updateRepository(updated);
        changed();
        notifyRepositoryChanged(updated);
        return new RepositoryView(updated, store.packageCount(updated.id()));
    }

    public void deleteRepository(Caller caller, RepoRef ref) {
        var repository = administrable(caller, ref, "delete repository '" + ref + "'").repository();
        deleteWithEvents(caller, ContentStore.FileScope.REPOSITORY, repository.id(),
                handle -> store.deleteRepository(handle, repository.id()));
        changed();
    }

    public Page<Repository> searchRepositories(Caller caller, String name, String desc, int startPos) {
        access.requireAuthenticated(caller);
        if (blank(name) && blank(desc)) {
            throw BinderyException.badRequest("At least one of the 'name' and 'desc' query parameters is required");
        }
        return store.searchRepositories(blankToNull(name), blankToNull(desc), startPos(startPos), PAGE_SIZE);
    }

    private void checkSigningFlags(Subject owner, boolean signMetadata, boolean signFiles, boolean ownerKey) {
        if (ownerKey && (signMetadata || signFiles)) {
            throw BinderyException.badRequest("'gpg_use_owner_key' cannot be true together with 'gpg_sign_metadata'"
                    + " or 'gpg_sign_files'");
        }
        if (ownerKey && !hasSigningKey.test(owner)) {
            throw BinderyException.badRequest("'gpg_use_owner_key' requires a GPG key pair on '" + owner.name()
                    + "', and it has none");
        }
    }

    private static void checkMaxDays(Integer days) {
        if (days != null && days < 0) {
            throw BinderyException.badRequest("Field 'version_update_max_days' must not be negative");
        }
    }

    public int packageCount(Repository repository) {
        return store.packageCount(repository.id());
    }

    /** Bytes stored in all repositories of {@code owner} (its quota use). */
    public long bytesOwnedBy(Subject owner) {
        return store.bytesOwnedBy(owner.id());
    }

    // --- packages -----------------------------------------------------------------------------

    /**
     * One page of a repository's packages. Anonymous callers get pages of 50; authenticated callers
     * get everything from {@code startPos} on, as Bintray documented.
     */
    public Page<Pkg> packages(Caller caller, RepoRef ref, int startPos, String startName) {
        var repository = readable(caller, ref).repository();
        var prefix = blankToNull(startName);
        int total = store.countPackages(repository.id(), prefix);
        int from = startPos(startPos);
        int limit = caller.isAnonymous() ? PAGE_SIZE : Integer.MAX_VALUE;
        return new Page<>(store.packages(repository.id(), prefix, from, limit), from, total);
    }

    public PackageView pkg(Caller caller, PackageRef ref) {
        var resolved = readable(caller, ref.repoRef());
        return packageView(resolved, findPackage(resolved.repository(), ref));
    }

    private PackageView packageView(Access resolved, Pkg pkg) {
        var latest = store.latestPublishedVersion(pkg.id()).map(Version::name).orElse(null);
        return new PackageView(resolved.repository(), pkg, store.versionNames(pkg.id()), latest,
                resolved.permission().atLeast(Permission.PUBLISH), store.countPackageFollowers(pkg.id()));
    }

    // --- followers ---------------------------------------------------------------------------------

    /**
     * The signed-in caller follows a package they may read; following twice is one follow. Access
     * keys, signed URLs and tokens scoped below admin follow nothing: a follow changes the user's account.
     */
    public void follow(Caller caller, PackageRef ref) {
        var user = caller.accountHolder("follow packages");
        var resolved = readable(caller, ref.repoRef());
        store.followPackage(findPackage(resolved.repository(), ref).id(), user.id(), clock.instant());
    }

    /** The signed-in caller stops following a package; a no-op if they did not follow it. */
    public void unfollow(Caller caller, PackageRef ref) {
        var user = caller.accountHolder("unfollow packages");
        var resolved = readable(caller, ref.repoRef());
        store.unfollowPackage(findPackage(resolved.repository(), ref).id(), user.id());
    }

    /** Whether the caller, if a user, follows the package they are looking at. */
    public boolean follows(Caller caller, PackageView view) {
        return caller.user() != null && store.followsPackage(view.pkg().id(), caller.user().id());
    }

    /** The packages the caller follows and may still read, by subject, repository and package. */
    public List<PackageRef> followedPackages(Caller caller) {
        if (caller.user() == null) {
            return List.of();
        }
        var readable = new java.util.HashMap<RepoRef, Boolean>();
        return store.followedPackages(caller.user().id()).stream()
                .filter(ref -> readable.computeIfAbsent(ref.repoRef(), repo -> canRead(caller, repo)))
                .toList();
    }

    private boolean canRead(Caller caller, RepoRef ref) {
        try {
            readable(caller, ref);
            return true;
        } catch (BinderyException e) {
            return false;
        }
    }

    Pkg findPackage(Repository repository, PackageRef ref) {
        return store.pkg(repository.id(), ref.pkg())
                .orElseThrow(() -> BinderyException.notFound("Package '" + ref + "' was not found"));
    }

    public PackageView createPackage(Caller caller, RepoRef ref, CreatePackageRequest request) {
        var resolved = publishable(caller, ref, "create packages in '" + ref + "'");
        var repository = resolved.repository();
        Names.pkg(request.name());
        var licenses = checkLicenses(request.licenses());
        if (!repository.isPrivate()) {
            if (licenses.isEmpty()) {
                throw BinderyException.badRequest("Packages in public repositories need 'licenses' (an OSS license)");
            }
            if (blank(request.vcsUrl())) {
                throw BinderyException.badRequest("Packages in public repositories need a 'vcs_url'");
            }
        }
        var now = clock.instant();
        var pkg = new Pkg(0, repository.id(), request.name(), request.desc(), labels(request.labels()), licenses,
                labels(request.customLicenses()), request.vcsUrl(), request.websiteUrl(), request.issueTrackerUrl(),
                request.githubRepo(), request.githubReleaseNotesFile(), bool(request.publicDownloadNumbers()),
                bool(request.publicStats()), now, now);
        Pkg created;
        try {
            created = store.insertPackage(pkg);
        } catch (UnableToExecuteStatementException e) {
            throw BinderyException.conflict("Package '" + ref + "/" + request.name() + "' already exists");
        }
        changed();
        return packageView(resolved, created);
    }

    public PackageView updatePackage(Caller caller, PackageRef ref, UpdatePackageRequest request) {
        var resolved = publishable(caller, ref.repoRef(), "update package '" + ref + "'");
        var current = findPackage(resolved.repository(), ref);
        var licenses = request.licenses() == null ? current.licenses() : checkLicenses(request.licenses());
        var vcsUrl = or(request.vcsUrl(), current.vcsUrl());
        if (!resolved.repository().isPrivate() && (licenses.isEmpty() || blank(vcsUrl))) {
            throw BinderyException.badRequest("Packages in public repositories need 'licenses' and a 'vcs_url'");
        }
        var updated = new Pkg(current.id(), current.repositoryId(), current.name(), or(request.desc(), current.desc()),
                request.labels() == null ? current.labels() : labels(request.labels()), licenses,
                request.customLicenses() == null ? current.customLicenses() : labels(request.customLicenses()),
                vcsUrl, or(request.websiteUrl(), current.websiteUrl()),
                or(request.issueTrackerUrl(), current.issueTrackerUrl()), or(request.githubRepo(), current.githubRepo()),
                or(request.githubReleaseNotesFile(), current.githubReleaseNotesFile()),
                or(request.publicDownloadNumbers(), current.publicDownloadNumbers()),
                or(request.publicStats(), current.publicStats()), current.created(), clock.instant());
        store.updatePackage(updated);
        changed();
        return packageView(resolved, updated);
    }

    public void deletePackage(Caller caller, PackageRef ref) {
        var resolved = publishable(caller, ref.repoRef(), "delete package '" + ref + "'");
        var pkg = findPackage(resolved.repository(), ref);
        if (!resolved.permission().atLeast(Permission.ADMIN) && resolved.repository().versionUpdateMaxDays() != null) {
            for (var name : store.versionNames(pkg.id())) {
                var version = store.version(pkg.id(), name).orElseThrow();
                checkMaxDaysWindow(resolved, version, "delete package '" + ref + "'");
            }
        }
        deleteWithEvents(caller, ContentStore.FileScope.PACKAGE, pkg.id(), handle -> store.deletePackage(handle, pkg.id()));
        changed();
        notifyDeleted(resolved.repository(), pkg);
    }

    public Page<PackageView> searchPackages(Caller caller, String name, String desc, String subject, String repo,
                                            int startPos) {
        if (blank(name) && blank(desc) && blank(subject) && blank(repo)) {
            throw BinderyException.badRequest("At least one of 'name', 'desc', 'subject' and 'repo' is required");
        }
        var hits = store.searchPackages(blankToNull(name), blankToNull(desc), blankToNull(subject), blankToNull(repo),
                startPos(startPos), PAGE_SIZE);
        var views = new ArrayList<PackageView>(hits.items().size());
        for (var hit : hits.items()) {
            var permission = permissionOn(caller, hit.repository());
            views.add(packageView(new Access(hit.repository(), permission), hit.pkg()));
        }
        return new Page<>(views, hits.startPos(), hits.total());
    }

    /** Up to {@code limit} versions published last in repositories the caller may read, newest first. */
    public List<Views.PublishedVersion> recentlyPublished(Caller caller, int limit) {
        var visible = new ArrayList<Views.PublishedVersion>(limit);
        var readable = new java.util.HashMap<Long, Boolean>();
        // Read ahead of the limit, since versions in repositories the caller cannot read are skipped.
        for (var ids : store.recentlyPublishedVersions(limit * 4)) {
            var repository = store.repositoryById(ids[2]).orElse(null);
            if (repository == null || !readable.computeIfAbsent(repository.id(),
                    id -> permissionOn(caller, repository).atLeast(Permission.READ))) {
                continue;
            }
            var pkg = store.pkgById(ids[1]).orElse(null);
            var version = store.versionById(ids[0]).orElse(null);
            if (pkg != null && version != null) {
                visible.add(new Views.PublishedVersion(repository, pkg, version));
                if (visible.size() == limit) {
                    break;
                }
            }
        }
        return visible;
    }

    private static List<String> checkLicenses(List<String> licenses) {
        if (licenses == null) {
            return List.of();
        }
        for (var license : licenses) {
            if (license == null || !OssLicenses.isKnown(license)) {
                throw BinderyException.badRequest("License '" + license
                        + "' is not an OSS license Bintray knows; see GET /licenses/oss_licenses");
            }
        }
        return List.copyOf(licenses);
    }

    // --- versions -----------------------------------------------------------------------------

    public VersionView version(Caller caller, VersionRef ref) {
        var resolved = readable(caller, ref.packageRef().repoRef());
        var pkg = findPackage(resolved.repository(), ref.packageRef());
        var version = "_latest".equals(ref.version())
                ? store.latestPublishedVersion(pkg.id()).orElseThrow(() -> BinderyException.notFound(
                        "Package '" + ref.packageRef() + "' has no version with published files"))
                : findVersion(pkg, ref);
        return versionView(resolved, pkg, version);
    }

    private VersionView versionView(Access resolved, Pkg pkg, Version version) {
        boolean hasPublished = !store.filesOfVersion(version.id(), false).isEmpty();
        return new VersionView(resolved.repository(), pkg, version, hasPublished,
                resolved.permission().atLeast(Permission.PUBLISH));
    }

    Version findVersion(Pkg pkg, VersionRef ref) {
        return store.version(pkg.id(), ref.version())
                .orElseThrow(() -> BinderyException.notFound("Version '" + ref + "' was not found"));
    }

    public VersionView createVersion(Caller caller, PackageRef ref, CreateVersionRequest request) {
        var resolved = publishable(caller, ref.repoRef(), "create versions in '" + ref + "'");
        var pkg = findPackage(resolved.repository(), ref);
        Names.version(request.name());
        rejectSnapshotInMaven(resolved.repository(), request.name());
        var now = clock.instant();
        var version = new Version(0, pkg.id(), request.name(), request.desc(), 0, request.githubReleaseNotesFile(),
                bool(request.githubUseTagReleaseNotes()), request.vcsTag(), now, now,
                Times.parse(request.released(), "released"), null);
        Version created;
        try {
            created = store.jdbi().inTransaction(handle -> store.insertVersion(handle, version));
        } catch (UnableToExecuteStatementException e) {
            throw BinderyException.conflict("Version '" + ref + "/" + request.name() + "' already exists");
        }
        changed();
        return versionView(resolved, pkg, created);
    }

    public static void rejectSnapshotInMaven(Repository repository, String version) {
        // Maven treats any case of the suffix as a snapshot.
        if (repository.type() == RepositoryType.MAVEN && version.toUpperCase(Locale.ROOT).endsWith("-SNAPSHOT")) {
            throw BinderyException.badRequest("SNAPSHOT versions are not accepted ('" + version
                    + "'); publish snapshots to a snapshot repository");
        }
    }

    public VersionView updateVersion(Caller caller, VersionRef ref, UpdateVersionRequest request) {
        var resolved = publishable(caller, ref.packageRef().repoRef(), "update version '" + ref + "'");
        var pkg = findPackage(resolved.repository(), ref.packageRef());
        var current = findVersion(pkg, ref);
        var released = request.released() == null ? current.released() : Times.parse(request.released(), "released");
        var updated = new Version(current.id(), current.packageId(), current.name(), or(request.desc(), current.desc()),
                current.ordinal(), or(request.githubReleaseNotesFile(), current.githubReleaseNotesFile()),
                or(request.githubUseTagReleaseNotes(), current.githubUseTagReleaseNotes()),
                or(request.vcsTag(), current.vcsTag()), current.created(), clock.instant(), released,
                current.published());
        store.updateVersion(updated);
        changed();
        return versionView(resolved, pkg, updated);
    }

    public void deleteVersion(Caller caller, VersionRef ref) {
        var resolved = publishable(caller, ref.packageRef().repoRef(), "delete version '" + ref + "'");
        var pkg = findPackage(resolved.repository(), ref.packageRef());
        var version = findVersion(pkg, ref);
        checkMaxDaysWindow(resolved, version, "delete version '" + ref + "'");
        deleteWithEvents(caller, ContentStore.FileScope.VERSION, version.id(),
                handle -> store.deleteVersion(handle, version.id()));
        changed();
        notifyDeleted(resolved.repository(), pkg);
    }

    // --- files --------------------------------------------------------------------------------

    /** Files of a package; unpublished ones only when asked for and the caller may publish. */
    public List<FileEntry> packageFiles(Caller caller, PackageRef ref, boolean includeUnpublished) {
        var resolved = readable(caller, ref.repoRef());
        var pkg = findPackage(resolved.repository(), ref);
        return store.filesOfPackage(pkg.id(), includeUnpublished && resolved.permission().atLeast(Permission.PUBLISH));
    }

    public List<FileEntry> versionFiles(Caller caller, VersionRef ref, boolean includeUnpublished) {
        var resolved = readable(caller, ref.packageRef().repoRef());
        var pkg = findPackage(resolved.repository(), ref.packageRef());
        var version = findVersion(pkg, ref);
        return store.filesOfVersion(version.id(),
                includeUnpublished && resolved.permission().atLeast(Permission.PUBLISH));
    }

    /** The file at a path, if the caller may see it (unpublished files only to publishers). */
    public FileEntry file(Caller caller, RepoRef ref, FilePath path) {
        var resolved = readable(caller, ref);
        return visibleFile(resolved, ref, path);
    }

    private FileEntry visibleFile(Access resolved, RepoRef ref, FilePath path) {
        return store.file(resolved.repository().id(), path.value())
                .filter(file -> file.isPublished() || resolved.permission().atLeast(Permission.PUBLISH))
                .orElseThrow(() -> BinderyException.notFound("File '" + path + "' was not found in '" + ref + "'"));
    }

    public PackageView packageOfFile(Caller caller, RepoRef ref, FilePath path) {
        var resolved = readable(caller, ref);
        var file = visibleFile(resolved, ref, path);
        var version = store.versionById(file.versionId()).orElseThrow();
        return packageView(resolved, store.pkgById(version.packageId()).orElseThrow());
    }

    public VersionView versionOfFile(Caller caller, RepoRef ref, FilePath path) {
        var resolved = readable(caller, ref);
        var file = visibleFile(resolved, ref, path);
        var version = store.versionById(file.versionId()).orElseThrow();
        return versionView(resolved, store.pkgById(version.packageId()).orElseThrow(), version);
    }

    public void setListInDownloads(Caller caller, RepoRef ref, FilePath path, boolean listed) {
        var resolved = publishable(caller, ref, "change the download list of '" + ref + "'");
        var file = visibleFile(resolved, ref, path);
        store.setListInDownloads(file.id(), listed);
        changed();
    }

    /**
     * Published files in public repositories by name ({@code *} and {@code ?} wildcards) or SHA-1;
     * exactly one of the two is required.
     */
    public Page<FileEntry> searchFiles(String name, String sha1, String subject, String repo, String createdAfter,
                                       int startPos) {
        if (blank(name) == blank(sha1)) {
            throw BinderyException.badRequest("Give exactly one of the 'name' and 'sha1' query parameters");
        }
        if (!blank(sha1) && !sha1.matches("[0-9a-fA-F]{40}")) {
            throw BinderyException.badRequest("Query parameter 'sha1' must be 40 hexadecimal digits");
        }
        return store.searchFiles(blankToNull(name), blankToNull(sha1), blankToNull(subject), blankToNull(repo),
                Times.parse(createdAfter, "created_after"), startPos(startPos), PAGE_SIZE);
    }

    /** Deletes one file; published files only within the windows. */
    public void deleteContent(Caller caller, RepoRef ref, FilePath path) {
        // An access key's entitlement may cover just this file: ask with its package and version.
        var existing = caller.accessKey().isEmpty() ? null : findRepository(ref)
                .flatMap(repository -> store.file(repository.id(), path.value())).orElse(null);
        var resolved = existing == null ? publishable(caller, ref, "delete content in '" + ref + "'")
                : publishableFile(caller, ref, existing.pkg(), existing.version(), path,
                        "delete content in '" + ref + "'");
        var file = visibleFile(resolved, ref, path);
        var version = store.versionById(file.versionId()).orElseThrow();
        if (file.isPublished()) {
            checkPublishedWindows(resolved, version, "delete '" + path + "'");
        }
        var deleted = Event.file(EventType.DELETE, clock.instant(), caller.name(), file.owner(), file.repository(),
                file.pkg(), file.version(), file.path(), caller.address());
        store.jdbi().useTransaction(handle -> {
            store.deleteFile(handle, file.id());
            appendEvents(handle, List.of(deleted));
        });
        changed();
        notifyDeleted(resolved.repository(), store.pkgById(version.packageId()).orElseThrow());
    }

    // --- publishing ---------------------------------------------------------------------------

    /**
     * Publishes (or with {@code discard}, removes) a version's unpublished files and returns how many.
     * The files are published when this returns; the listeners (index calculation) run in the
     * background, and {@code waitSeconds} > 0 (or -1 for the maximum) waits for them.
     *
     * @throws BinderyException timeout when the wait runs out first
     */
    public int publish(Caller caller, VersionRef ref, boolean discard, int waitSeconds) {
        var resolved = publishableFile(caller, ref.packageRef().repoRef(), ref.pkg(), ref.version(), null,
                (discard ? "discard" : "publish") + " version '" + ref + "'");
        var pkg = findPackage(resolved.repository(), ref.packageRef());
        var version = findVersion(pkg, ref);
        var now = clock.instant();
        int files = store.jdbi().inTransaction(handle -> {
            if (discard) {
                return store.discardVersion(handle, version.id());
            }
            int published = store.publishVersion(handle, version.id(), now);
            // A first publish, or one that made files visible, is news; publishing nothing new is not.
            if (published > 0 || version.published() == null) {
                appendEvents(handle, List.of(Event.versionPublished(now, caller.name(),
                        resolved.repository().owner().name(), resolved.repository().name(), pkg.name(),
                        version.name())));
            }
            return published;
        });
        changed();
        if (discard) {
            return files;
        }
        var published = store.versionById(version.id()).orElseThrow();
        var job = runListeners(resolved.repository(), pkg, published);
        if (waitSeconds != 0) {
            var wait = waitSeconds < 0 ? maxPublishWait : Duration.ofSeconds(Math.min(waitSeconds, maxPublishWait.toSeconds()));
            try {
                job.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw BinderyException.timeout("Publishing '" + ref + "' did not finish within " + wait.toSeconds()
                        + " seconds; it goes on in the background");
            } catch (ExecutionException e) {
                LOG.warn("Publish listener failed for {}", ref, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw BinderyException.timeout("Publishing '" + ref + "' was interrupted");
            }
        }
        return files;
    }

    /**
     * Waits until the listeners told about changes so far are done, for tests and orderly shutdown
     * (the formats' listener returns when its index rebuild is done).
     */
    public void awaitListeners(Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (listenerTasks.get() > 0) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("Content listeners still running after " + timeout);
            }
            Thread.sleep(5);
        }
    }

    /** Runs {@code task} in the background, counted until it is done. */
    private CompletableFuture<Void> inBackground(Runnable task) {
        listenerTasks.incrementAndGet();
        try {
            return CompletableFuture.runAsync(task, background).whenComplete((done, failure) -> listenerTasks.decrementAndGet());
        } catch (RuntimeException e) {
            listenerTasks.decrementAndGet();
            throw e;
        }
    }

    CompletableFuture<Void> runListeners(Repository repository, Pkg pkg, Version version) {
        if (listeners.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return inBackground(() -> {
            for (var listener : listeners) {
                try {
                    listener.published(repository, pkg, version);
                } catch (RuntimeException e) {
                    LOG.error("Content listener {} failed on publish of {}/{}/{}", listener, repository.fullName(),
                            pkg.name(), version.name(), e);
                }
            }
        });
    }

    private void notifyRepositoryChanged(Repository repository) {
        if (listeners.isEmpty()) {
            return;
        }
        inBackground(() -> listeners.forEach(listener -> {
            try {
                listener.repositoryChanged(repository);
            } catch (RuntimeException e) {
                LOG.error("Content listener {} failed on the settings of {}", listener, repository.fullName(), e);
            }
        }));
    }

    private void notifyDeleted(Repository repository, Pkg pkg) {
        if (listeners.isEmpty()) {
            return;
        }
        inBackground(() -> listeners.forEach(listener -> {
            try {
                listener.deleted(repository, pkg);
            } catch (RuntimeException e) {
                LOG.error("Content listener {} failed on delete in {}", listener, repository.fullName(), e);
            }
        }));
    }

    // --- windows ------------------------------------------------------------------------------

    /** Fails when a published version is past the OSS 180-day window or the repository's max days. */
    void checkPublishedWindows(Access resolved, Version version, String action) {
        if (version.published() == null) {
            return;
        }
        var age = Duration.between(version.published(), clock.instant());
        if (!resolved.repository().isPrivate() && age.compareTo(OSS_WINDOW) > 0) {
            throw BinderyException.forbidden("Cannot " + action + ": version '" + version.name()
                    + "' was published more than 180 days ago (" + Times.format(version.published()) + ")");
        }
        checkMaxDaysWindow(resolved, version, action);
    }

    private void checkMaxDaysWindow(Access resolved, Version version, String action) {
        var maxDays = resolved.repository().versionUpdateMaxDays();
        if (maxDays == null || version.published() == null || resolved.permission().atLeast(Permission.ADMIN)) {
            return;
        }
        if (Duration.between(version.published(), clock.instant()).compareTo(Duration.ofDays(maxDays)) > 0) {
            throw BinderyException.forbidden("Cannot " + action + ": version '" + version.name() + "' was published more"
                    + " than " + maxDays + " days ago and only repository admins may change it now");
        }
    }

    Instant now() {
        return clock.instant();
    }

    ContentStore store() {
        return store;
    }

    // --- small helpers ------------------------------------------------------------------------

    private static int startPos(int startPos) {
        if (startPos < 0) {
            throw BinderyException.badRequest("Query parameter 'start_pos' must not be negative");
        }
        return startPos;
    }

    private static List<String> labels(List<String> labels) {
        if (labels == null) {
            return List.of();
        }
        for (var label : labels) {
            if (label == null || label.isBlank() || label.length() > 256) {
                throw BinderyException.badRequest("Labels must be non-empty strings of at most 256 characters");
            }
        }
        return List.copyOf(labels);
    }

    private static boolean bool(Boolean value) {
        return value != null && value;
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String blankToNull(String value) {
        return blank(value) ? null : value;
    }
}
