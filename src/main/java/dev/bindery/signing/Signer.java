package dev.bindery.signing;

/** Signs with one unlocked OpenPGP key. Thread-safe. */
public interface Signer {

    /** An ASCII-armored detached signature of {@code data} (Release.gpg, repomd.xml.asc, file.asc). */
    byte[] detachedArmored(byte[] data);

    /**
     * Like {@link #detachedArmored(byte[])}, reading {@code data} to its end; Bindery's signers stream
     * it rather than hold it in memory.
     */
    default byte[] detachedArmored(java.io.InputStream data) throws java.io.IOException {
        return detachedArmored(data.readAllBytes());
    }

    /** {@code data} as a cleartext-signed document (InRelease). */
    byte[] clearSigned(byte[] data);

    /** The signing key's public key, ASCII-armored. */
    String publicKeyArmored();
}
