package dev.bindery.storage;

import java.util.regex.Pattern;

/**
 * The key of a stored blob: the lower-case hex SHA-256 of its content. Being 64 hex digits it
 * cannot name anything outside the blob store, whatever a client sends.
 */
public record BlobKey(String sha256) {

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public BlobKey {
        if (sha256 == null || !HEX64.matcher(sha256).matches()) {
            throw new IllegalArgumentException("Not a SHA-256 blob key: " + sha256);
        }
    }

    @Override
    public String toString() {
        return sha256;
    }
}
