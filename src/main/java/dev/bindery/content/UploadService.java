package dev.bindery.content;

import dev.bindery.BinderyException;
import dev.bindery.Names;
import dev.bindery.content.ContentService.Access;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.content.Refs.VersionRef;
import dev.bindery.events.Event;
import dev.bindery.events.EventType;
import dev.bindery.storage.BlobStore;
import dev.bindery.storage.StoredBlob;
import dev.bindery.subject.Caller;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Uploading content into a version: one file, or an archive exploded into many. Bytes stream into
 * the blob store (checksummed, fsynced) before any row is written, and the rows for all files of an
 * upload are written in one transaction, so a file is visible only when complete and verified, and
 * an interrupted upload leaves nothing. A path being uploaded is leased: a second concurrent
 * upload to it gets 409 instead of racing. Thread-safe.
 */
public final class UploadService {

    /** Explode refuses archives that expand to more than this many times their size. */
    static final long MAX_EXPANSION_RATIO = 100;
    static final int MAX_ARCHIVE_ENTRIES = 10_000;

    private final ContentService content;
    private final ContentStore store;
    private final BlobStore blobs;
    private final Path scratch;
    private final long maxUploadBytes;
    private final FileInspector inspector;
    private final FileSigning signing;

    /** @param signing finds the key for Automatic Signing: a {@code <file>.asc} stored with each uploaded file */
    public UploadService(ContentService content, BlobStore blobs, Path scratch, long maxUploadBytes,
                         FileInspector inspector, FileSigning signing) throws IOException {
        this.signing = signing;
        this.content = content;
        this.inspector = inspector;
        this.store = content.store();
        this.blobs = blobs;
        this.scratch = scratch;
        this.maxUploadBytes = maxUploadBytes;
        Files.createDirectories(scratch);
    }

    /**
     * One upload as the client asked for it.
     *
     * @param expectedSha256 the client's {@code X-Checksum-Sha2}, or null
     */
    public record UploadRequest(RepoRef repo, FilePath path, String pkg, String version, boolean publish,
                                boolean override, boolean explode, String expectedSha256,
                                Map<String, String> formatParameters) {

        public UploadRequest {
            formatParameters = formatParameters == null ? Map.of() : Map.copyOf(formatParameters);
        }
    }

    /**
     * Uploads {@code body} as the request says; returns the number of files stored. When the repository
     * signs its files (Automatic Signing), a detached signature {@code <file>.asc} is stored with each
     * file, in the same transaction, its key unlocked with {@code passphrase} ({@code X-GPG-PASSPHRASE},
     * or null).
     */
    public int upload(Caller caller, UploadRequest request, InputStream body, char[] passphrase) {
        var resolved = content.publishableFile(caller, request.repo(), request.pkg(), request.version(),
                request.path(), "upload to '" + request.repo() + "'");
        var repository = resolved.repository();
        if (request.pkg() == null || request.version() == null) {
            throw BinderyException.badRequest("Uploads need a package and a version: in the path, as"
                    + " X-Bintray-Package/X-Bintray-Version headers, or as ;bt_package=;bt_version= parameters");
        }
        var pkg = content.findPackage(repository, new PackageRef(request.repo().subject(), request.repo().repo(),
                request.pkg()));
        Names.version(request.version());
        ContentService.rejectSnapshotInMaven(repository, request.version());
        var versionRef = new VersionRef(request.repo().subject(), request.repo().repo(), pkg.name(), request.version());
        store.version(pkg.id(), request.version())
                .ifPresent(version -> content.checkPublishedWindows(resolved, version,
                        "add files to version '" + versionRef + "'"));
        checkReplaceable(resolved, request.path(), request.override());
        // Before any byte is read: a wrong passphrase fails the upload with nothing stored.
        var signer = signing.forUpload(repository, passphrase);

        if (!store.tryLease(repository.id(), request.path().value(), content.now())) {
            throw BinderyException.conflict("Another upload to '" + request.path() + "' in '" + request.repo()
                    + "' is in progress");
        }
        try {
            List<PendingFile> files = request.explode()
                    ? explode(resolved, request, body)
                    : List.of(inspected(repository, request.path(), store(body, maxUploadBytes,
                            request.expectedSha256()), request));
            commit(caller, resolved, pkg, request, signer.isEmpty() ? files : withSignatures(files, signer.get()));
            return files.size();
        } finally {
            store.releaseLease(repository.id(), request.path().value());
        }
    }

