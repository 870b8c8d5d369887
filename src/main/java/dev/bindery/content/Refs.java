package dev.bindery.content;

/** Typed references to content, as they appear in API paths. */
public final class Refs {

    private Refs() {
    }

    public record RepoRef(String subject, String repo) {
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
