package dev.bindery.formats;

import dev.bindery.content.FileEntry;
import dev.bindery.signing.Signer;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a format gets to rebuild one repository's index. */
public interface IndexContext {

    /** Published files whose path starts with {@code pathPrefix} ("" for all), with their metadata, by path. */
    List<IndexedFile> files(String pathPrefix);

    /**
     * Published files whose path starts with {@code pathPrefix}, without their metadata: cheaper than
     * {@link #files} for a format that keeps what it read from files it saw before.
     */
    List<FileEntry> fileEntries(String pathPrefix);

    /** The metadata of the files with these ids, by id; files without metadata are left out. */
    Map<Long, String> metadata(Collection<Long> fileIds);

    /** The index files generated before, whose path starts with {@code pathPrefix}. */
    List<IndexFile> current(String pathPrefix);

    /** The bytes of an index file generated before, if there is one at {@code path}. */
    Optional<byte[]> read(String path);

    /**
     * Replaces the index files under {@code pathPrefix} with {@code files} (path -> bytes) in one
     * step: clients see either the old set or the new one. Files under the prefix that are not in
     * the map are removed; files whose bytes did not change keep their update time.
     */
    void replace(String pathPrefix, Map<String, byte[]> files);

    /**
     * Stores {@code bytes}, the next content of the index file at {@code path}, ahead of
     * {@link #replace}, and returns its size and checksums, so a format can list them (a Debian
     * Release) without hashing the file again. Nothing is visible until {@code replace} is called
     * with the same array at that path, which then reuses the stored blob. Thread-safe: files may be
     * staged side by side.
     */
    IndexFile stage(String path, byte[] bytes);

    /** The signer for the repository's metadata, when its flags say to sign it. */
    Optional<Signer> metadataSigner();

    Instant now();
}