    /** @param signature a signature made for a file of this upload: it replaces a stale one without override */
    private record PendingFile(FilePath path, StoredBlob blob, String metadata, boolean signature) {
        PendingFile(FilePath path, StoredBlob blob, String metadata) {
            this(path, blob, metadata, false);
        }
    }

    /** Automatic Signing: adds a detached signature for each file that is not one and has none in the upload. */
    private List<PendingFile> withSignatures(List<PendingFile> files, FileSigning.Detached signer) {
        var paths = new java.util.HashSet<String>();
        files.forEach(file -> paths.add(file.path().value()));
        var all = new ArrayList<>(files);
        for (var file : files) {
            var signaturePath = DetachedSignatures.signaturePath(file.path());
            if (!DetachedSignatures.isSignature(file.path().value()) && paths.add(signaturePath.value())) {
                all.add(new PendingFile(signaturePath, DetachedSignatures.sign(blobs, signer, file.blob().key()), null,
                        true));
            }
        }
        return all;
    }

    /** Has the repository's format read the file; refuses the upload when it cannot be indexed. */
    private PendingFile inspected(Repository repository, FilePath path, StoredBlob blob, UploadRequest request) {
        return new PendingFile(path, blob, inspector.inspect(repository, path, blob, request.formatParameters()));
    }

    /** Refuses to replace a published file without {@code override}, or outside its windows. */
    private void checkReplaceable(Access resolved, FilePath path, boolean override) {
        var existing = store.file(resolved.repository().id(), path.value());
        if (existing.isEmpty() || !existing.get().isPublished()) {
            return;
        }
        if (!override) {
            throw BinderyException.conflict("Unable to upload files: an artifact with the path '" + path
                    + "' already exists in '" + resolved.repository().fullName() + "'; use override=1 to replace it");
        }
        var version = store.versionById(existing.get().versionId()).orElseThrow();
        content.checkPublishedWindows(resolved, version, "override '" + path + "'");
    }

    private StoredBlob store(InputStream body, long limit, String expectedSha256) {
        try {
            return blobs.put(body, limit, expectedSha256);
        } catch (BlobStore.ChecksumMismatchException e) {
            throw BinderyException.conflict(e.getMessage());
        } catch (BlobStore.TooLargeException e) {
            throw BinderyException.tooLarge(e.getMessage());
        } catch (IOException e) {
            throw BinderyException.badRequest("Upload did not complete: " + e.getMessage());
        }
    }

    private void commit(Caller caller, Access resolved, Pkg pkg, UploadRequest request, List<PendingFile> files) {
        var repository = resolved.repository();
        Instant now = content.now();
        // The version first, on its own: concurrent uploads of different files to a new version
        // must not collide on creating it.
        var target = findOrCreateVersion(pkg, request.version(), now);
        boolean[] replacedPublished = {false};
        try {
            store.jdbi().useTransaction(handle -> {
                for (var file : files) {
                    var existing = store.file(handle, repository.id(), file.path().value());
                    if (existing.isPresent() && existing.get().isPublished() && !request.override()
                            && !file.signature()) {
                        throw BinderyException.conflict("Unable to upload files: an artifact with the path '"
                                + file.path() + "' already exists in '" + repository.fullName() + "'");
                    }
                    // Overriding a published file replaces what is served; it does not withdraw it.
                    var published = request.publish() ? now
                            : existing.filter(FileEntry::isPublished).map(FileEntry::published).orElse(null);
                    replacedPublished[0] |= existing.isPresent() && existing.get().isPublished();
                    store.putFile(handle, repository.id(), target.id(), file.path().value(), file.path().name(),
                            file.blob(), published, now);
                    store.putFileMetadata(handle, repository.id(), file.path().value(), file.metadata());
                }
                if (request.publish()) {
                    store.markVersionPublished(handle, target.id(), now);
                }
                content.appendEvents(handle, events(caller, repository, pkg, request, files, now));
            });
        } catch (UnableToExecuteStatementException e) {
            throw BinderyException.conflict("A concurrent upload wrote to the same path in '" + repository.fullName() + "'");
        }
        content.changed();
        // Overriding a published file changes what the indexes describe, publish or not.
        if (request.publish() || replacedPublished[0]) {
            content.runListeners(repository, pkg, store.versionById(target.id()).orElseThrow());
        }
    }

