package dev.bindery.signing;

import dev.bindery.BinderyException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.BCPGOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.Features;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * The BouncyCastle calls behind signing: generating an RSA 3072 key ring, reading an armored secret
 * key ring, unlocking its signing key, and making detached and cleartext signatures with SHA-256.
 * Stateless; the {@link Signer}s it returns are thread-safe.
 */
final class OpenPgp {

    static final int RSA_BITS = 3072;
    private static final SecureRandom RANDOM = new SecureRandom();

    private OpenPgp() {
    }

    /** A key ring as stored: armored secret and public key rings, and the signing key's fingerprint. */
    record Armored(String privateKey, String publicKey, String fingerprint, boolean needsPassphrase) {
    }

    /**
     * Generates an RSA 3072 key that certifies and signs (no encryption subkey: Bindery only signs),
     * with {@code userId}; its secret part encrypted with AES-256 under {@code passphrase} when one is given.
     */
    static Armored generate(String userId, char[] passphrase, Date created) {
        try {
            var generator = new RSAKeyPairGenerator();
            generator.init(new RSAKeyGenerationParameters(BigInteger.valueOf(0x10001), RANDOM, RSA_BITS, 80));
            var keyPair = new BcPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, generator.generateKeyPair(), created);
            var hashed = new PGPSignatureSubpacketGenerator();
            hashed.setKeyFlags(true, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
            hashed.setPreferredHashAlgorithms(false, new int[] {HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA384,
                    HashAlgorithmTags.SHA256});
            hashed.setPreferredSymmetricAlgorithms(false, new int[] {SymmetricKeyAlgorithmTags.AES_256,
                    SymmetricKeyAlgorithmTags.AES_128});
            hashed.setFeature(false, Features.FEATURE_MODIFICATION_DETECTION);
            var checksum = new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1);
            boolean locked = passphrase != null && passphrase.length > 0;
            var encryptor = locked
                    ? new BcPBESecretKeyEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256,
                            new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA256), 0x60)
                            .setSecureRandom(RANDOM).build(passphrase)
                    : null;
            var ring = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, keyPair, userId, checksum,
                    hashed.generate(), null,
                    new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.RSA_GENERAL, HashAlgorithmTags.SHA256), encryptor);
            var secret = ring.generateSecretKeyRing();
            return new Armored(armor(secret.getEncoded()), armor(ring.generatePublicKeyRing().getEncoded()),
                    fingerprint(secret.getSecretKey().getFingerprint()), locked);
        } catch (PGPException | IOException e) {
            throw new IllegalStateException("Generating an OpenPGP key failed", e);
        }
    }

    /**
     * Reads an armored (or binary) secret key ring, checks that {@code passphrase} unlocks its signing
     * key, and returns it re-armored with its public key ring. The secret key stays encrypted as it was.
     *
     * @throws BinderyException badRequest when it is no secret key, has no key that can sign, or the
     *                          passphrase does not unlock it
     */
    static Armored importKey(String armoredPrivateKey, char[] passphrase, String who) {
        var ring = parse(armoredPrivateKey, who);
        var key = signingKey(ring, who);
        unlock(key, passphrase, who);
        try {
            return new Armored(armor(ring.getEncoded()), armor(ring.toCertificate().getEncoded()),
                    fingerprint(key.getFingerprint()), isLocked(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Unlocks the signing key of an armored secret key ring; {@code who} names it in messages. */
    static Signer signer(String armoredPrivateKey, char[] passphrase, String who) {
        var ring = parse(armoredPrivateKey, who);
        var key = signingKey(ring, who);
        var privateKey = unlock(key, passphrase, who);
        try {
            return new PgpSigner(key.getPublicKey(), privateKey, armor(ring.toCertificate().getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the signing key of an armored secret key ring is encrypted. */
    static boolean needsPassphrase(String armoredPrivateKey) {
        var ring = parse(armoredPrivateKey, "the stored key");
        return isLocked(signingKey(ring, "the stored key"));
    }

    private static PGPSecretKeyRing parse(String armored, String who) {
        if (armored == null || armored.isBlank()) {
            throw BinderyException.badRequest("The private key of " + who + " is missing");
        }
        try (InputStream in = PGPUtil.getDecoderStream(
                new ByteArrayInputStream(armored.trim().getBytes(StandardCharsets.UTF_8)))) {
            return new PGPSecretKeyRing(in, new BcKeyFingerprintCalculator());
        } catch (IOException | PGPException | RuntimeException e) {
            throw BinderyException.badRequest("The private key of " + who + " is not an OpenPGP secret key"
                    + " (expected an ASCII-armored '-----BEGIN PGP PRIVATE KEY BLOCK-----')");
        }
    }

    /**
     * The key to sign with: the newest subkey whose binding signature allows signing, else the
     * primary key, as gpg chooses.
     */
    private static PGPSecretKey signingKey(PGPSecretKeyRing ring, String who) {
        PGPSecretKey best = null;
        for (var key : ring) {
            if (key.isMasterKey() || key.isPrivateKeyEmpty() || !key.isSigningKey() || !allowsSigning(key.getPublicKey())) {
                continue;
            }
            if (best == null || key.getPublicKey().getCreationTime().after(best.getPublicKey().getCreationTime())) {
                best = key;
            }
        }
        if (best != null) {
            return best;
        }
        var primary = ring.getSecretKey();
        if (primary == null || primary.isPrivateKeyEmpty() || !primary.isSigningKey()) {
            throw BinderyException.badRequest("The private key of " + who + " has no secret key that can sign");
        }
        return primary;
    }

    private static boolean allowsSigning(PGPPublicKey key) {
        Iterator<PGPSignature> signatures = key.getSignatures();
        while (signatures.hasNext()) {
            var signature = signatures.next();
            var hashed = signature.getHashedSubPackets();
            if (hashed != null && (hashed.getKeyFlags() & KeyFlags.SIGN_DATA) != 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLocked(PGPSecretKey key) {
        return key.getKeyEncryptionAlgorithm() != SymmetricKeyAlgorithmTags.NULL;
    }

    private static PGPPrivateKey unlock(PGPSecretKey key, char[] passphrase, String who) {
        boolean locked = isLocked(key);
        if (locked && (passphrase == null || passphrase.length == 0)) {
            throw BinderyException.badRequest("The GPG key of " + who + " requires a passphrase: send it in the"
                    + " X-GPG-PASSPHRASE header or the 'passphrase' field");
        }
        try {
            var decryptor = new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider())
                    .build(locked ? passphrase : new char[0]);
            var privateKey = key.extractPrivateKey(decryptor);
            if (privateKey == null) {
                throw BinderyException.badRequest("The private key of " + who + " has no secret key that can sign");
            }
            return privateKey;
        } catch (PGPException | RuntimeException e) {
            if (e instanceof BinderyException binderyException) {
                throw binderyException;
            }
            throw BinderyException.badRequest("Wrong passphrase for the GPG key of " + who);
        }
    }

    static String fingerprint(byte[] fingerprint) {
        return HexFormat.of().formatHex(fingerprint).toUpperCase(Locale.ROOT);
    }

    private static String armor(byte[] encoded) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var armored = new ArmoredOutputStream(bytes)) {
            armored.clearHeaders();
            armored.write(encoded);
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    /** Signs with one unlocked key; a new signature generator per call, so it is thread-safe. */
    private record PgpSigner(PGPPublicKey publicKey, PGPPrivateKey privateKey, String publicKeyArmored)
            implements Signer {

        @Override
        public byte[] detachedArmored(byte[] data) {
            try {
                return detachedArmored(new ByteArrayInputStream(data));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public byte[] detachedArmored(InputStream data) throws IOException {
            var generator = generator(PGPSignature.BINARY_DOCUMENT);
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = data.read(buffer)) > 0) {
                generator.update(buffer, 0, read);
            }
            var out = new ByteArrayOutputStream();
            try (var armored = new ArmoredOutputStream(out)) {
                armored.clearHeaders();
                generate(generator).encode(armored);
            }
            return out.toByteArray();
        }

        /**
         * The cleartext signature framework (RFC 4880 section 7): the text dash-escaped by the armor
         * stream, signed as canonical text (lines without trailing blanks, joined by CRLF). As with
         * {@code gpg --clearsign}, the final line break belongs to the framing, not the signed text.
         */
        @Override
        public byte[] clearSigned(byte[] data) {
            var text = new String(data, StandardCharsets.UTF_8);
            var lines = new ArrayList<String>(java.util.List.of(text.split("\n", -1)));
            if (lines.size() > 1 && lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            var generator = generator(PGPSignature.CANONICAL_TEXT_DOCUMENT);
            var out = new ByteArrayOutputStream();
            try (var armored = new ArmoredOutputStream(out)) {
                armored.clearHeaders();
                armored.beginClearText(HashAlgorithmTags.SHA256);
                for (int i = 0; i < lines.size(); i++) {
                    var line = stripTrailing(lines.get(i));
                    if (i > 0) {
                        generator.update("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    var bytes = line.getBytes(StandardCharsets.UTF_8);
                    generator.update(bytes);
                    armored.write(bytes);
                    armored.write('\n');
                }
                armored.endClearText();
                generate(generator).encode(new BCPGOutputStream(armored));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }

        private static String stripTrailing(String line) {
            int end = line.length();
            while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t'
                    || line.charAt(end - 1) == '\r')) {
                end--;
            }
            return line.substring(0, end);
        }

        private PGPSignatureGenerator generator(int signatureType) {
            try {
                var generator = new PGPSignatureGenerator(
                        new BcPGPContentSignerBuilder(publicKey.getAlgorithm(), HashAlgorithmTags.SHA256), publicKey);
                generator.init(signatureType, privateKey);
                var hashed = new PGPSignatureSubpacketGenerator();
                hashed.setSignatureCreationTime(true, new Date());
                hashed.setIssuerFingerprint(false, publicKey);
                generator.setHashedSubpackets(hashed.generate());
                var unhashed = new PGPSignatureSubpacketGenerator();
                unhashed.setIssuerKeyID(false, publicKey.getKeyID());
                generator.setUnhashedSubpackets(unhashed.generate());
                return generator;
            } catch (PGPException e) {
                throw new IllegalStateException("Cannot sign with key " + fingerprint(publicKey.getFingerprint()), e);
            }
        }

        private static PGPSignature generate(PGPSignatureGenerator generator) {
            try {
                return generator.generate();
            } catch (PGPException e) {
                throw new IllegalStateException("Signing failed", e);
            }
        }
    }
}
