package dev.bindery.content;

import dev.bindery.storage.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what no file refers to any more: blobs of deleted files, leftovers of interrupted
 * uploads and explodes, and upload leases of crashed nodes. Blobs are removed only once they are
 * older than the grace period, so an upload that has stored its blob but not yet committed its row
 * never loses it.
 */
public final class BlobSweeper {

    private static final Logger LOG = LoggerFactory.getLogger(BlobSweeper.class);

    private final ContentStore store;
    private final BlobStore blobs;
    private final Path scratch;
    private final Clock clock;
    private final Duration grace;

    public BlobSweeper(ContentStore store, BlobStore blobs, Path scratch, Clock clock, Duration grace) {
        this.store = store;
        this.blobs = blobs;
        this.scratch = scratch;
        this.clock = clock;
        this.grace = grace;
    }

    /** One sweep; returns the number of blobs removed. */
    public int sweep() {
        var now = clock.instant();
        var before = now.minus(grace);
        int[] removed = {0};
        try {
            blobs.cleanTemporary(before);
            blobs.forEachOlderThan(before, key -> {
                if (!store.isBlobReferenced(key.sha256(), now)) {
                    try {
                        blobs.delete(key);
                        removed[0]++;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
            if (Files.isDirectory(scratch)) {
                try (var leftovers = Files.list(scratch)) {
                    for (var file : (Iterable<Path>) leftovers::iterator) {
                        if (Files.getLastModifiedTime(file).toInstant().isBefore(before)) {
                            Files.deleteIfExists(file);
                        }
                    }
                }
            }
            store.sweepLeases(before);
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Blob sweep stopped early: {}", e.getMessage());
        }
        if (removed[0] > 0) {
            LOG.info("Removed {} unreferenced blobs", removed[0]);
        }
        return removed[0];
    }
}
