package dev.bindery.formats.rpm;

import dev.bindery.support.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@code dnf} with everything under one temporary directory: its configuration, a
 * {@code .repo} pointing at Bindery, cache, logs and the {@code --installroot} packages go into.
 */
final class Dnf {

    private final Path root;

    private Dnf(Path root) {
        this.root = root;
    }

    static Dnf isolated(Path dir) throws IOException {
        Tools.require("dnf");
        var root = Files.createTempDirectory(dir, "dnf");
        for (var sub : List.of("installroot", "repos.d", "cache", "log", "persist")) {
            Files.createDirectories(root.resolve(sub));
        }
        Files.writeString(root.resolve("dnf.conf"), """
                [main]
                reposdir=%1$s/repos.d
                cachedir=%1$s/cache
                logdir=%1$s/log
                persistdir=%1$s/persist
                install_weak_deps=False
                tsflags=nodocs
                keepcache=False
                """.formatted(root));
        return new Dnf(root);
    }

    /**
     * Adds a repository.
     *
     * @param gpgKey the key file that must have signed the packages and repomd.xml, or null to check nothing
     */
    Dnf repository(String id, String baseUrl, Path gpgKey) throws IOException {
        var check = gpgKey == null ? "gpgcheck=0\nrepo_gpgcheck=0\n"
                : "gpgcheck=1\nrepo_gpgcheck=1\ngpgkey=file://" + gpgKey + "\n";
        Files.writeString(root.resolve("repos.d/" + id + ".repo"), "[" + id + "]\nname=" + id + "\nbaseurl=" + baseUrl
                + "\nenabled=1\nmetadata_expire=0\n" + check);
        return this;
    }

    Path installroot() {
        return root.resolve("installroot");
    }

    /** {@code dnf -y install packages} into the install root; returns dnf's output, throws when it fails. */
    String install(String... packages) throws IOException {
        var command = new ArrayList<>(List.of("dnf", "-y", "-c", root.resolve("dnf.conf").toString(),
                "--installroot=" + installroot(), "--releasever=1", "--setopt=reposdir=" + root.resolve("repos.d"),
                "--nodocs", "install"));
        command.addAll(List.of(packages));
        return Rpms.run(root, command);
    }
}
