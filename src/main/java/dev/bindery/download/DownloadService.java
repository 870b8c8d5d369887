package dev.bindery.download;

import dev.bindery.BinderyException;
import dev.bindery.access.AccessService;
import dev.bindery.access.Permission;
import dev.bindery.content.ContentService;
import dev.bindery.content.ContentStore;
import dev.bindery.content.FileEntry;
import dev.bindery.content.FilePath;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.content.Repository;
import dev.bindery.formats.FormatService;
import dev.bindery.storage.BlobStore;
import dev.bindery.subject.Caller;
import dev.bindery.subject.SubjectService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Resolves {@code /dl/:subject/:repo/:file_path} to a file the caller may download. This is the
 * hot path: repositories and files are cached (negative answers too), dropped on every content
 * change on this node, and expire after a few seconds so other nodes' changes show up quickly.
 * Thread-safe.
 */
public final class DownloadService {

    private static final int MAX_CACHED = 100_000;

    private final SubjectService subjects;
    private final ContentStore store;
    private final ContentService content;
    private final AccessService access;
    private final BlobStore blobs;
    private final FormatService formats;
    private final long ttlNanos;
    private final ConcurrentHashMap<RepoRef, Cached<Repository>> repositories = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<FileKey, Cached<FileEntry>> files = new ConcurrentHashMap<>();
    // Bumped on every change: a load that overlapped a change must not cache what it read before it.
    private final AtomicLong generation = new AtomicLong();

    private record Cached<T>(Optional<T> value, long expiresAtNanos) {
    }

    private record FileKey(long repositoryId, String path) {
    }

    /** A file to serve: where its bytes are, and how to label them. */
    public record Download(Repository repository, FileEntry file, Optional<Path> localFile, String contentType) {
    }

    /**
     * A check of a resolved download before its bytes go out (e.g. the EULA an access key must
     * accept first); throws a {@link BinderyException} to refuse. Answers from memory: it runs on
     * every download.
     */
    @FunctionalInterface
    public interface Guard {
        /** @param host the request's host (and port), for links in messages */
        void check(Caller caller, Download download, String host);
    }

    private final java.util.List<Guard> guards = new java.util.concurrent.CopyOnWriteArrayList<>();

    public DownloadService(SubjectService subjects, ContentStore store, ContentService content, AccessService access,
                           BlobStore blobs, FormatService formats, Duration cacheTtl) {
        this.subjects = subjects;
        this.formats = formats;
        this.store = store;
        this.content = content;
        this.access = access;
        this.blobs = blobs;
        this.ttlNanos = cacheTtl.toNanos();
        content.onChange(this::invalidate);
        subjects.onCredentialsChanged(this::invalidate);
        formats.onIndexChanged(this::invalidate);
    }

    private void invalidate() {
        generation.incrementAndGet();
        repositories.clear();
        files.clear();
    }

    /**
     * The file at {@code path}, if the caller may download it: published files of repositories they
     * may read; unpublished files only for publishers.
     *
     * @throws BinderyException 401 for anonymous callers of private repositories, 404 otherwise
     */
    public Download resolve(Caller caller, RepoRef ref, FilePath path) {
        var repository = cached(repositories, ref, () -> subjects.findSubject(ref.subject())
                .flatMap(owner -> store.repository(owner.id(), ref.repo())))
                .orElseThrow(() -> BinderyException.notFound("Repository '" + ref + "' was not found"));
        var resource = ContentService.resource(repository);
        var repositoryPermission = access.permission(caller, resource);
        var found = cached(files, new FileKey(repository.id(), path.value()),
                () -> store.file(repository.id(), path.value()).or(() -> indexFile(repository, path)));
        // Narrower grants (an entitlement on a package, version or path; a signed URL) name the file.
        var permission = repositoryPermission.atLeast(Permission.READ) || found.isEmpty() ? repositoryPermission
                : access.permission(caller, resource.file(found.get().pkg(), found.get().version(),
                        path.value()));
        if (!permission.atLeast(Permission.READ) && repository.isPrivate() && caller.isAnonymous()) {
            throw BinderyException.unauthorized("Repository '" + ref + "' is private; authenticate to download");
        }
        access.requireRead(caller, permission, "Repository '" + ref + "' was not found");
        var file = found
                .filter(entry -> entry.isPublished() || permission.atLeast(Permission.PUBLISH))
                .orElseThrow(() -> BinderyException.notFound("File '" + path + "' was not found in '" + ref + "'"));
        return new Download(repository, file, blobs.localFile(file.blobKey()), ContentTypes.of(file.name()));
    }

    /** Adds a check of every resolved download; done while wiring. */
    public void addGuard(Guard guard) {
        guards.add(guard);
    }

    /** Runs the guards on a resolved download; throws to refuse it. */
    public void admit(Caller caller, Download download, String host) {
        for (var guard : guards) {
            guard.check(caller, download, host);
        }
    }

    /** An index file the repository's format generated, as a published file of no package. */
    private Optional<FileEntry> indexFile(Repository repository, FilePath path) {
        return formats.indexFile(repository.id(), path.value()).map(index -> new FileEntry(0, repository.id(), 0,
                index.path(), path.name(), index.size(), index.sha1(), index.sha256(), index.md5(), index.updated(),
                false, index.updated(), repository.owner().name(), repository.name(), null, null));
    }

    /** Opens the bytes of a download whose store is not local. */
    public InputStream open(Download download) throws IOException {
        return blobs.open(download.file().blobKey());
    }

    private <K, V> Optional<V> cached(ConcurrentHashMap<K, Cached<V>> cache, K key, Supplier<Optional<V>> load) {
        long now = System.nanoTime();
        var hit = cache.get(key);
        if (hit != null && now - hit.expiresAtNanos < 0) {
            return hit.value();
        }
        long loadedAt = generation.get();
        var value = load.get();
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(key, new Cached<>(value, now + ttlNanos));
        if (generation.get() != loadedAt) {
            cache.remove(key);
        }
        return value;
    }
}
