package dev.bindery.content;

import dev.bindery.BinderyException;

/** Typed references to content, as they appear in API paths. */
public final class Refs {

    private Refs() {
    }

    public record RepoRef(String subject, String repo) {
        public RepoRef {
            // Names never start with a dot; a '..' here is a traversal attempt, not a lookup.
            if (FilePath.isDotSegment(subject) || FilePath.isDotSegment(repo)) {
                throw BinderyException.badRequest("Path must not contain '.' or '..' segments");
            }
        }

        @Override
        public String toString() {
            return subject + "/" + repo;
        }
    }

    public record PackageRef(String subject, String repo, String pkg) {
        public RepoRef repoRef() {
            return new RepoRef(subject, repo);
        }

        @Override
        public String toString() {
            return subject + "/" + repo + "/" + pkg;
        }
    }

    public record VersionRef(String subject, String repo, String pkg, String version) {
        public PackageRef packageRef() {
            return new PackageRef(subject, repo, pkg);
        }

        @Override
        public String toString() {
            return subject + "/" + repo + "/" + pkg + "/" + version;
        }
    }
}
