package dev.bindery.signing;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** The key pairs of subjects and the server's key pair (tables {@code signing_*}). Thread-safe. */
public final class SigningStore {

    private static final int SERVER_KEY_ID = 1;

    private final Jdbi jdbi;

    public SigningStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A stored key pair: the armored secret key ring (encrypted when {@code needsPassphrase}) and public key ring. */
    public record StoredKey(String publicKey, String privateKey, boolean needsPassphrase, String fingerprint,
                            Instant created) {
    }

    public Optional<StoredKey> subjectKey(long subjectId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT public_key, private_key, needs_passphrase,"
                        + " fingerprint, created FROM signing_subject_key WHERE subject_id = :subject")
                .bind("subject", subjectId)
                .map((rs, ctx) -> map(rs, rs.getBoolean("needs_passphrase")))
                .findOne());
    }

    public boolean hasSubjectKey(long subjectId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM signing_subject_key"
                        + " WHERE subject_id = :subject")
                .bind("subject", subjectId).mapTo(Integer.class).one() > 0);
    }

    /** Stores the subject's key pair, replacing the one it had. */
    public void putSubjectKey(long subjectId, StoredKey key) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("DELETE FROM signing_subject_key WHERE subject_id = :subject")
                    .bind("subject", subjectId).execute();
            handle.createUpdate("INSERT INTO signing_subject_key (subject_id, public_key, private_key, needs_passphrase,"
                            + " fingerprint, created) VALUES (:subject, :public, :private, :locked, :fingerprint, :created)")
                    .bind("subject", subjectId)
                    .bind("public", key.publicKey())
                    .bind("private", key.privateKey())
                    .bind("locked", key.needsPassphrase())
                    .bind("fingerprint", key.fingerprint())
                    .bind("created", key.created().toEpochMilli())
                    .execute();
        });
    }

    /** Removes the subject's key pair; false when it had none. */
    public boolean deleteSubjectKey(long subjectId) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM signing_subject_key WHERE subject_id = :subject")
                .bind("subject", subjectId).execute() > 0);
    }

    public Optional<StoredKey> serverKey() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT public_key, private_key, fingerprint, created"
                        + " FROM signing_server_key WHERE id = :id")
                .bind("id", SERVER_KEY_ID)
                .map((rs, ctx) -> map(rs, false))
                .findOne());
    }

    /**
     * Stores the server key unless a node stored one first; returns the key that is stored now, so
     * every node signs with the same key.
     */
    public StoredKey putServerKeyIfAbsent(StoredKey key) {
        try {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO signing_server_key (id, public_key, private_key,"
                            + " fingerprint, created) VALUES (:id, :public, :private, :fingerprint, :created)")
                    .bind("id", SERVER_KEY_ID)
                    .bind("public", key.publicKey())
                    .bind("private", key.privateKey())
                    .bind("fingerprint", key.fingerprint())
                    .bind("created", key.created().toEpochMilli())
                    .execute());
        } catch (UnableToExecuteStatementException e) {
            // Another node won the race; fall through to read its key.
        }
        return serverKey().orElseThrow(() -> new IllegalStateException("The server key could not be stored"));
    }

    private static StoredKey map(ResultSet rs, boolean needsPassphrase) throws SQLException {
        return new StoredKey(rs.getString("public_key"), rs.getString("private_key"), needsPassphrase,
                rs.getString("fingerprint"), Instant.ofEpochMilli(rs.getLong("created")));
    }
}
