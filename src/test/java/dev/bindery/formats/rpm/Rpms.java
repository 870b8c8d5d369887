package dev.bindery.formats.rpm;

import dev.bindery.support.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * RPM fixtures built at test time with the real {@code rpmbuild}, signed with the real {@code rpmsign},
 * indexed with the real {@code createrepo_c} for comparison. Missing tools skip locally and fail under CI.
 */
public final class Rpms {

    private Rpms() {
    }

    /**
     * A spec for a noarch package with one small file, {@code /usr/share/<name>/<name>.txt}, no
     * scriptlets and no automatic requirements, so it installs into an empty root.
     *
     * @param headerLines extra preamble lines, e.g. "Requires: other >= 1.0"
     */
    public static String spec(String name, String version, String release, String... headerLines) {
        var text = new StringBuilder();
        text.append("Name: ").append(name).append('\n')
                .append("Version: ").append(version).append('\n')
                .append("Release: ").append(release).append('\n')
                .append("Summary: ").append(name).append(" for the Bindery tests\n")
                .append("License: MIT\n")
                .append("BuildArch: noarch\n")
                .append("AutoReqProv: no\n");
        for (var line : headerLines) {
            text.append(line).append('\n');
        }
        text.append("\n%description\n").append(name).append(" is built by rpmbuild at test time.\n\n")
                .append("%install\n")
                .append("mkdir -p %{buildroot}/usr/share/").append(name).append('\n')
                .append("echo 'hello from ").append(name).append("' > %{buildroot}/usr/share/").append(name)
                .append('/').append(name).append(".txt\n\n")
                .append("%files\n/usr/share/").append(name).append("/").append(name).append(".txt\n");
        return text.toString();
    }

    /** The richer package the metadata tests read: provides, requires, conflicts, obsoletes, changelog, files. */
    public static String richSpec() {
        return """
                Name:           hello-bindery
                Version:        1.2.3
                Release:        4
                Epoch:          2
                Summary:        Says hello <from> Bindery & friends
                License:        MIT
                URL:            https://example.com/hello
                Vendor:         Bindery Tests
                Group:          Applications/System
                Packager:       Alice <alice@example.com>
                BuildArch:      noarch
                Provides:       greeter = 1.0
                Provides:       hello-capability
                Requires:       bash >= 4.0
                Requires(pre):  coreutils
                Requires:       hello-capability
                Conflicts:      goodbye < 2:1.0-1
                Obsoletes:      hello-old <= 1.0
                Recommends:     hello-extras

                %description
                A tiny package for the Bindery tests.
                It has two lines.

                %install
                mkdir -p %{buildroot}/usr/bin %{buildroot}/etc/hello %{buildroot}/usr/share/hello
                printf '#!/bin/sh\\necho hello\\n' > %{buildroot}/usr/bin/hello-bindery
                chmod 755 %{buildroot}/usr/bin/hello-bindery
                echo 'greeting=hello' > %{buildroot}/etc/hello/hello.conf
                echo 'data' > %{buildroot}/usr/share/hello/data.txt

                %files
                /usr/bin/hello-bindery
                %dir /etc/hello
                %config(noreplace) /etc/hello/hello.conf
                /usr/share/hello
                %ghost /var/log/hello.log

                %changelog
                * Tue Mar 04 2025 Alice <alice@example.com> - 2:1.2.3-4
                - Second entry
                * Mon Mar 03 2025 Bob <bob@example.com> - 2:1.2.3-3
                - First entry
                """;
    }

    /**
     * Builds the binary RPMs of {@code spec} with {@code rpmbuild -bb} in a fresh top directory under
     * {@code dir}; returns them (one per (sub)package).
     *
     * @param defines extra {@code --define} values, e.g. "_binary_payload w19.zstdio"
     */
    public static List<Path> build(Path dir, String spec, String... defines) throws IOException {
        Tools.require("rpmbuild");
        var top = Files.createTempDirectory(dir, "rpmbuild");
        var specFile = top.resolve("package.spec");
        Files.writeString(specFile, spec);
        var command = new ArrayList<>(List.of("rpmbuild", "-bb", "--quiet", "--define", "_topdir " + top,
                "--define", "_build_id_links none"));
        for (var define : defines) {
            command.add("--define");
            command.add(define);
        }
        command.add(specFile.toString());
        run(top, command);
        try (Stream<Path> files = Files.walk(top.resolve("RPMS"))) {
            return files.filter(file -> file.toString().endsWith(".rpm")).sorted().toList();
        }
    }

    public static Path buildOne(Path dir, String spec, String... defines) throws IOException {
        var rpms = build(dir, spec, defines);
        if (rpms.size() != 1) {
            throw new IllegalStateException("Expected one RPM, rpmbuild made " + rpms);
        }
        return rpms.get(0);
    }

    /** Signs {@code rpm} in place with {@code rpmsign --addsign}, using the key of {@code userId} in {@code gpgHome}. */
    public static void sign(Path rpm, Path gpgHome, String userId) throws IOException {
        Tools.require("rpmsign");
        // Debian's rpm looks for gpg2; gpg is GnuPG 2 there.
        run(rpm.getParent(), List.of("rpmsign", "--addsign", "--define", "__gpg /usr/bin/gpg",
                "--define", "_gpg_path " + gpgHome,
                "--define", "_gpg_name " + userId, rpm.toString()));
    }

    /** Runs {@code createrepo_c --no-database} on {@code dir}. */
    public static void createrepo(Path dir) throws IOException {
        Tools.require("createrepo_c");
        run(dir, List.of("createrepo_c", "--no-database", dir.toString()));
    }

    /** Runs a command, failing with its output when it fails; returns its output. */
    public static String run(Path dir, List<String> command) throws IOException {
        var log = Files.createTempFile("command", ".log");
        try {
            var process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("Timed out: " + command);
            }
            var output = Files.readString(log, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + process.exitValue() + "):\n"
                        + output);
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
