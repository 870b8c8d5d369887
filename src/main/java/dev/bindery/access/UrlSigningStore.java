package dev.bindery.access;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** The URL signing key pairs of subjects (table {@code access_url_signing_key}). Thread-safe. */
public final class UrlSigningStore {

    private final Jdbi jdbi;

    public UrlSigningStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * A stored key pair, base64 encoded.
     *
     * @param created epoch millis
     */
    public record StoredKey(String publicKey, String privateKey, long created) {
    }

    public Optional<StoredKey> key(long subjectId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT public_key, private_key, created"
                        + " FROM access_url_signing_key WHERE subject_id = :subject")
                .bind("subject", subjectId)
                .map((rs, ctx) -> new StoredKey(rs.getString("public_key"), rs.getString("private_key"),
                        rs.getLong("created")))
                .findOne());
    }

    /**
     * Stores the key unless one is stored already (two nodes signing a first URL at once); returns the
     * key stored now, so both sign with the same one.
     */
    public StoredKey putIfAbsent(long subjectId, StoredKey key) {
        try {
            insert(subjectId, key);
            return key;
        } catch (UnableToExecuteStatementException e) {
            return key(subjectId).orElseThrow(() -> e);
        }
    }

    /** Replaces the subject's key. */
    public void replace(long subjectId, StoredKey key) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("DELETE FROM access_url_signing_key WHERE subject_id = :subject")
                    .bind("subject", subjectId).execute();
            insert(handle, subjectId, key);
        });
    }

    private void insert(long subjectId, StoredKey key) {
        jdbi.useHandle(handle -> insert(handle, subjectId, key));
    }

    private static void insert(org.jdbi.v3.core.Handle handle, long subjectId, StoredKey key) {
        handle.createUpdate("INSERT INTO access_url_signing_key (subject_id, public_key,"
                        + " private_key, created) VALUES (:subject, :public, :private, :created)")
                .bind("subject", subjectId)
                .bind("public", key.publicKey())
                .bind("private", key.privateKey())
                .bind("created", key.created())
                .execute();
    }
}
