package dev.bindery.formats.maven;

import dev.bindery.support.Tools;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code mvn} on projects the tests write. The local repository is the user's
 * ({@code ~/.m2/repository}), so plugins are downloaded once; the tests use group ids of their
 * own and delete them from it afterwards. Missing mvn skips the test locally and fails it under CI.
 */
final class Mvn {

    /** Plugin versions Maven 3.9 binds by default, pinned so mvn 3.8 and 3.9 run the same ones. */
    static final String PLUGINS = """
            <build>
              <plugins>
                <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
                <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
                <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.2.5</version></plugin>
                <plugin><artifactId>maven-jar-plugin</artifactId><version>3.4.1</version></plugin>
                <plugin><artifactId>maven-install-plugin</artifactId><version>3.1.2</version></plugin>
                <plugin><artifactId>maven-deploy-plugin</artifactId><version>3.1.2</version></plugin>
              </plugins>
            </build>
            """;

    private Mvn() {
    }

    static Path localRepository() {
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    static String executable() {
        return Tools.require("mvn").toString();
    }

    /** Writes a settings.xml with the credentials of server {@code id}. */
    static Path settings(Path dir, String id, String user, String apiKey) throws IOException {
        return Files.writeString(dir.resolve("settings.xml"), """
                <settings>
                  <servers>
                    <server><id>%s</id><username>%s</username><password>%s</password></server>
                  </servers>
                </settings>
                """.formatted(id, user, apiKey));
    }

    /** Runs mvn in {@code project}; fails with its output unless it exits 0. */
    static String run(Path project, Path settings, String... goals) throws IOException, InterruptedException {
        var command = new ArrayList<>(List.of(executable(), "-B", "-s", settings.toString(),
                "-Dmaven.repo.local=" + localRepository()));
        command.addAll(List.of(goals));
        var log = project.resolve("mvn.log");
        var process = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("mvn " + String.join(" ", goals) + " did not finish: " + Files.readString(log));
        }
        var output = Files.readString(log);
        assertThat(process.exitValue()).as("mvn %s:\n%s", String.join(" ", goals), output).isZero();
        return output;
    }

    /** Removes {@code groupId} from the shared local repository, so the next run resolves it anew. */
    static void forget(String groupId) throws IOException {
        var dir = localRepository().resolve(groupId.replace('.', '/'));
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (var path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        // and the group's parent folders, once empty
        for (var parent = dir.getParent(); !parent.equals(localRepository()); parent = parent.getParent()) {
            try (var rest = Files.list(parent)) {
                if (rest.findAny().isPresent()) {
                    break;
                }
            }
            Files.delete(parent);
        }
    }
}
