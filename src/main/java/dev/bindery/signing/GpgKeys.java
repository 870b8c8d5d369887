package dev.bindery.signing;

import dev.bindery.BinderyException;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;

/**
 * The key pairs of subjects: generated (RSA 3072) or imported, one per user or organization. Only
 * the subject itself, its organization's owners and admins, and site admins manage a key; anybody
 * may read its public key. The {@code bindery gpg} commands use this directly. Thread-safe.
 */
public final class GpgKeys {

    private final SigningStore store;
    private final SubjectService subjects;
    private final Clock clock;

    public GpgKeys(SigningStore store, SubjectService subjects, Clock clock) {
        this.store = store;
        this.subjects = subjects;
        this.clock = clock;
    }

    /** What a subject's key is, without its secret. */
    public record KeyInfo(String subject, String fingerprint, boolean needsPassphrase, Instant created) {
    }

    /**
     * Generates an RSA 3072 key pair for {@code subjectName}, replacing any it had; its secret key
     * encrypted with {@code passphrase} when one is given (null or empty: none).
     */
    public KeyInfo generateKey(Caller caller, String subjectName, char[] passphrase) {
        var subject = manageable(caller, subjectName, "manage the GPG key of '" + subjectName + "'");
        // OpenPGP times are wall-clock times: gpg refuses keys "created in the future".
        var generated = OpenPgp.generate(userId(subject), passphrase, new Date());
        return save(subject, generated);
    }

    /**
     * Imports an armored secret key for {@code subjectName}, replacing any it had. The key stays
     * encrypted as it came; {@code passphrase} must unlock it.
     *
     * @throws BinderyException badRequest when it is no secret key, cannot sign, or the passphrase is wrong
     */
    public KeyInfo importKey(Caller caller, String subjectName, String armoredPrivateKey, char[] passphrase) {
        var subject = manageable(caller, subjectName, "manage the GPG key of '" + subjectName + "'");
        var imported = OpenPgp.importKey(armoredPrivateKey, passphrase, "'" + subject.name() + "'");
        return save(subject, imported);
    }

    /** The key of {@code subjectName}, to its managers; 404 when it has none. */
    public KeyInfo key(Caller caller, String subjectName) {
        var subject = manageable(caller, subjectName, "see the GPG key of '" + subjectName + "'");
        return store.subjectKey(subject.id())
                .map(key -> new KeyInfo(subject.name(), key.fingerprint(), key.needsPassphrase(), key.created()))
                .orElseThrow(() -> noKey(subject));
    }

    /** Removes the key pair of {@code subjectName}; 404 when it has none. */
    public void deleteKey(Caller caller, String subjectName) {
        var subject = manageable(caller, subjectName, "manage the GPG key of '" + subjectName + "'");
        if (!store.deleteSubjectKey(subject.id())) {
            throw noKey(subject);
        }
    }

    /** The armored public key of {@code subject}; 404 when it has none. */
    public String publicKey(Subject subject) {
        return store.subjectKey(subject.id()).map(SigningStore.StoredKey::publicKey).orElseThrow(() -> noKey(subject));
    }

    public boolean hasKey(Subject subject) {
        return store.hasSubjectKey(subject.id());
    }

    /** The subject named, if the caller may manage its key: 401 for anonymous callers, else 403. */
    Subject manageable(Caller caller, String subjectName, String action) {
        if (caller.isAnonymous()) {
            throw caller.refusal(action);
        }
        var subject = subjects.subject(subjectName);
        if (!caller.administers(subject)) {
            throw caller.refusal("User '" + caller.name() + "' is not allowed to " + action);
        }
        return subject;
    }

    private KeyInfo save(Subject subject, OpenPgp.Armored key) {
        var created = clock.instant();
        store.putSubjectKey(subject.id(), new SigningStore.StoredKey(key.publicKey(), key.privateKey(),
                key.needsPassphrase(), key.fingerprint(), created));
        return new KeyInfo(subject.name(), key.fingerprint(), key.needsPassphrase(), created);
    }

    private static String userId(Subject subject) {
        var name = subject.fullName() == null || subject.fullName().isBlank() ? subject.name() : subject.fullName();
        return subject.email() == null || subject.email().isBlank() ? name : name + " <" + subject.email() + ">";
    }

    private static BinderyException noKey(Subject subject) {
        return BinderyException.notFound("'" + subject.name() + "' has no GPG key");
    }
}
