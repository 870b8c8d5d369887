package dev.bindery.access;

import dev.bindery.subject.Subject;

/**
 * What a caller wants to reach: a repository, or something in it. Permission on a repository as a
 * whole is asked with {@code pkg}, {@code version} and {@code path} null; narrower grants (an
 * entitlement on a package, a version or a path, a signed URL for one file) only count when the
 * resource names what they cover.
 *
 * @param path a file's path in the repository, or null
 */
public record Resource(long repositoryId, Subject owner, String repo, boolean isPrivate, String pkg, String version,
                       String path) {

    public static Resource repository(long repositoryId, Subject owner, String repo, boolean isPrivate) {
        return new Resource(repositoryId, owner, repo, isPrivate, null, null, null);
    }

    /** This repository's file at {@code path}, of {@code pkg} and {@code version} (either may be null). */
    public Resource file(String pkg, String version, String path) {
        return new Resource(repositoryId, owner, repo, isPrivate, pkg, version, path);
    }

    public Resource pkg(String pkg) {
        return new Resource(repositoryId, owner, repo, isPrivate, pkg, null, null);
    }

    public Resource version(String pkg, String version) {
        return new Resource(repositoryId, owner, repo, isPrivate, pkg, version, null);
    }

    public boolean isRepository() {
        return pkg == null && version == null && path == null;
    }
}
