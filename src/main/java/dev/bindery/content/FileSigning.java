package dev.bindery.content;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Automatic Signing of uploaded files: finds the key that signs a repository's files, per its
 * {@code gpg_sign_files} / {@code gpg_use_owner_key} flags. Implemented by {@code dev.bindery.signing},
 * which depends on {@code content}, not the other way round.
 */
@FunctionalInterface
public interface FileSigning {

    /**
     * The signer for files uploaded to {@code repository}; empty when its flags sign no files, or when
     * its key needs a passphrase and none was given (Bintray: "When signing information is not provided
     * or is partial no GPG signing will occur").
     *
     * @param passphrase the {@code X-GPG-PASSPHRASE} header, or null
     * @throws dev.bindery.BinderyException badRequest when the passphrase is wrong
     */
    Optional<Detached> forUpload(Repository repository, char[] passphrase);

    /** Makes an ASCII-armored detached signature of everything {@code content} yields. Thread-safe. */
    @FunctionalInterface
    interface Detached {
        byte[] sign(InputStream content) throws IOException;
    }
}
