package dev.bindery.access;

/** What a caller may do in a repository, each level including the ones below it. */
public enum Permission {
    NONE, READ, PUBLISH, ADMIN;

    public boolean atLeast(Permission other) {
        return compareTo(other) >= 0;
    }
}
