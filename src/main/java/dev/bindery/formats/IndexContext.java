package dev.bindery.formats;

import dev.bindery.content.FileEntry;
import dev.bindery.signing.Signer;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

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

    /**
     * The index files of the current generation whose path starts with {@code pathPrefix}; files a
     * rebuild superseded and keeps servable for a while are not among them.
     */
    List<IndexFile> current(String pathPrefix);

    /** The bytes of an index file generated before, if there is one at {@code path}. */
    Optional<byte[]> read(String path);

    /**
     * Replaces the index files under {@code pathPrefix} with {@code files} (path -> bytes) in one
     * step: clients see either the old set or the new one. Files under the prefix that are not in
     * the map are removed; files whose bytes did not change keep their update time.
     */
    default void replace(String pathPrefix, Map<String, byte[]> files) {
        replace(pathPrefix, files, null);
    }

    /**
     * As {@link #replace(String, Map)}, but the files removed whose path {@code keepSuperseded}
     * accepts stay servable at their path for {@link FormatService#SUPERSEDED_GRACE} (a previous
     * generation's content-addressed files, for clients that read the index naming them just before):
     * they are not listed by {@link #current} and are removed by a later rebuild or sweep once expired.
     *
     * @param keepSuperseded null to remove every superseded file at once
     */
    void replace(String pathPrefix, Map<String, byte[]> files, Predicate<String> keepSuperseded);

    /**
     * Stores {@code bytes}, the next content of the index file at {@code path}, ahead of
     * {@link #replace}, and returns its size and checksums, so a format can list them (a Debian
     * Release) without hashing the file again. Nothing is visible until {@code replace} is called
     * with the same array at that path (or at another, as a copy), which then reuses the stored blob.
     * Thread-safe: files may be staged side by side.
     */
    IndexFile stage(String path, byte[] bytes);

    /** The signer for the repository's metadata, when its flags say to sign it. */
    Optional<Signer> metadataSigner();

    Instant now();
}