    /** One {@code upload} per stored file (signatures too), then {@code version_published} if it published. */
    private static List<Event> events(Caller caller, Repository repository, Pkg pkg, UploadRequest request,
                                      List<PendingFile> files, Instant now) {
        var owner = repository.owner().name();
        var events = new ArrayList<Event>(files.size() + 1);
        for (var file : files) {
            events.add(Event.file(EventType.UPLOAD, now, caller.name(), owner, repository.name(), pkg.name(),
                    request.version(), file.path().value(), caller.address()));
        }
        if (request.publish()) {
            events.add(Event.versionPublished(now, caller.name(), owner, repository.name(), pkg.name(),
                    request.version()));
        }
        return events;
    }

    /** The version, created if absent; when a concurrent upload creates it first, that one. */
    private Version findOrCreateVersion(Pkg pkg, String name, Instant now) {
        var existing = store.version(pkg.id(), name);
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            return store.jdbi().inTransaction(handle -> store.insertVersion(handle,
                    new Version(0, pkg.id(), name, null, 0, null, false, null, now, now, null, null)));
        } catch (UnableToExecuteStatementException e) {
            return store.version(pkg.id(), name).orElseThrow(() -> e);
        }
    }

    // --- explode ------------------------------------------------------------------------------

    private List<PendingFile> explode(Access resolved, UploadRequest request, InputStream body) {
        var archiveName = request.path().name().toLowerCase(Locale.ROOT);
        var format = archiveName.endsWith(".zip") ? ArchiveEntries.Format.ZIP
                : archiveName.endsWith(".tar.gz") || archiveName.endsWith(".tgz") ? ArchiveEntries.Format.TAR_GZ
                : null;
        if (format == null) {
            throw BinderyException.badRequest("X-Bintray-Explode unpacks .zip, .tar.gz and .tgz archives, not '"
                    + request.path().name() + "'");
        }
        Path archive = null;
        try {
            archive = Files.createTempFile(scratch, "explode-", ".archive");
            long archiveSize;
            var sha256 = sha256();
            try (var out = Files.newOutputStream(archive)) {
                archiveSize = copyAtMost(new DigestInputStream(body, sha256), out, maxUploadBytes);
            }
            // X-Checksum-Sha2 names the archive as sent; verify it before anything is unpacked.
            var actualSha256 = HexFormat.of().formatHex(sha256.digest());
            if (request.expectedSha256() != null && !request.expectedSha256().equalsIgnoreCase(actualSha256)) {
                throw BinderyException.conflict("SHA-256 checksum mismatch: expected " + request.expectedSha256()
                        + " but the archive has " + actualSha256);
            }
            long budget = Math.max(archiveSize, 1) * MAX_EXPANSION_RATIO;
            var pending = new ArrayList<PendingFile>();
            var remaining = new long[] {budget};
            ArchiveEntries.forEach(format, archive, (entryName, stream) -> {
                if (pending.size() >= MAX_ARCHIVE_ENTRIES) {
                    throw BinderyException.badRequest("Archive has more than " + MAX_ARCHIVE_ENTRIES + " files");
                }
                var path = request.path().sibling(ArchiveEntries.checkEntryName(entryName));
                if (remaining[0] <= 0) {
                    throw BinderyException.badRequest("Archive expands to more than " + MAX_EXPANSION_RATIO
                            + " times its size; refusing to explode it");
                }
                StoredBlob blob;
                try {
                    blob = blobs.put(stream, remaining[0], null);
                } catch (BlobStore.TooLargeException e) {
                    throw BinderyException.badRequest("Archive expands to more than " + MAX_EXPANSION_RATIO
                            + " times its size; refusing to explode it");
                }
                remaining[0] -= blob.size();
                checkReplaceable(resolved, path, request.override());
                pending.add(inspected(resolved.repository(), path, blob, request));
            });
            if (pending.isEmpty()) {
                throw BinderyException.badRequest("Archive '" + request.path().name() + "' contains no files");
            }
            return pending;
        } catch (IOException e) {
            throw BinderyException.badRequest("Cannot explode '" + request.path().name() + "': " + e.getMessage());
        } finally {
            if (archive != null) {
                try {
                    Files.deleteIfExists(archive);
                } catch (IOException ignored) {
                    // the sweeper removes scratch leftovers
                }
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without SHA-256", e);
        }
    }

    private static long copyAtMost(InputStream in, java.io.OutputStream out, long max) throws IOException {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = in.read(buffer)) > 0) {
            total += read;
            if (total > max) {
                throw new BlobStore.TooLargeException(max);
            }
            out.write(buffer, 0, read);
        }
        return total;
    }
}
