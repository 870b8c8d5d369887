package dev.bindery.formats;

import dev.bindery.storage.BlobKey;
import java.time.Instant;

/** A file a format generated (Release, Packages.gz, repomd.xml, ...), served at its path. */
public record IndexFile(long repositoryId, String path, long size, String sha1, String sha256, String md5,
                        Instant updated) {

    public BlobKey blobKey() {
        return new BlobKey(sha256);
    }

    /** The row {@code bytes} would have at {@code path}, its checksums computed here. */
    public static IndexFile of(long repositoryId, String path, byte[] bytes, Instant updated) {
        return new IndexFile(repositoryId, path, bytes.length, hex("SHA-1", bytes), hex("SHA-256", bytes),
                hex("MD5", bytes), updated);
    }

    private static String hex(String algorithm, byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
