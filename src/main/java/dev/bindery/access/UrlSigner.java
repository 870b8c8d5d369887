package dev.bindery.access;

import dev.bindery.subject.Caller;
import dev.bindery.subject.Credential;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The URL signing keys of subjects, and the grant a verified signed URL carries. Each subject (user
 * or organization) has one Ed25519 key pair (the JDK's), generated the first time it signs a URL
 * and kept in the database; re-generating it revokes every URL it signed. Keys are cached in
 * memory, negative answers too, for {@code cacheTtl}, so verifying a download needs no database
 * after the first one; a key re-generated on another node is seen here after at most that long.
 *
 * <p>As a {@link GrantSource} it gives the holder of a verified signed URL
 * ({@link Credential.SignedUrl}) read access to exactly the signed file. Thread-safe.
 */
public final class UrlSigner implements GrantSource {

    private static final String ALGORITHM = "Ed25519";
    private static final byte[] WRAP_LABEL = "bindery signed url key wrap v1".getBytes(StandardCharsets.UTF_8);

    private final UrlSigningStore store;
    private final Clock clock;
    private final long ttlNanos;
    private final ConcurrentHashMap<Long, Cached> keys = new ConcurrentHashMap<>();

    /** A subject's key pair, decoded; {@code wrapKey} is an AES-256 key derived from the private key. */
    private record Keys(PrivateKey privateKey, PublicKey publicKey, byte[] wrapKey) {
    }

    private record Cached(Optional<Keys> keys, long loadedAtNanos) {
    }

    public UrlSigner(UrlSigningStore store, Clock clock, Duration cacheTtl) {
        this.store = store;
        this.clock = clock;
        this.ttlNanos = cacheTtl.toNanos();
    }

    @Override
    public Permission grant(Caller caller, Resource resource) {
        if (caller.credential() instanceof Credential.SignedUrl url && url.repositoryId() == resource.repositoryId()
                && url.path().equals(resource.path())) {
            return Permission.READ;
        }
        return Permission.NONE;
    }

    /** Signs {@code message} with the subject's key, generating the key on first need. */
    public byte[] sign(long subjectId, byte[] message) {
        var pair = keys(subjectId).orElseGet(() -> create(subjectId));
        try {
            var signature = Signature.getInstance(ALGORITHM);
            signature.initSign(pair.privateKey());
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign with Ed25519", e);
        }
    }

    /** Whether {@code signature} is the subject's current key's signature of {@code message}. */
    public boolean verify(long subjectId, byte[] message, byte[] signature) {
        var pair = keys(subjectId);
        if (pair.isEmpty()) {
            return false;
        }
        try {
            var verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(pair.get().publicKey());
            verifier.update(message);
            return verifier.verify(signature);
        } catch (java.security.SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot verify with Ed25519", e);
        }
    }

    /**
     * An AES-256 key only this subject's current signing key yields (HMAC-SHA256 of a fixed label,
     * keyed by the private key), for what signed URLs carry encrypted; empty when it has no key.
     */
    public Optional<byte[]> wrapKey(long subjectId, boolean create) {
        var pair = keys(subjectId);
        if (pair.isEmpty() && create) {
            pair = Optional.of(create(subjectId));
        }
        return pair.map(Keys::wrapKey);
    }

    /** Replaces the subject's key pair: every URL signed with the old one stops verifying. */
    public void regenerate(long subjectId) {
        var generated = generate();
        store.replace(subjectId, generated);
        keys.put(subjectId, new Cached(Optional.of(decode(generated)), System.nanoTime()));
    }

    private Keys create(long subjectId) {
        var stored = store.putIfAbsent(subjectId, generate());
        var decoded = decode(stored);
        keys.put(subjectId, new Cached(Optional.of(decoded), System.nanoTime()));
        return decoded;
    }

    private Optional<Keys> keys(long subjectId) {
        var hit = keys.get(subjectId);
        long now = System.nanoTime();
        if (hit != null && now - hit.loadedAtNanos() < ttlNanos) {
            return hit.keys();
        }
        var loaded = store.key(subjectId).map(UrlSigner::decode);
        keys.put(subjectId, new Cached(loaded, now));
        return loaded;
    }

    private UrlSigningStore.StoredKey generate() {
        try {
            var pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            var encoder = Base64.getEncoder();
            return new UrlSigningStore.StoredKey(encoder.encodeToString(pair.getPublic().getEncoded()),
                    encoder.encodeToString(pair.getPrivate().getEncoded()), clock.millis());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot generate an Ed25519 key pair", e);
        }
    }

    private static Keys decode(UrlSigningStore.StoredKey stored) {
        try {
            var factory = KeyFactory.getInstance(ALGORITHM);
            var decoder = Base64.getDecoder();
            var privateBytes = decoder.decode(stored.privateKey());
            var privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(privateBytes));
            var publicKey = factory.generatePublic(new X509EncodedKeySpec(decoder.decode(stored.publicKey())));
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(privateBytes, "HmacSHA256"));
            return new Keys(privateKey, publicKey, mac.doFinal(WRAP_LABEL));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("Stored URL signing key cannot be decoded", e);
        }
    }
}
