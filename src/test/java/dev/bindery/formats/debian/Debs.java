package dev.bindery.formats.debian;

import dev.bindery.support.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Binary packages for tests and benchmarks. {@link #build} makes one with the real {@code dpkg-deb
 * --build} from a control file and a small file under {@code usr/share/doc}; {@link #withControl}
 * makes many quickly by giving such a package another control file (same data member), written
 * with commons-compress the way dpkg-deb writes it.
 */
public final class Debs {

    private Debs() {
    }

    /** A control file with the usual fields; {@code extra} lines ("Field: value") go before Description. */
    public static String control(String pkg, String version, String arch, String... extra) {
        var text = new StringBuilder();
        text.append("Package: ").append(pkg).append('\n');
        text.append("Version: ").append(version).append('\n');
        text.append("Architecture: ").append(arch).append('\n');
        text.append("Maintainer: Bindery Tests <tests@example.com>\n");
        text.append("Installed-Size: 1\n");
        for (var line : extra) {
            text.append(line).append('\n');
        }
        text.append("Section: misc\n");
        text.append("Priority: optional\n");
        text.append("Description: ").append(pkg).append(" for the Bindery tests\n");
        text.append(" A package built by dpkg-deb at test time.\n");
        return text.toString();
    }

    /**
     * Builds {@code <pkg>_<version>_<arch>.deb} in {@code dir} with {@code dpkg-deb --build}.
     *
     * @param compression dpkg-deb's -Z: gzip, xz, zstd or none
     */
    public static Path build(Path dir, String control, String compression) throws IOException {
        Tools.require("dpkg-deb");
        var paragraph = ControlParagraph.parse(control, "fixture");
        var name = paragraph.get("Package") + "_" + paragraph.get("Version") + "_" + paragraph.get("Architecture");
        var root = Files.createTempDirectory(dir, "root");
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.writeString(root.resolve("DEBIAN/control"), control);
        var doc = root.resolve("usr/share/doc/" + paragraph.get("Package"));
        Files.createDirectories(doc);
        Files.writeString(doc.resolve("README"), "Hello from " + name + "\n");
        var deb = dir.resolve(name + ".deb");
        run(dir, "dpkg-deb", "--root-owner-group", "-Z" + compression, "--build", root.toString(), deb.toString());
        return deb;
    }

    public static Path build(Path dir, String pkg, String version, String arch) throws IOException {
        return build(dir, control(pkg, version, arch), "xz");
    }

    /**
     * {@code template} (a .deb) with {@code control} as its control file and its data member as it
     * was: a valid package, made in microseconds.
     */
    public static byte[] withControl(byte[] template, String control) throws IOException {
        byte[] data = null;
        String dataName = null;
        try (var ar = new org.apache.commons.compress.archivers.ar.ArArchiveInputStream(
                new java.io.ByteArrayInputStream(template))) {
            for (var entry = ar.getNextEntry(); entry != null; entry = ar.getNextEntry()) {
                if (entry.getName().startsWith("data.tar")) {
                    dataName = entry.getName();
                    data = ar.readAllBytes();
                }
            }
        }
        if (data == null) {
            throw new IllegalArgumentException("The template has no data member");
        }
        var controlTar = new ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(controlTar);
             var tar = new TarArchiveOutputStream(gzip)) {
            var dirEntry = new TarArchiveEntry("./");
            dirEntry.setMode(040755);
            tar.putArchiveEntry(dirEntry);
            tar.closeArchiveEntry();
            var bytes = control.getBytes(StandardCharsets.UTF_8);
            var file = new TarArchiveEntry("./control");
            file.setMode(0100644);
            file.setSize(bytes.length);
            tar.putArchiveEntry(file);
            tar.write(bytes);
            tar.closeArchiveEntry();
        }
        var out = new ByteArrayOutputStream(template.length + 256);
        try (var ar = new ArArchiveOutputStream(out)) {
            member(ar, "debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
            member(ar, "control.tar.gz", controlTar.toByteArray());
            member(ar, dataName, data);
        }
        return out.toByteArray();
    }

    private static void member(ArArchiveOutputStream ar, String name, byte[] bytes) throws IOException {
        ar.putArchiveEntry(new ArArchiveEntry(name, bytes.length, 0, 0, 0100644, 0));
        ar.write(bytes);
        ar.closeArchiveEntry();
    }

    /** Runs a command in {@code dir}; fails with its output unless it exits 0. Returns its output. */
    public static String run(Path dir, String... command) throws IOException {
        return run(dir, List.of(command));
    }

    public static String run(Path dir, List<String> command) throws IOException {
        var result = exec(dir, command);
        if (result.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.exit() + ":\n"
                    + result.output());
        }
        return result.output();
    }

    /** What a command printed (stdout and stderr together) and its exit code. */
    public record Exec(int exit, String output) {
    }

    public static Exec exec(Path dir, List<String> command) throws IOException {
        var process = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile()).redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new Exec(process.exitValue(), output);
    }
}
