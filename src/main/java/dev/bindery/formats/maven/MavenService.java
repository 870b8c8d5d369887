package dev.bindery.formats.maven;

import dev.bindery.BinderyException;
import dev.bindery.content.ContentService;
import dev.bindery.content.FileEntry;
import dev.bindery.content.FilePath;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.content.RepositoryType;
import dev.bindery.content.UploadService;
import dev.bindery.content.UploadService.UploadRequest;
import dev.bindery.content.Views.Page;
import dev.bindery.content.Views.PackageView;
import dev.bindery.subject.Caller;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maven Upload and Maven Package Search. An upload's version is the Maven version in its path, and
 * is created in the package on first upload. Of what {@code mvn deploy} sends, artifacts are stored;
 * {@code maven-metadata.xml} files and checksum files are answered 201 and dropped, since Bindery
 * generates both (as Bintray did), after a checksum was compared with the file it names when that
 * file is there. Thread-safe.
 */
public final class MavenService {

    /** A checksum or metadata file a client uploads is read up to this many bytes. */
    static final int MAX_DROPPED_BYTES = 1024 * 1024;

    private final ContentService content;
    private final UploadService uploads;
    private final MavenStore store;

    public MavenService(ContentService content, UploadService uploads, MavenStore store) {
        this.content = content;
        this.uploads = uploads;
        this.store = store;
    }

    /** One Maven Upload, {@code PUT /maven/:subject/:repo/:package/:file_path}. */
    public record MavenUpload(RepoRef repo, String pkg, FilePath path, boolean publish, boolean override,
                              String expectedSha256, Map<String, String> formatParameters) {
    }

    /** A package holding matching Maven coordinates, with them as {@code groupId:artifactId}. */
    public record MavenHit(PackageView pkg, List<String> systemIds) {
    }

    /**
     * Stores an artifact, or checks and drops a metadata or checksum file.
     *
     * @param passphrase for automatic signing ({@code X-GPG-PASSPHRASE}), or null
     */
    public void upload(Caller caller, MavenUpload upload, InputStream body, char[] passphrase) throws IOException {
        var access = content.publishable(caller, upload.repo(), "upload to '" + upload.repo() + "'");
        var repository = access.repository();
        if (repository.type() != RepositoryType.MAVEN) {
            throw BinderyException.badRequest("Repository '" + upload.repo() + "' is a " + repository.type().wire()
                    + " repository; Maven uploads go to Maven repositories");
        }
        var kind = MavenPath.kindOf(upload.path());
        if (kind == MavenPath.Kind.ARTIFACT) {
            var coordinates = MavenPath.parse(upload.path());
            uploads.upload(caller, new UploadRequest(upload.repo(), upload.path(), upload.pkg(), coordinates.version(),
                    upload.publish(), upload.override(), false, upload.expectedSha256(), upload.formatParameters()),
                    body, passphrase);
            return;
        }
        content.pkg(caller, new PackageRef(upload.repo().subject(), upload.repo().repo(), upload.pkg()));
        ContentService.rejectSnapshotInMaven(repository, MavenPath.folderName(upload.path()));
        var bytes = body.readNBytes(MAX_DROPPED_BYTES + 1);
        if (bytes.length > MAX_DROPPED_BYTES) {
            throw BinderyException.tooLarge("'" + upload.path() + "' is larger than " + MAX_DROPPED_BYTES + " bytes");
        }
        if (kind == MavenPath.Kind.CHECKSUM) {
            verifyChecksum(caller, upload, bytes);
        }
    }

    /** Compares an uploaded checksum with the file it names, if that file is there and the digest is kept. */
    private void verifyChecksum(Caller caller, MavenUpload upload, byte[] body) {
        var name = upload.path().value();
        var algorithm = MavenPath.checksumAlgorithm(upload.path().name());
        var target = FilePath.of(name.substring(0, name.length() - algorithm.length() - 1));
        FileEntry file;
        try {
            file = content.file(caller, upload.repo(), target);
        } catch (BinderyException e) {
            return; // the file may come after its checksum
        }
        var expected = switch (algorithm) {
            case "md5" -> file.md5();
            case "sha1" -> file.sha1();
            case "sha256" -> file.sha256();
            default -> null; // SHA-512 is computed on upload but not kept on the file: nothing cheap to compare
        };
        // "hex" or "hex  file-name", as different tools write them.
        var text = new String(body, StandardCharsets.US_ASCII).trim();
        var given = text.isEmpty() ? "" : text.split("\\s+")[0].toLowerCase(Locale.ROOT);
        if (expected != null && !expected.equalsIgnoreCase(given)) {
            throw BinderyException.badRequest("Checksum '" + upload.path() + "' is '" + given + "', but '" + target
                    + "' has " + algorithm + " '" + expected + "'");
        }
    }

    /**
     * Maven Package Search: packages of public repositories holding coordinates that match
     * {@code groupId} and {@code artifactId} ({@code *} and {@code ?} wildcards), or {@code query}
     * against either; {@code subject} and {@code repo} are exact.
     */
    public Page<MavenHit> search(Caller caller, String groupId, String artifactId, String query, String subject,
                                 String repo, int startPos) {
        if (blank(groupId) && blank(artifactId) && blank(query)) {
            throw BinderyException.badRequest("At least one of 'g', 'a' and 'q' is required");
        }
        if (startPos < 0) {
            throw BinderyException.badRequest("Query parameter 'start_pos' must not be negative");
        }
        var byPackage = new LinkedHashMap<PackageRef, List<String>>();
        for (var hit : store.search(trim(groupId), trim(artifactId), trim(query), trim(subject), trim(repo))) {
            byPackage.computeIfAbsent(new PackageRef(hit.owner(), hit.repo(), hit.pkg()), ref -> new ArrayList<>())
                    .add(hit.groupId() + ":" + hit.artifactId());
        }
        var page = new ArrayList<MavenHit>();
        byPackage.entrySet().stream().skip(startPos).limit(ContentService.PAGE_SIZE)
                .forEach(entry -> page.add(new MavenHit(content.pkg(caller, entry.getKey()), entry.getValue())));
        return new Page<>(page, startPos, byPackage.size());
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String trim(String value) {
        return blank(value) ? null : value.trim();
    }
}
