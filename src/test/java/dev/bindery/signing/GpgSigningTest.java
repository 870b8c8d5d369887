package dev.bindery.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.content.Refs.RepoRef;
import dev.bindery.subject.Caller;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.Gpg;
import dev.bindery.support.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPG Signing end to end: keys generated and imported through the API, public keys fetched from
 * it, versions and files signed, uploads signed automatically, and every signature checked by the
 * real gpg with the key the API serves.
 */
class GpgSigningTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    @TempDir
    Path dir;

    private Gpg gpg;

    @BeforeEach
    void isolatedGpg() throws Exception {
        gpg = Gpg.isolated();
    }

    @AfterEach
    void stopGpg() throws Exception {
        gpg.close();
    }

    private static Response generateKey(String subjectPath, String user, String passphrase) {
        var response = server.as(user).postJson("/api/v1/" + subjectPath + "/keys/gpg",
                passphrase == null ? "" : "{\"passphrase\": \"" + passphrase + "\"}");
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response;
    }

    private static void givenPackage(String owner, String repo, String repoJson) {
        server.createRepository(owner, repo, repoJson);
        server.createPackage(owner, repo, "tool");
    }

    /** Downloads {@code path} and its {@code .asc} into the temp dir and has gpg verify them with the served key. */
    private Gpg.Result verifyDownloaded(String owner, String repo, String path, String publicKeyPath) throws Exception {
        var key = server.anonymous().get(publicKeyPath);
        assertThat(key.status()).as(key.toString()).isEqualTo(200);
        assertThat(gpg.importKey(key.body()).ok()).isTrue();
        var data = dir.resolve(Path.of(path).getFileName().toString());
        var signature = dir.resolve(data.getFileName() + ".asc");
        var file = server.as(owner).get("/dl/" + owner + "/" + repo + "/" + path);
        var asc = server.as(owner).get("/dl/" + owner + "/" + repo + "/" + path + ".asc");
        assertThat(file.status()).isEqualTo(200);
        assertThat(asc.status()).as(asc.toString()).isEqualTo(200);
        Files.write(data, file.bytes());
        Files.write(signature, asc.bytes());
        return gpg.verify(signature, data);
    }

    private static List<String> versionPaths(String owner, String repo, String version) {
        var files = server.as(owner).get("/api/v1/packages/" + owner + "/" + repo + "/tool/versions/" + version
                + "/files?include_unpublished=1");
        assertThat(files.status()).isEqualTo(200);
        var paths = new ArrayList<String>();
        files.json().forEach(file -> paths.add(file.get("path").asText()));
        return paths;
    }

    // --- keys ----------------------------------------------------------------------------------

    @Test
    void generatesAKeyWhosePublicKeyAnybodyMayFetch() throws Exception {
        // when
        var generated = generateKey("users/alice", "alice", null);
        var publicKey = server.anonymous().get("/api/v1/users/alice/keys/gpg/public.key");
        // then
        assertThat(generated.json().get("passphrase_required").asBoolean()).isFalse();
        assertThat(publicKey.status()).isEqualTo(200);
        assertThat(publicKey.header("Content-Type")).startsWith("application/pgp-keys");
        assertThat(publicKey.body()).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
        assertThat(publicKey.body()).doesNotContain("PRIVATE");
        assertThat(gpg.importKey(publicKey.body()).ok()).isTrue();
        assertThat(gpg.fingerprint("alice")).isEqualTo(generated.json().get("fingerprint").asText());
    }

    @Test
    void answers404ForASubjectWithoutKey() {
        server.apiKey("bert");
        var none = server.anonymous().get("/api/v1/users/bert/keys/gpg/public.key");
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.message()).contains("bert");
        assertThat(server.anonymous().get("/api/v1/users/nobody-here/keys/gpg/public.key").status()).isEqualTo(404);
    }

    @Test
    void organizationAdminsManageTheOrganizationsKey() {
        // given
        server.createOrg("acme", "olga");
        server.apiKey("outsider");
        // when
        var anonymous = server.anonymous().post("/api/v1/orgs/acme/keys/gpg");
        var outsider = server.as("outsider").post("/api/v1/orgs/acme/keys/gpg");
        var owner = server.as("olga").post("/api/v1/orgs/acme/keys/gpg");
        // then
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(owner.status()).isEqualTo(201);
        var publicKey = server.anonymous().get("/api/v1/orgs/acme/keys/gpg/public.key");
        assertThat(publicKey.status()).isEqualTo(200);
        assertThat(publicKey.header("Content-Type")).startsWith("application/pgp-keys");
        assertThat(server.as("outsider").delete("/api/v1/orgs/acme/keys/gpg").status()).isEqualTo(403);
    }

    @Test
    void importsAKeyMadeByGpgOnlyWithItsPassphrase() throws Exception {
        // given: an Ed25519 key made by gpg itself, locked with a passphrase
        var secret = gpg.generateSecretKey("Carl <carl@example.com>", "ed25519", "carl-pass");
        var fingerprint = gpg.fingerprint("carl@example.com");
        var body = "{\"private_key\": \"" + secret.replace("\n", "\\n") + "\", \"passphrase\": \"%s\"}";
        // when
        var wrong = server.as("carl").putJson("/api/v1/users/carl/keys/gpg", body.formatted("nope"));
        var right = server.as("carl").putJson("/api/v1/users/carl/keys/gpg", body.formatted("carl-pass"));
        // then
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.message()).isEqualTo("Wrong passphrase for the GPG key of 'carl'");
        assertThat(right.status()).as(right.toString()).isEqualTo(201);
        assertThat(right.json().get("fingerprint").asText()).isEqualTo(fingerprint);
        assertThat(right.json().get("passphrase_required").asBoolean()).isTrue();

        // and it signs what gpg verifies
        givenPackage("carl", "generic", "{\"type\": \"generic\"}");
        server.publishFile("carl", "generic", "tool", "1.0", "tool.txt", "carl's tool");
        var signed = server.as("carl").send(server.as("carl").request("/api/v1/gpg/carl/generic/tool.txt",
                "X-GPG-PASSPHRASE", "carl-pass").POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
        assertThat(signed.status()).as(signed.toString()).isEqualTo(200);
        var verified = verifyDownloaded("carl", "generic", "tool.txt", "/api/v1/users/carl/keys/gpg/public.key");
        assertThat(verified.ok()).as(verified.toString()).isTrue();
        assertThat(verified.status()).contains("VALIDSIG");
    }

    @Test
    void refusesToImportWhatIsNoSecretKey() {
        var response = server.as("dora").putJson("/api/v1/users/dora/keys/gpg",
                "{\"private_key\": \"-----BEGIN PGP PUBLIC KEY BLOCK-----\\n\\nxx\\n-----END PGP PUBLIC KEY BLOCK-----\"}");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("not an OpenPGP secret key");
        assertThat(server.as("dora").putJson("/api/v1/users/dora/keys/gpg", "{}").status()).isEqualTo(400);
    }

    @Test
    void deletesAKeyUnlessARepositorySignsWithIt() {
        // given: a key, and a repository that signs with it
        generateKey("users/edda", "edda", null);
        server.createRepository("edda", "owned", "{\"type\": \"generic\", \"gpg_use_owner_key\": true}");
        // when
        var refused = server.as("edda").delete("/api/v1/users/edda/keys/gpg");
        server.as("edda").patchJson("/api/v1/repos/edda/owned", "{\"gpg_use_owner_key\": false}");
        var deleted = server.as("edda").delete("/api/v1/users/edda/keys/gpg");
        // then
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.message()).contains("edda/owned");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(server.anonymous().get("/api/v1/users/edda/keys/gpg/public.key").status()).isEqualTo(404);
        assertThat(server.as("edda").patchJson("/api/v1/repos/edda/owned", "{\"gpg_use_owner_key\": true}").status())
                .isEqualTo(400);
    }

    @Test
    void ownerKeyFlagNeedsAnOwnerKey() {
        var without = server.as("fritz").postJson("/api/v1/repos/fritz/signed",
                "{\"type\": \"generic\", \"gpg_use_owner_key\": true}");
        assertThat(without.status()).isEqualTo(400);
        assertThat(without.message()).contains("requires a GPG key pair on 'fritz'");
        generateKey("users/fritz", "fritz", null);
        var with = server.as("fritz").postJson("/api/v1/repos/fritz/signed",
                "{\"type\": \"generic\", \"gpg_use_owner_key\": true}");
        assertThat(with.status()).isEqualTo(201);
    }

    // --- GPG Sign a Version / a File -----------------------------------------------------------

    @Test
    void signsEveryFileOfAVersionWithThePassphraseHeader() throws Exception {
        // given: a key with a passphrase and a version of two files, one unpublished
        generateKey("users/gina", "gina", "gina-pass");
        givenPackage("gina", "generic", "{\"type\": \"generic\"}");
        server.publishFile("gina", "generic", "tool", "1.0", "bin/tool-1.0.txt", "tool one");
        assertThat(server.as("gina").put("/api/v1/content/gina/generic/tool/1.0/doc/readme.txt", "read me").status())
                .isEqualTo(201);
        // when
        var response = server.as("gina").send(server.as("gina").request(
                "/api/v1/gpg/gina/generic/tool/versions/1.0", "X-GPG-PASSPHRASE", "gina-pass")
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
        // then
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.message()).isEqualTo("success");
        assertThat(versionPaths("gina", "generic", "1.0")).containsExactlyInAnyOrder(
                "bin/tool-1.0.txt", "bin/tool-1.0.txt.asc", "doc/readme.txt", "doc/readme.txt.asc");
        var verified = verifyDownloaded("gina", "generic", "bin/tool-1.0.txt", "/api/v1/users/gina/keys/gpg/public.key");
        assertThat(verified.ok()).as(verified.toString()).isTrue();
        // the unpublished file's signature waits for the publish like the file
        assertThat(server.anonymous().get("/dl/gina/generic/doc/readme.txt.asc").status()).isEqualTo(404);
        server.as("gina").postJson("/api/v1/content/gina/generic/tool/1.0/publish", "{}");
        var readme = verifyDownloaded("gina", "generic", "doc/readme.txt", "/api/v1/users/gina/keys/gpg/public.key");
        assertThat(readme.ok()).as(readme.toString()).isTrue();
    }

    @Test
    void wrongPassphraseSignsNothing() {
        // given
        generateKey("users/hans", "hans", "hans-pass");
        givenPackage("hans", "generic", "{\"type\": \"generic\"}");
        server.publishFile("hans", "generic", "tool", "1.0", "a.txt", "a");
        server.publishFile("hans", "generic", "tool", "1.0", "b.txt", "b");
        // when
        var wrong = server.as("hans").postJson("/api/v1/gpg/hans/generic/tool/versions/1.0",
                "{\"passphrase\": \"nope\"}");
        var missing = server.as("hans").post("/api/v1/gpg/hans/generic/tool/versions/1.0");
        // then
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.message()).isEqualTo("Wrong passphrase for the GPG key of 'hans'");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.message()).contains("requires a passphrase").contains("X-GPG-PASSPHRASE");
        assertThat(versionPaths("hans", "generic", "1.0")).containsExactlyInAnyOrder("a.txt", "b.txt");
    }

    @Test
    void signsOneFileWithTheJsonBody() throws Exception {
        // given
        generateKey("users/ida", "ida", "ida-pass");
        givenPackage("ida", "generic", "{\"type\": \"generic\"}");
        server.publishFile("ida", "generic", "tool", "2.0", "dist/tool-2.0.tar.gz", "not really a tarball");
        // when
        var response = server.as("ida").postJson("/api/v1/gpg/ida/generic/dist/tool-2.0.tar.gz",
                "{\"subject\": \"ida\", \"passphrase\": \"ida-pass\"}");
        // then
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        var verified = verifyDownloaded("ida", "generic", "dist/tool-2.0.tar.gz", "/api/v1/users/ida/keys/gpg/public.key");
        assertThat(verified.ok()).as(verified.toString()).isTrue();
        assertThat(server.as("ida").postJson("/api/v1/gpg/ida/generic/dist/tool-2.0.tar.gz.asc", "{}").status())
                .isEqualTo(400);
        assertThat(server.as("ida").postJson("/api/v1/gpg/ida/generic/dist/missing.txt", "{}").status())
                .isEqualTo(404);
    }

    @Test
    void signsWithAOneOffPrivateKeyFromTheBody() throws Exception {
        // given: a key that Bindery does not store
        var secret = gpg.generateSecretKey("One Off <oneoff@example.com>", "rsa3072", "one-pass");
        givenPackage("jana", "generic", "{\"type\": \"generic\"}");
        server.publishFile("jana", "generic", "tool", "1.0", "x.txt", "x marks");
        // when
        var response = server.as("jana").postJson("/api/v1/gpg/jana/generic/tool/versions/1.0",
                "{\"private_key\": \"" + secret.replace("\n", "\\n") + "\", \"passphrase\": \"one-pass\"}");
        // then: gpg, which holds that key, verifies
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        var data = dir.resolve("x.txt");
        var asc = dir.resolve("x.txt.asc");
        Files.write(data, server.as("jana").get("/dl/jana/generic/x.txt").bytes());
        Files.write(asc, server.as("jana").get("/dl/jana/generic/x.txt.asc").bytes());
        var verified = gpg.verify(asc, data);
        assertThat(verified.ok()).as(verified.toString()).isTrue();
    }

    @Test
    void signingNeedsPublishPermission() {
        // given
        generateKey("users/kai", "kai", null);
        givenPackage("kai", "generic", "{\"type\": \"generic\"}");
        givenPackage("kai", "hidden", "{\"type\": \"generic\", \"private\": true}");
        server.publishFile("kai", "generic", "tool", "1.0", "k.txt", "k");
        server.apiKey("lurker");
        // when
        var anonymous = server.anonymous().post("/api/v1/gpg/kai/generic/tool/versions/1.0");
        var outsider = server.as("lurker").post("/api/v1/gpg/kai/generic/tool/versions/1.0");
        var outsiderFile = server.as("lurker").post("/api/v1/gpg/kai/generic/k.txt");
        var hidden = server.as("lurker").post("/api/v1/gpg/kai/hidden/tool/versions/1.0");
        // then
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(outsiderFile.status()).isEqualTo(403);
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(versionPaths("kai", "generic", "1.0")).containsExactly("k.txt");
    }

    @Test
    void refusesToSignWithAnotherSubjectsKey() {
        generateKey("users/lena", "lena", null);
        givenPackage("mats", "generic", "{\"type\": \"generic\"}");
        server.publishFile("mats", "generic", "tool", "1.0", "m.txt", "m");
        var response = server.as("mats").postJson("/api/v1/gpg/mats/generic/m.txt", "{\"subject\": \"lena\"}");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("lena");
    }

    // --- Automatic Signing ---------------------------------------------------------------------

    @Test
    void signsUploadsWithTheServerKeyWhenTheRepositorySignsFiles() throws Exception {
        // given
        givenPackage("nora", "signed", "{\"type\": \"generic\", \"gpg_sign_files\": true}");
        // when
        server.publishFile("nora", "signed", "tool", "1.0", "nora.bin", "nora's bytes");
        // then
        assertThat(versionPaths("nora", "signed", "1.0")).containsExactlyInAnyOrder("nora.bin", "nora.bin.asc");
        var verified = verifyDownloaded("nora", "signed", "nora.bin", "/api/v1/keys/gpg/public.key");
        assertThat(verified.ok()).as(verified.toString()).isTrue();
    }

    @Test
    void signsUploadsWithTheOwnerKeyAndThePassphraseHeader() throws Exception {
        // given
        generateKey("users/otto", "otto", "otto-pass");
        givenPackage("otto", "owned", "{\"type\": \"generic\", \"gpg_use_owner_key\": true}");
        var upload = "/api/v1/content/otto/owned/tool/1.0/";
        // when
        var signed = server.as("otto").put(upload + "good.txt?publish=1", "good", "X-GPG-PASSPHRASE", "otto-pass");
        var wrong = server.as("otto").put(upload + "bad.txt?publish=1", "bad", "X-GPG-PASSPHRASE", "nope");
        var withoutPassphrase = server.as("otto").put(upload + "plain.txt?publish=1", "plain");
        // then
        assertThat(signed.status()).isEqualTo(201);
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.message()).isEqualTo("Wrong passphrase for the GPG key of 'otto'");
        // Bintray: without the signing information nothing is signed, and the upload goes on
        assertThat(withoutPassphrase.status()).isEqualTo(201);
        assertThat(versionPaths("otto", "owned", "1.0"))
                .containsExactlyInAnyOrder("good.txt", "good.txt.asc", "plain.txt");
        var verified = verifyDownloaded("otto", "owned", "good.txt", "/api/v1/users/otto/keys/gpg/public.key");
        assertThat(verified.ok()).as(verified.toString()).isTrue();
    }

    @Test
    void replacesAStaleSignatureWhenItsFileComesBack() throws Exception {
        // given: a signed file deleted, its signature left behind
        givenPackage("ruth", "signed", "{\"type\": \"generic\", \"gpg_sign_files\": true}");
        server.publishFile("ruth", "signed", "tool", "1.0", "r.txt", "first");
        assertThat(server.as("ruth").delete("/api/v1/content/ruth/signed/r.txt").status()).isEqualTo(200);
        // when
        server.publishFile("ruth", "signed", "tool", "1.0", "r.txt", "second");
        // then
        var verified = verifyDownloaded("ruth", "signed", "r.txt", "/api/v1/keys/gpg/public.key");
        assertThat(verified.ok()).as(verified.toString()).isTrue();
    }

    @Test
    void leavesUploadsUnsignedWhenTheRepositoryDoesNotSign() {
        generateKey("users/pia", "pia", null);
        givenPackage("pia", "generic", "{\"type\": \"generic\"}");
        server.publishFile("pia", "generic", "tool", "1.0", "p.txt", "p");
        assertThat(versionPaths("pia", "generic", "1.0")).containsExactly("p.txt");
    }

    // --- metadata signers, as the Debian and RPM indexes use them -------------------------------

    @Test
    void metadataSignaturesVerifyWithGpg() throws Exception {
        // given: a repository whose metadata the server key signs
        server.createRepository("quinn", "deb", "{\"type\": \"debian\", \"gpg_sign_metadata\": true}");
        var owner = server.bindery().subjects().user("quinn");
        var repository = server.bindery().content()
                .readable(new Caller(owner, Map.of(), Set.of()), new RepoRef("quinn", "deb")).repository();
        var release = "Origin: quinn\nLabel: quinn\nSuite: stable\nDate: Mon, 23 Nov 2026 18:00:00 UTC\n"
                + "-not-a-header: dash escaped\nSHA256:\n 0123456789abcdef 12 main/binary-amd64/Packages\n";
        // when
        var signer = server.bindery().signing().metadataSigner(repository, null).orElseThrow();
        Files.writeString(dir.resolve("Release"), release);
        Files.write(dir.resolve("Release.gpg"), signer.detachedArmored(release.getBytes(StandardCharsets.UTF_8)));
        Files.write(dir.resolve("InRelease"), signer.clearSigned(release.getBytes(StandardCharsets.UTF_8)));
        // then
        assertThat(gpg.importKey(server.anonymous().get("/api/v1/keys/gpg/public.key").body()).ok()).isTrue();
        var detached = gpg.verify(dir.resolve("Release.gpg"), dir.resolve("Release"));
        assertThat(detached.ok()).as(detached.toString()).isTrue();
        var clear = gpg.verify(dir.resolve("InRelease"));
        assertThat(clear.ok()).as(clear.toString()).isTrue();
        var extracted = gpg.run("--output", "-", "--decrypt", dir.resolve("InRelease").toString());
        assertThat(extracted.status()).contains(release.strip());
        // and a tampered InRelease fails
        var tampered = Files.readString(dir.resolve("InRelease")).replace("Suite: stable", "Suite: evil");
        Files.writeString(dir.resolve("InRelease.bad"), tampered);
        assertThat(gpg.verify(dir.resolve("InRelease.bad")).ok()).isFalse();
        // files of that repository are not signed: only its metadata is
        assertThat(server.bindery().signing().fileSigner(repository, null)).isEmpty();
    }
}
