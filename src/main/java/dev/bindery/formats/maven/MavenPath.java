package dev.bindery.formats.maven;

import dev.bindery.BinderyException;
import dev.bindery.content.FilePath;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A path in the Maven repository layout,
 * {@code group/as/path/artifactId/version/artifactId-version[-classifier].extension}, split into its
 * coordinates. Repository-level files that {@code mvn deploy} uploads beside the artifacts
 * ({@code maven-metadata.xml} and checksums) are told apart by {@link #kindOf}.
 *
 * @param classifier null when the file has none
 * @param extension  everything after the first dot that follows version and classifier ({@code jar},
 *                   {@code tar.gz}, {@code jar.asc})
 */
public record MavenPath(String groupId, String artifactId, String version, String classifier, String extension) {

    /** The checksum files Maven clients upload and ask for, by extension. */
    public static final List<String> CHECKSUMS = List.of("md5", "sha1", "sha256", "sha512");

    static final String METADATA = "maven-metadata.xml";

    /** What a path holds, as far as the upload is concerned. */
    public enum Kind {
        /** An artifact: stored, inspected, indexed. */
        ARTIFACT,
        /** {@code maven-metadata.xml} (and its signature): Bindery generates it, an uploaded one is dropped. */
        METADATA,
        /** {@code .md5}, {@code .sha1}, {@code .sha256}, {@code .sha512}: Bindery serves them, an uploaded one is checked and dropped. */
        CHECKSUM
    }

    public static Kind kindOf(FilePath path) {
        var name = path.name();
        if (name.startsWith(METADATA)) {
            return Kind.METADATA;
        }
        return checksumAlgorithm(name) == null ? Kind.ARTIFACT : Kind.CHECKSUM;
    }

    /** The checksum extension of {@code name} ({@code md5}, {@code sha1}, ...), or null when it is none. */
    public static String checksumAlgorithm(String name) {
        int dot = name.lastIndexOf('.');
        if (dot <= 0) {
            return null;
        }
        var extension = name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return CHECKSUMS.contains(extension) ? extension : null;
    }

    /** The folder holding every version of the artifact, {@code group/as/path/artifactId}. */
    public String artifactFolder() {
        return groupId.replace('.', '/') + "/" + artifactId;
    }

    public boolean isPom() {
        return classifier == null && extension.equals("pom");
    }

    /**
     * The coordinates of an artifact file's path.
     *
     * @throws BinderyException badRequest naming what does not follow the Maven layout
     */
    public static MavenPath parse(FilePath path) {
        var segments = path.segments();
        if (segments.size() < 4) {
            throw notLayout(path, "it needs at least a group folder, the artifactId, the version and the file name");
        }
        var fileName = segments.get(segments.size() - 1);
        var version = segments.get(segments.size() - 2);
        var artifactId = segments.get(segments.size() - 3);
        var groupId = String.join(".", segments.subList(0, segments.size() - 3));
        var prefix = artifactId + "-" + version;
        if (!fileName.startsWith(prefix) || fileName.length() == prefix.length()) {
            throw notLayout(path, "the file name '" + fileName + "' must start with '" + prefix
                    + "' (artifactId-version) and have an extension");
        }
        var rest = fileName.substring(prefix.length());
        String classifier = null;
        if (rest.startsWith("-")) {
            int dot = rest.indexOf('.');
            if (dot < 2) {
                throw notLayout(path, "the file name '" + fileName + "' has a classifier but no extension");
            }
            classifier = rest.substring(1, dot);
            rest = rest.substring(dot);
        }
        if (!rest.startsWith(".") || rest.length() == 1) {
            throw notLayout(path, "the file name '" + fileName + "' must be artifactId-version[-classifier].extension");
        }
        for (var coordinate : Set.of(groupId, artifactId, version)) {
            if (coordinate.isBlank() || coordinate.contains(":")) {
                throw notLayout(path, "coordinate '" + coordinate + "' is not valid");
            }
        }
        return new MavenPath(groupId, artifactId, version, classifier, rest.substring(1));
    }

    /**
     * The name of the folder holding a file (the version folder for artifacts, checksums and
     * version-level metadata), for checks that need only the version, such as refusing SNAPSHOTs.
     */
    public static String folderName(FilePath path) {
        var segments = path.segments();
        return segments.size() >= 2 ? segments.get(segments.size() - 2) : "";
    }

    private static BinderyException notLayout(FilePath path, String why) {
        return BinderyException.badRequest("Path '" + path + "' does not follow the Maven layout"
                + " group/path/artifactId/version/artifactId-version[-classifier].extension: " + why);
    }
}
