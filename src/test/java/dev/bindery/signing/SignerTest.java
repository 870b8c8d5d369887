package dev.bindery.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bindery.BinderyException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The signer on its own: BouncyCastle verifies what it signs; the real gpg does in {@link GpgSigningTest}. */
class SignerTest {

    private static OpenPgp.Armored key;

    @BeforeAll
    static void generateKey() {
        key = OpenPgp.generate("Signer Test <signer@example.com>", "secret".toCharArray(), new Date());
    }

    @Test
    void generatesAnRsa3072KeyLockedWithItsPassphrase() throws Exception {
        var ring = publicRing(key.publicKey());
        assertThat(ring.getPublicKey().getBitStrength()).isEqualTo(3072);
        assertThat(ring.getPublicKey().getUserIDs().next()).isEqualTo("Signer Test <signer@example.com>");
        assertThat(OpenPgp.fingerprint(ring.getPublicKey().getFingerprint())).isEqualTo(key.fingerprint());
        assertThat(key.needsPassphrase()).isTrue();
        assertThat(key.privateKey()).startsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----");
    }

    @Test
    void makesADetachedSha256SignatureThatVerifies() throws Exception {
        // given
        var signer = OpenPgp.signer(key.privateKey(), "secret".toCharArray(), "test");
        var data = "hello, world\n".getBytes(StandardCharsets.UTF_8);
        // when
        var armored = signer.detachedArmored(data);
        // then
        assertThat(new String(armored, StandardCharsets.US_ASCII)).startsWith("-----BEGIN PGP SIGNATURE-----");
        var signature = readSignature(armored);
        assertThat(signature.getHashAlgorithm()).isEqualTo(HashAlgorithmTags.SHA256);
        assertThat(verify(signature, data)).isTrue();
        assertThat(verify(readSignature(armored), "hello, World\n".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void streamsTheSameSignatureItMakesFromBytes() throws Exception {
        var signer = OpenPgp.signer(key.privateKey(), "secret".toCharArray(), "test");
        var data = new byte[300_000];
        new java.util.Random(7).nextBytes(data);
        var signature = readSignature(signer.detachedArmored(new ByteArrayInputStream(data)));
        assertThat(verify(signature, data)).isTrue();
    }

    @Test
    void clearSignsWithDashEscapingAndCanonicalLineEnds() throws Exception {
        // given: a Release-like text with a line starting with a dash and trailing blanks
        var signer = OpenPgp.signer(key.privateKey(), "secret".toCharArray(), "test");
        var text = "Origin: bindery\n- dashed line\nLabel: x  \n";
        // when
        var signed = new String(signer.clearSigned(text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        // then
        assertThat(signed).startsWith("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nOrigin: bindery\n- - dashed line\n");
        var signatureStart = signed.indexOf("-----BEGIN PGP SIGNATURE-----");
        var signature = readSignature(signed.substring(signatureStart).getBytes(StandardCharsets.US_ASCII));
        assertThat(signature.getSignatureType()).isEqualTo(PGPSignature.CANONICAL_TEXT_DOCUMENT);
        var canonical = "Origin: bindery\r\n- dashed line\r\nLabel: x";
        assertThat(verify(signature, canonical.getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void refusesAWrongOrMissingPassphrase() {
        assertThatThrownBy(() -> OpenPgp.signer(key.privateKey(), "wrong".toCharArray(), "'alice'"))
                .isInstanceOf(BinderyException.class)
                .hasMessage("Wrong passphrase for the GPG key of 'alice'")
                .extracting(e -> ((BinderyException) e).kind()).isEqualTo(BinderyException.Kind.BAD_REQUEST);
        assertThatThrownBy(() -> OpenPgp.signer(key.privateKey(), null, "'alice'"))
                .isInstanceOf(BinderyException.class)
                .hasMessageContaining("requires a passphrase");
    }

    @Test
    void importsAKeyOnlyWithThePassphraseThatUnlocksIt() {
        var imported = OpenPgp.importKey(key.privateKey(), "secret".toCharArray(), "'alice'");
        assertThat(imported.fingerprint()).isEqualTo(key.fingerprint());
        assertThat(imported.needsPassphrase()).isTrue();
        assertThatThrownBy(() -> OpenPgp.importKey(key.privateKey(), "nope".toCharArray(), "'alice'"))
                .hasMessage("Wrong passphrase for the GPG key of 'alice'");
        assertThatThrownBy(() -> OpenPgp.importKey(key.publicKey(), null, "'alice'"))
                .hasMessageContaining("is not an OpenPGP secret key");
    }

    @Test
    void generatesKeysWithoutPassphrase() {
        var open = OpenPgp.generate("Open", null, new Date());
        assertThat(open.needsPassphrase()).isFalse();
        var signer = OpenPgp.signer(open.privateKey(), null, "test");
        assertThat(signer.publicKeyArmored()).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
    }

    private static PGPPublicKeyRing publicRing(String armored) throws Exception {
        return new PGPPublicKeyRing(PGPUtil.getDecoderStream(new ByteArrayInputStream(
                armored.getBytes(StandardCharsets.US_ASCII))), new BcKeyFingerprintCalculator());
    }

    private static PGPSignature readSignature(byte[] armored) throws Exception {
        var factory = new BcPGPObjectFactory(PGPUtil.getDecoderStream(new ByteArrayInputStream(armored)));
        return ((PGPSignatureList) factory.nextObject()).get(0);
    }

    private static boolean verify(PGPSignature signature, byte[] data) throws Exception {
        var publicKey = publicRing(key.publicKey()).getPublicKey(signature.getKeyID());
        signature.init(new BcPGPContentVerifierBuilderProvider(), publicKey);
        signature.update(data);
        return signature.verify();
    }
}
