package dev.bindery.content;

import dev.bindery.BinderyException;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.content.Refs.VersionRef;
import dev.bindery.events.Event;
import dev.bindery.events.EventType;
import dev.bindery.storage.BlobKey;
import dev.bindery.storage.BlobStore;
import dev.bindery.storage.StoredBlob;
import dev.bindery.subject.Caller;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * GPG Sign a Version / GPG Sign a File: writes a detached signature {@code <path>.asc} next to
 * files, in the file's version and published like it. Every signature is made and its blob stored
 * before one transaction adds all the rows, so a failure (a wrong passphrase, a broken file) leaves
 * no signature behind. Thread-safe.
 */
public final class DetachedSignatures {

    /** The suffix of detached signatures; files with it are never signed themselves. */
    public static final String SUFFIX = ".asc";

    private final ContentService content;
    private final ContentStore store;
    private final BlobStore blobs;

    public DetachedSignatures(ContentService content, BlobStore blobs) {
        this.content = content;
        this.store = content.store();
        this.blobs = blobs;
    }

    /** Whether {@code path} names a detached signature. */
    public static boolean isSignature(String path) {
        return path.toLowerCase(Locale.ROOT).endsWith(SUFFIX);
    }

    /**
     * Signs every file of a version (published or not, except signatures) with the signer {@code signerFor}
     * picks for the repository; returns how many files were signed. Publish permission required.
     */
    public int signVersion(Caller caller, VersionRef ref, Function<Repository, FileSigning.Detached> signerFor) {
        var action = "sign version '" + ref + "'";
        var resolved = content.publishable(caller, ref.packageRef().repoRef(), action);
        var pkg = content.findPackage(resolved.repository(), ref.packageRef());
        var version = content.findVersion(pkg, ref);
        content.checkPublishedWindows(resolved, version, action);
        var files = store.filesOfVersion(version.id(), true).stream()
                .filter(file -> !isSignature(file.path()))
                .toList();
        if (files.isEmpty()) {
            throw BinderyException.badRequest("Version '" + ref + "' has no files to sign");
        }
        write(caller, resolved.repository(), files, signerFor.apply(resolved.repository()));
        return files.size();
    }

    /** Signs one file; publish permission required. */
    public void signFile(Caller caller, RepoRef ref, FilePath path, Function<Repository, FileSigning.Detached> signerFor) {
        var action = "sign '" + path + "' in '" + ref + "'";
        var resolved = content.publishable(caller, ref, action);
        var file = store.file(resolved.repository().id(), path.value())
                .orElseThrow(() -> BinderyException.notFound("File '" + path + "' was not found in '" + ref + "'"));
        if (isSignature(file.path())) {
            throw BinderyException.badRequest("File '" + path + "' is a signature itself");
        }
        content.checkPublishedWindows(resolved, store.versionById(file.versionId()).orElseThrow(), action);
        write(caller, resolved.repository(), List.of(file), signerFor.apply(resolved.repository()));
    }

    private record Signed(FileEntry file, FilePath path, StoredBlob blob) {
    }

    private void write(Caller caller, Repository repository, List<FileEntry> files, FileSigning.Detached signer) {
        var signed = new ArrayList<Signed>(files.size());
        for (var file : files) {
            var path = signaturePath(FilePath.of(file.path()));
            signed.add(new Signed(file, path, sign(blobs, signer, file.blobKey())));
        }
        var now = content.now();
        store.jdbi().useTransaction(handle -> {
            for (var signature : signed) {
                // A signature is published when its file is, so clients see both or neither.
                store.putFile(handle, repository.id(), signature.file().versionId(), signature.path().value(),
                        signature.path().name(), signature.blob(), signature.file().isPublished() ? now : null, now);
            }
            content.appendEvents(handle, signed.stream().map(signature -> Event.file(EventType.UPLOAD, now,
                    caller.name(), signature.file().owner(), signature.file().repository(), signature.file().pkg(),
                    signature.file().version(), signature.path().value(), caller.address())).toList());
        });
        content.changed();
    }

    /** {@code <path>.asc}, checked like any other path. */
    static FilePath signaturePath(FilePath path) {
        return FilePath.of(path.value() + SUFFIX);
    }

    /** Signs the blob under {@code key} and stores the signature as a blob of its own. */
    static StoredBlob sign(BlobStore blobs, FileSigning.Detached signer, BlobKey key) {
        try (var in = blobs.open(key)) {
            var signature = signer.sign(in);
            return blobs.put(new ByteArrayInputStream(signature), signature.length, null);
        } catch (IOException e) {
            throw new UncheckedIOException("Signing blob " + key + " failed", e);
        }
    }
}
