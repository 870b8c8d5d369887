package dev.bindery.cli;

import dev.bindery.BinderyException;
import dev.bindery.signing.GpgKeys.KeyInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bindery gpg import|generate}: the CLI twins of {@code PUT} and {@code POST
 * /api/v1/users/:user/keys/gpg}, writing a subject's key pair to the store as the site admin.
 */
@Command(name = "gpg", mixinStandardHelpOptions = true, description = "Manage the GPG signing keys of users and organizations.",
        subcommands = {GpgCommand.Import.class, GpgCommand.Generate.class})
final class GpgCommand {

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import an ASCII-armored OpenPGP secret key for a user or organization.")
    static final class Import implements Callable<Integer> {

        @Option(names = "--subject", required = true, description = "User or organization name.")
        String subject;

        @Option(names = "--key-file", required = true, description = "ASCII-armored secret key (gpg --export-secret-keys --armor).")
        Path keyFile;

        @Option(names = "--passphrase-file", description = "File whose first line is the key's passphrase.")
        Path passphraseFile;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (var session = new AdminSession(store)) {
                var armored = Files.readString(keyFile, StandardCharsets.UTF_8);
                var key = session.keys.importKey(session.admin, subject, armored, passphrase(passphraseFile));
                print("Imported", key);
                return 0;
            } catch (BinderyException | IOException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Generate an RSA 3072 signing key pair for a user or organization.")
    static final class Generate implements Callable<Integer> {

        @Option(names = "--subject", required = true, description = "User or organization name.")
        String subject;

        @Option(names = "--passphrase-file", description = "File whose first line becomes the key's passphrase;"
                + " without it the key has none.")
        Path passphraseFile;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (var session = new AdminSession(store)) {
                var key = session.keys.generateKey(session.admin, subject, passphrase(passphraseFile));
                print("Generated", key);
                return 0;
            } catch (BinderyException | IOException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
    }

    private static char[] passphrase(Path file) throws IOException {
        if (file == null) {
            return null;
        }
        var lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return lines.isEmpty() ? null : lines.get(0).toCharArray();
    }

    private static void print(String what, KeyInfo key) {
        System.out.println(what + " GPG key " + key.fingerprint() + " for '" + key.subject() + "'"
                + (key.needsPassphrase() ? " (passphrase required to sign)" : ""));
    }
}
