package dev.bindery.content;

import dev.bindery.storage.StoredBlob;
import java.util.Map;

/**
 * Reads what a repository's format needs from a file being uploaded, before it is committed;
 * implemented by the formats. Thread-safe.
 */
@FunctionalInterface
public interface FileInspector {

    /** Inspects nothing: no file takes part in an index. */
    FileInspector NONE = (repository, path, blob, parameters) -> null;

    /**
     * @return the metadata to keep with the file, or null
     * @throws dev.bindery.BinderyException badRequest when the file cannot be indexed; the upload is refused
     */
    String inspect(Repository repository, FilePath path, StoredBlob blob, Map<String, String> parameters);
}
