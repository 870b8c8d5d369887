package dev.bindery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.Bindery;
import dev.bindery.Config;
import dev.bindery.support.Client;
import dev.bindery.support.Gpg;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bindery gpg generate|import} write keys the server then serves. */
class GpgCommandTest {

    @TempDir
    Path data;

    @Test
    void generatesAKeyTheServerServes() throws Exception {
        // given
        CliRun.of("user", "create", "--name", "gwen", "--data", data.toString());
        // when
        var generated = CliRun.of("gpg", "generate", "--subject", "gwen", "--data", data.toString());
        // then
        assertThat(generated.exit()).as(generated.err()).isZero();
        assertThat(generated.out()).containsPattern("Generated GPG key [0-9A-F]{40} for 'gwen'");
        try (var bindery = Bindery.start(Config.defaults(data).withPort(0))) {
            var key = new Client("http://127.0.0.1:" + bindery.port(), null, null)
                    .get("/api/v1/users/gwen/keys/gpg/public.key");
            assertThat(key.status()).isEqualTo(200);
            assertThat(key.body()).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
        }
    }

    @Test
    void importsAGpgKeyWithItsPassphraseFile() throws Exception {
        try (var gpg = Gpg.isolated()) {
            // given: a key exported by gpg, and its passphrase in a file
            CliRun.of("user", "create", "--name", "ivo", "--data", data.toString());
            var keyFile = data.resolve("ivo.asc");
            Files.writeString(keyFile, gpg.generateSecretKey("Ivo <ivo@example.com>", "ed25519", "ivo-pass"));
            var right = data.resolve("right.txt");
            var wrong = data.resolve("wrong.txt");
            Files.writeString(right, "ivo-pass\n");
            Files.writeString(wrong, "nope\n");
            // when
            var refused = CliRun.of("gpg", "import", "--subject", "ivo", "--key-file", keyFile.toString(),
                    "--passphrase-file", wrong.toString(), "--data", data.toString());
            var imported = CliRun.of("gpg", "import", "--subject", "ivo", "--key-file", keyFile.toString(),
                    "--passphrase-file", right.toString(), "--data", data.toString());
            // then
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("Wrong passphrase");
            assertThat(imported.exit()).as(imported.err()).isZero();
            assertThat(imported.out()).contains(gpg.fingerprint("ivo@example.com"), "passphrase required");
        }
    }

    @Test
    void refusesAnUnknownSubject() {
        var result = CliRun.of("gpg", "generate", "--subject", "nobody", "--data", data.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("'nobody' was not found");
    }
}
