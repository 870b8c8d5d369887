package dev.bindery.storage;

/** A blob that is complete and verified in the store, with the checksums computed while it was written. */
public record StoredBlob(BlobKey key, long size, String md5, String sha1, String sha256) {
}
