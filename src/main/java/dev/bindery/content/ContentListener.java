package dev.bindery.content;

/**
 * Told about published and deleted content after the change is committed, off the request thread
 * for publishing. Repository formats implement it to rebuild their indexes. Implementations must be
 * thread-safe; an exception is logged and does not undo the change.
 */
public interface ContentListener {

    /** Files of {@code version} were published (by upload with publish, or by the publish call). */
    default void published(Repository repository, Pkg pkg, Version version) {
    }

    /** A file was deleted, or a version or package with its files. */
    default void deleted(Repository repository, Pkg pkg) {
    }

    /**
     * A repository was created or its settings changed (e.g. its Debian defaults, its description or
     * its signing flags): an index built from them, even of an empty repository, is due.
     */
    default void repositoryChanged(Repository repository) {
    }
}
