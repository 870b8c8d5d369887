package dev.bindery.formats;

import dev.bindery.content.FilePath;
import dev.bindery.content.Repository;
import dev.bindery.content.RepositoryType;
import dev.bindery.storage.StoredBlob;
import java.util.Map;

/**
 * What one repository type knows: how to read an uploaded file's metadata, and how to build the
 * index its native client reads (Debian {@code dists/}, YUM {@code repodata/}, {@code maven-metadata.xml}).
 * Implementations are thread-safe and stateless across repositories; {@link FormatService} calls
 * {@link #reindex} for one repository at a time.
 */
public interface RepositoryFormat {

    RepositoryType type();

    /**
     * Checks a file being uploaded, before it is committed, and reads what the index needs.
     *
     * @param parameters the upload's format parameters, e.g. {@code deb_distribution}: matrix
     *                   parameters, query parameters and the {@code X-Bintray-Debian-*} headers, by name
     * @return the metadata to keep with the file (any text, typically JSON), or null when the file
     *         takes no part in the index
     * @throws dev.bindery.BinderyException badRequest naming the problem when the file cannot be indexed;
     *         the upload is refused and nothing changes
     */
    default String inspect(Repository repository, FilePath path, StoredBlob blob, Map<String, String> parameters) {
        return null;
    }

    /**
     * Rebuilds the index of {@code repository} from its published files, writing it through
     * {@code index}. Called after publishes and deletes, and for {@code calc_metadata}.
     *
     * @param path the part of the repository to recalculate ({@code calc_metadata}'s path), or "" for all
     */
    void reindex(Repository repository, String path, IndexContext index);
}
