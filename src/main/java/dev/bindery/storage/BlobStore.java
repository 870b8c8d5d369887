package dev.bindery.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Content-addressed storage of file bytes, keyed by SHA-256. Identical content is stored once.
 *
 * <p>{@link #put} reads the stream once, computing MD5, SHA-1 and SHA-256 as it goes, and never
 * holds the content in memory. A blob becomes visible under its key only when it is complete and
 * durable; a failed or abandoned put leaves nothing behind. Implementations are thread-safe.
 */
public interface BlobStore {

    /**
     * Stores everything {@code content} yields, up to {@code maxBytes}.
     *
     * @param expectedSha256 if not null, the put fails with {@link ChecksumMismatchException} unless the
     *                       content hashes to it (case-insensitive hex), and nothing is stored
     * @throws IOException if reading the stream or writing fails; nothing is stored then
     */
    StoredBlob put(InputStream content, long maxBytes, String expectedSha256) throws IOException;

    /** Whether a blob exists under {@code key}. */
    boolean exists(BlobKey key);

    /** The size in bytes, or empty if there is no such blob. */
    Optional<Long> size(BlobKey key);

    /** Opens the blob for reading from its start. */
    InputStream open(BlobKey key) throws IOException;

    /**
     * The blob as a local file, for zero-copy serving, or empty when the store is not local
     * (S3) or the blob is missing. Callers must only read the file.
     */
    Optional<Path> localFile(BlobKey key);

    /** Removes the blob if present. Callers make sure nothing refers to it any more. */
    void delete(BlobKey key) throws IOException;

    /** Calls {@code sink} with every blob last written before {@code before}. */
    void forEachOlderThan(Instant before, Consumer<BlobKey> sink) throws IOException;

    /** Removes leftovers of puts that never finished (a crash mid-upload), older than {@code before}. */
    void cleanTemporary(Instant before) throws IOException;

    /** Thrown by {@link #put} when the content does not hash to the expected SHA-256. */
    final class ChecksumMismatchException extends IOException {
        public ChecksumMismatchException(String expected, String actual) {
            super("SHA-256 checksum mismatch: expected " + expected + " but the content has " + actual);
        }
    }

    /** Thrown by {@link #put} when the content is longer than allowed. */
    final class TooLargeException extends IOException {
        public TooLargeException(long maxBytes) {
            super("Content exceeds the maximum of " + maxBytes + " bytes");
        }
    }
}
