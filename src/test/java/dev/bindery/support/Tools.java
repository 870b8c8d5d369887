package dev.bindery.support;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Native tools the tests drive (dpkg-deb, rpmbuild, mvn...): found on the PATH, or the test cannot run. */
public final class Tools {

    private Tools() {
    }

    /**
     * Where {@code tool} is on the PATH. Aborts the test locally, or fails it under CI (where
     * {@code .ci/run} installs every tool), when it is not there.
     */
    public static Path require(String tool) {
        for (var dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            var candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(tool + " is required under CI");
        }
        Assumptions.abort(tool + " is not installed");
        return null;
    }
}
