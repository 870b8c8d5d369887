package dev.bindery.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real {@code gpg} with a throw-away home directory, so tests import keys and verify signatures
 * without touching the user's keyrings. Missing gpg skips the test locally and fails it under CI.
 * Close it to stop the gpg-agent it may have started and remove the directory.
 */
public final class Gpg implements AutoCloseable {

    private static final Path GPG = Path.of("/usr/bin/gpg");

    private final Path home;

    private Gpg(Path home) {
        this.home = home;
    }

    /** What gpg answered: its exit code, its {@code --status-fd 1} lines and its messages. */
    public record Result(int exit, String status, String messages) {
        public boolean ok() {
            return exit == 0;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n" + status + messages;
        }
    }

    public static Gpg isolated() throws IOException {
        if (!Files.isExecutable(GPG)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("gpg (" + GPG + ") is required under CI");
            }
            Assumptions.abort("gpg is not installed at " + GPG);
        }
        // Short, under /tmp: gpg-agent's socket path must fit in 108 bytes.
        var home = Files.createTempDirectory(Path.of("/tmp"), "gpg");
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        return new Gpg(home);
    }

    public Path home() {
        return home;
    }

    /** Imports an armored public (or secret) key. */
    public Result importKey(String armored) throws IOException {
        var file = Files.createTempFile(home, "key", ".asc");
        Files.writeString(file, armored);
        return run("--import", file.toString());
    }

    /** {@code gpg --verify signature data}: a detached signature. */
    public Result verify(Path signature, Path data) throws IOException {
        return run("--verify", signature.toString(), data.toString());
    }

    /** {@code gpg --verify file}: a cleartext-signed document. */
    public Result verify(Path clearSigned) throws IOException {
        return run("--verify", clearSigned.toString());
    }

    /**
     * Generates a key with gpg itself ({@code algorithm} as {@code --quick-gen-key} takes it, e.g.
     * {@code ed25519} or {@code rsa3072}) and returns its armored secret key.
     */
    public String generateSecretKey(String userId, String algorithm, String passphrase) throws IOException {
        var generated = run("--pinentry-mode", "loopback", "--passphrase", passphrase, "--quick-gen-key", userId,
                algorithm, "sign", "never");
        if (!generated.ok()) {
            throw new IllegalStateException("gpg --quick-gen-key failed: " + generated);
        }
        var file = home.resolve("secret-" + System.nanoTime() + ".asc");
        var exported = run("--pinentry-mode", "loopback", "--passphrase", passphrase, "--armor", "--output",
                file.toString(), "--export-secret-keys", userId);
        if (!exported.ok()) {
            throw new IllegalStateException("gpg --export-secret-keys failed: " + exported);
        }
        return Files.readString(file);
    }

    /** The fingerprint of the primary key of {@code userId} in this home directory. */
    public String fingerprint(String userId) throws IOException {
        var listed = run("--with-colons", "--fingerprint", userId);
        for (var line : listed.status().split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9];
            }
        }
        throw new IllegalStateException("No fingerprint for " + userId + ": " + listed);
    }

    /** Runs gpg in batch mode on this home; stdout is in {@link Result#status()}. */
    public Result run(String... args) throws IOException {
        var command = new ArrayList<String>(List.of(GPG.toString(), "--homedir", home.toString(), "--batch",
                "--no-tty", "--status-fd", "1"));
        command.addAll(List.of(args));
        var errors = Files.createTempFile(home, "stderr", ".txt");
        var process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        try {
            var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("gpg did not finish: " + command);
            }
            return new Result(process.exitValue(), out, Files.readString(errors));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            new ProcessBuilder("gpgconf", "--homedir", home.toString(), "--kill", "all")
                    .redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // no gpgconf: no agent was started either
        }
        try (var paths = Files.walk(home)) {
            for (var path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
