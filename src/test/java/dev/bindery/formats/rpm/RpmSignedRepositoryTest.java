package dev.bindery.formats.rpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.Gpg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signed path: packages signed with rpmsign by the owner's key, imported into Bindery, which signs
 * repomd.xml with the same key ({@code gpg_use_owner_key}); dnf installs with {@code gpgcheck=1} and
 * {@code repo_gpgcheck=1} and the key fetched from the API, and refuses an unsigned package.
 */
class RpmSignedRepositoryTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final String USER_ID = "Alice Packager <alice@example.com>";

    @TempDir
    Path tmp;

    @Test
    void dnfChecksPackageAndRepositorySignaturesWithTheOwnersKey() throws Exception {
        try (var gpg = Gpg.isolated()) {
            // given: alice's key, made with gpg, imported into Bindery (no passphrase: rpmsign and
            // the index rebuild after each publish sign unattended)
            var secret = gpg.generateSecretKey(USER_ID, "rsa3072", "");
            var imported = server.as("alice").putJson("/api/v1/users/alice/keys/gpg",
                    new ObjectMapper().writeValueAsString(Map.of("private_key", secret, "passphrase", "")));
            assertThat(imported.status()).as(imported.toString()).isIn(200, 201);
            server.createRepository("alice", "signed", "{\"type\": \"rpm\", \"gpg_use_owner_key\": true}");
            server.createPackage("alice", "signed", "tools");
            // and: a package signed with rpmsign, and one left unsigned
            var signed = Rpms.buildOne(tmp, Rpms.spec("signed-tool", "1.0", "1"));
            Rpms.sign(signed, gpg.home(), USER_ID);
            var unsigned = Rpms.buildOne(tmp, Rpms.spec("unsigned-tool", "1.0", "1"));
            for (var rpm : new Path[] {signed, unsigned}) {
                var response = server.as("alice").putFile("/api/v1/content/alice/signed/tools/1.0/"
                        + rpm.getFileName() + "?publish=1", rpm);
                assertThat(response.status()).as(response.toString()).isEqualTo(201);
            }
            awaitSignedIndex();
            // and: the key as a user fetches it from Bindery
            var key = server.anonymous().get("/api/v1/users/alice/keys/gpg/public.key");
            assertThat(key.status()).isEqualTo(200);
            var keyFile = Files.write(tmp.resolve("alice.asc"), key.bytes());

            // then: gpg accepts repomd.xml.asc
            var repomd = Files.write(tmp.resolve("repomd.xml"),
                    server.anonymous().get("/dl/alice/signed/repodata/repomd.xml").bytes());
            var signature = Files.write(tmp.resolve("repomd.xml.asc"),
                    server.anonymous().get("/dl/alice/signed/repodata/repomd.xml.asc").bytes());
            try (var verifier = Gpg.isolated()) {
                verifier.importKey(Files.readString(keyFile));
                var verified = verifier.verify(signature, repomd);
                assertThat(verified.ok()).as(verified.toString()).isTrue();
            }
            // when: dnf installs with every check on
            var dnf = Dnf.isolated(tmp).repository("signed", server.baseUrl() + "/dl/alice/signed", keyFile);
            var output = dnf.install("signed-tool");
            // then
            assertThat(output).contains("Complete!");
            assertThat(dnf.installroot().resolve("usr/share/signed-tool/signed-tool.txt")).exists();
            // and: the unsigned package is refused
            assertThatThrownBy(() -> dnf.install("unsigned-tool")).hasMessageContaining("unsigned-tool")
                    .hasMessageMatching("(?s).*(not signed|GPG|signature).*");
            assertThat(dnf.installroot().resolve("usr/share/unsigned-tool/unsigned-tool.txt")).doesNotExist();
        }
    }

    /** Waits until both packages are indexed and repomd.xml is signed. */
    private static void awaitSignedIndex() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            server.bindery().awaitIndexes(Duration.ofSeconds(60));
            var signature = server.anonymous().get("/dl/alice/signed/repodata/repomd.xml.asc");
            var repomd = server.anonymous().get("/dl/alice/signed/repodata/repomd.xml");
            if (signature.status() == 200 && repomd.status() == 200 && repomd.body().contains("primary")) {
                var primary = repomd.body().replaceAll("(?s).*<data type=\"primary\">.*?<location href=\"([^\"]+)\".*",
                        "$1");
                var bytes = server.anonymous().get("/dl/alice/signed/" + primary).bytes();
                try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
                    if (new String(in.readAllBytes()).contains("packages=\"2\"")) {
                        return;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("The signed index never listed both packages");
    }
}
