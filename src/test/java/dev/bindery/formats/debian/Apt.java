package dev.bindery.formats.debian;

import dev.bindery.support.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The real {@code apt-get} with its own sources, state, cache and an empty dpkg status under a
 * temporary directory: it reads only the source this test gives it, and never touches the
 * system's package state (no install, no lock). Runs as root with apt's sandbox user set to root.
 */
public final class Apt implements AutoCloseable {

    private final Path root;

    private Apt(Path root) {
        this.root = root;
    }

    /**
     * @param sourceLine a one-line-style source, e.g. {@code deb [signed-by=/k.asc] http://... stable main}
     */
    public static Apt isolated(String sourceLine) throws IOException {
        Tools.require("apt-get");
        var root = Files.createTempDirectory("apt");
        for (var dir : List.of("etc/apt/sources.list.d", "etc/apt/preferences.d", "etc/apt/trusted.gpg.d",
                "state/lists/partial", "cache/archives/partial", "download")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.writeString(root.resolve("state/status"), "");
        var apt = new Apt(root);
        apt.source(sourceLine);
        return apt;
    }

    void source(String sourceLine) throws IOException {
        Files.writeString(root.resolve("etc/apt/sources.list"), sourceLine + "\n");
    }

    Path root() {
        return root;
    }

    Path downloads() {
        return root.resolve("download");
    }

    /** Runs {@code apt-get <args>} with the isolated configuration. */
    public Debs.Exec aptGet(String... args) throws IOException {
        var command = new ArrayList<String>(List.of("apt-get", "-q", "-y",
                "-o", "Dir::Etc::SourceList=" + root.resolve("etc/apt/sources.list"),
                "-o", "Dir::Etc::SourceParts=" + root.resolve("etc/apt/sources.list.d"),
                "-o", "Dir::Etc::PreferencesParts=" + root.resolve("etc/apt/preferences.d"),
                "-o", "Dir::Etc::Preferences=" + root.resolve("etc/apt/preferences"),
                "-o", "Dir::Etc::Trusted=" + root.resolve("etc/apt/trusted.gpg"),
                "-o", "Dir::Etc::TrustedParts=" + root.resolve("etc/apt/trusted.gpg.d"),
                "-o", "Dir::State=" + root.resolve("state"),
                "-o", "Dir::State::status=" + root.resolve("state/status"),
                "-o", "Dir::Cache=" + root.resolve("cache"),
                "-o", "Debug::NoLocking=1",
                "-o", "APT::Sandbox::User=root",
                "-o", "Acquire::Languages=none",
                "-o", "Acquire::Retries=0",
                "-o", "Acquire::http::Proxy=DIRECT",
                "-o", "APT::Get::List-Cleanup=0"));
        command.addAll(List.of(args));
        return Debs.exec(downloads(), command);
    }

    @Override
    public void close() throws IOException {
        try (var paths = Files.walk(root)) {
            for (var path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
