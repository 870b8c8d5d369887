package dev.bindery.content;

import dev.bindery.storage.BlobKey;
import java.time.Instant;

/**
 * A file at a path in a repository, belonging to one version, with the names of what it belongs
 * to (for rendering without more lookups).
 *
 * @param published when it was published, or null while only its publishers can see it
 */
public record FileEntry(
        long id,
        long repositoryId,
        long versionId,
        String path,
        String name,
        long size,
        String sha1,
        String sha256,
        String md5,
        Instant published,
        boolean listInDownloads,
        Instant created,
        String owner,
        String repository,
        String pkg,
        String version) {

    public boolean isPublished() {
        return published != null;
    }

    public BlobKey blobKey() {
        return new BlobKey(sha256);
    }
}
