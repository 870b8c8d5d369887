package dev.bindery.formats;

import dev.bindery.content.FileEntry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The published files under one path prefix of a repository as of a file generation, kept between
 * index rebuilds so the next one reads only the rows changed since: every transaction that changes
 * a repository's files counts up its generation under the repository row's lock and stamps the
 * rows it writes (see the V016 migration and {@code ContentStore.nextFileGeneration}). A deleted
 * row leaves nothing to read, so a removal since the listing's generation reads every file again.
 * The listing is thus never trusted over the database, on any node, and adding one package to a
 * folder of thousands reads one row. One instance per repository and prefix, used by one rebuild at
 * a time.
 */
final class FileListing {

    /**
     * @param generation the repository's file generation
     * @param removal    the generation of the last transaction that deleted files
     */
    record Generation(long generation, long removal) {
    }

    /** The rows written by the generations after the first argument and up to the second. */
    @FunctionalInterface
    interface Changes {
        List<FileEntry> rows(long after, long upTo);
    }

    private final TreeMap<String, FileEntry> byPath = new TreeMap<>();
    private final Map<Long, String> pathById = new HashMap<>();
    /** The generation the listing shows, or -1 before the first read. */
    private long generation = -1;
    private boolean lastIncremental;

    /**
     * The published files by path as of {@code current}: the listing with the changed rows applied,
     * or, before the first call and after a removal, all of them read again with {@code all}.
     */
    List<FileEntry> files(Generation current, Changes changes, Supplier<List<FileEntry>> all) {
        if (generation >= 0 && current.removal() <= generation && current.generation() >= generation) {
            for (var row : changes.rows(generation, current.generation())) {
                remove(row.id());
                if (row.published() != null) {
                    var displaced = byPath.get(row.path());
                    if (displaced != null) {
                        remove(displaced.id());
                    }
                    byPath.put(row.path(), row);
                    pathById.put(row.id(), row.path());
                }
            }
            generation = current.generation();
            lastIncremental = true;
            return List.copyOf(byPath.values());
        }
        // Read after the generation: rows of later generations may be in it too, and are read again
        // (to the same effect) with the next changes.
        byPath.clear();
        pathById.clear();
        for (var file : all.get()) {
            byPath.put(file.path(), file);
            pathById.put(file.id(), file.path());
        }
        generation = current.generation();
        lastIncremental = false;
        return List.copyOf(byPath.values());
    }

    /** Whether the last {@link #files} call read the changed rows alone. */
    boolean lastWasIncremental() {
        return lastIncremental;
    }

    private void remove(long id) {
        var path = pathById.remove(id);
        if (path != null) {
            byPath.remove(path);
        }
    }
}
