package dev.bindery.formats.maven;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.BinderyException;
import dev.bindery.content.ContentService;
import dev.bindery.content.FilePath;
import dev.bindery.content.Repository;
import dev.bindery.content.RepositoryType;
import dev.bindery.formats.IndexContext;
import dev.bindery.formats.IndexFile;
import dev.bindery.formats.IndexedFile;
import dev.bindery.formats.RepositoryFormat;
import dev.bindery.signing.Signer;
import dev.bindery.storage.BlobStore;
import dev.bindery.storage.StoredBlob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.maven.artifact.versioning.ComparableVersion;

/**
 * The Maven repository type. Uploads must follow the Maven layout; a POM's coordinates must agree
 * with its path. The index is, per artifact folder {@code group/path/artifactId/}, a
 * {@code maven-metadata.xml} (versions in Maven order, latest, release, lastUpdated = the last
 * publish of a file of the artifact) with its checksums, and the {@code .md5}, {@code .sha1},
 * {@code .sha256} and {@code .sha512} of every published file; all are index files, served at their
 * paths and never counted as package downloads. The SHA-512 of a file is computed once, on upload,
 * and kept in its metadata. A rebuild rewrites only the folders whose files changed.
 */
public final class MavenFormat implements RepositoryFormat {

    /** Largest POM parsed; real ones are a few kilobytes. */
    static final long MAX_POM_BYTES = 8L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** What inspect keeps with a file. */
    record FileMetadata(String groupId, String artifactId, String version, String classifier, String extension,
                        String packaging, String sha512) {

        String folder() {
            return groupId.replace('.', '/') + "/" + artifactId + "/";
        }
    }

    private final BlobStore blobs;
    private final MavenStore store;

    public MavenFormat(BlobStore blobs, MavenStore store) {
        this.blobs = blobs;
        this.store = store;
    }

    @Override
    public RepositoryType type() {
        return RepositoryType.MAVEN;
    }

    @Override
    public String inspect(Repository repository, FilePath path, StoredBlob blob, Map<String, String> parameters) {
        switch (MavenPath.kindOf(path)) {
            case METADATA -> throw BinderyException.badRequest("'" + path + "' is not stored: Bindery generates"
                    + " maven-metadata.xml and its checksums from the published files");
            case CHECKSUM -> throw BinderyException.badRequest("'" + path + "' is not stored: Bindery serves the"
                    + " .md5, .sha1, .sha256 and .sha512 of every file itself");
            case ARTIFACT -> {
            }
        }
        var coordinates = MavenPath.parse(path);
        ContentService.rejectSnapshotInMaven(repository, coordinates.version());
        String packaging = null;
        if (coordinates.isPom()) {
            packaging = checkPom(path, blob, coordinates);
        }
        var metadata = new FileMetadata(coordinates.groupId(), coordinates.artifactId(), coordinates.version(),
                coordinates.classifier(), coordinates.extension(), packaging, sha512(blob));
        try {
            return JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Refuses a POM whose coordinates disagree with its path; returns its packaging. */
    private String checkPom(FilePath path, StoredBlob blob, MavenPath coordinates) {
        if (blob.size() > MAX_POM_BYTES) {
            throw BinderyException.badRequest("POM '" + path + "' is larger than " + MAX_POM_BYTES + " bytes");
        }
        PomReader.Pom pom;
        try (var in = blobs.open(blob.key())) {
            pom = PomReader.read(in, path.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        agree(path, "groupId", pom.groupId(), coordinates.groupId());
        agree(path, "artifactId", pom.artifactId(), coordinates.artifactId());
        agree(path, "version", pom.version(), coordinates.version());
        return pom.packaging() == null ? "jar" : pom.packaging();
    }

    private static void agree(FilePath path, String name, String inPom, String inPath) {
        if (inPom == null) {
            throw BinderyException.badRequest("POM '" + path + "' has no " + name
                    + (name.equals("artifactId") ? "" : " (nor a parent " + name + ")"));
        }
        // An uninterpolated property (${revision}) cannot be checked without building the model.
        if (!inPom.contains("${") && !inPom.equals(inPath)) {
            throw BinderyException.badRequest("POM '" + path + "' has " + name + " '" + inPom
                    + "' but its path says '" + inPath + "'");
        }
    }

    private String sha512(StoredBlob blob) {
        var digest = MavenMetadata.digest("sha512");
        try (var in = new DigestInputStream(blobs.open(blob.key()), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    // --- index --------------------------------------------------------------------------------

    @Override
    public void reindex(Repository repository, String path, IndexContext index) {
        var signer = new LazySigner(index);
        if (path == null || path.isEmpty()) {
            rebuild(repository, "", index.files(""), index.current(""), index, signer);
            return;
        }
        // calc_metadata with a path: the artifact folders with files or index files under it, whole.
        var folders = new TreeSet<String>();
        index.files(path).forEach(file -> metadata(file).ifPresent(metadata -> folders.add(metadata.folder())));
        index.current(path).forEach(file -> folders.add(folderOfIndexFile(file.path())));
        String previous = null;
        for (var folder : folders) {
            if (previous != null && folder.startsWith(previous)) {
                continue; // rebuilt with the folder it is nested in
            }
            previous = folder;
            rebuild(repository, folder, index.files(folder), index.current(folder), index, signer);
        }
    }

    /** The artifact folder an index file belongs to: {@code A/maven-metadata.xml*} or {@code A/version/file}. */
    private static String folderOfIndexFile(String path) {
        var segments = path.split("/");
        int drop = segments[segments.length - 1].startsWith(MavenPath.METADATA) ? 1 : 2;
        return String.join("/", Arrays.asList(segments).subList(0, Math.max(segments.length - drop, 0))) + "/";
    }

    /** Rebuilds everything under {@code scope} ("" or an artifact folder) from the files under it. */
    private void rebuild(Repository repository, String scope, List<IndexedFile> files, List<IndexFile> current,
                         IndexContext index, LazySigner signer) {
        var desired = new TreeMap<String, byte[]>();
        var artifacts = new LinkedHashMap<String, List<Published>>();
        var pairs = new ArrayList<MavenStore.Artifact>();
        for (var indexed : files) {
            var metadata = metadata(indexed);
            if (metadata.isEmpty()) {
                continue;
            }
            var file = indexed.file();
            var checksums = new LinkedHashMap<String, String>();
            checksums.put("md5", file.md5());
            checksums.put("sha1", file.sha1());
            checksums.put("sha256", file.sha256());
            checksums.put("sha512", metadata.get().sha512());
            checksums.forEach((algorithm, hex) -> {
                if (hex != null) {
                    desired.put(file.path() + "." + algorithm, hex.getBytes(StandardCharsets.US_ASCII));
                }
            });
            artifacts.computeIfAbsent(metadata.get().folder(), folder -> new ArrayList<>())
                    .add(new Published(metadata.get(), file.published()));
            pairs.add(new MavenStore.Artifact(file.versionId(), metadata.get().groupId(), metadata.get().artifactId(),
                    metadata.get().folder()));
        }
        artifacts.forEach((folder, published) -> {
            var xml = artifactMetadata(published);
            var base = folder + MavenPath.METADATA;
            desired.put(base, xml);
            for (var algorithm : MavenPath.CHECKSUMS) {
                desired.put(base + "." + algorithm, MavenMetadata.checksum(algorithm, xml));
            }
        });
        desired.keySet().removeIf(key -> !key.startsWith(scope));
        swapChangedUnits(desired, current, index, signer);
        store.replaceArtifacts(repository.id(), scope, pairs.stream()
                .filter(pair -> pair.folder().startsWith(scope)).toList());
    }

    private record Published(FileMetadata metadata, Instant published) {
    }

    private static byte[] artifactMetadata(List<Published> files) {
        var first = files.get(0).metadata();
        var versions = files.stream().map(file -> file.metadata().version()).distinct()
                .sorted(Comparator.comparing(ComparableVersion::new)).toList();
        var release = versions.reversed().stream().filter(version -> !version.endsWith("-SNAPSHOT")).findFirst()
                .orElse(null);
        var lastUpdated = files.stream().map(Published::published).filter(Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(Instant.EPOCH);
        return MavenMetadata.artifact(first.groupId(), first.artifactId(), versions, release, lastUpdated);
    }

    /**
     * Replaces the index files unit by unit (an artifact's {@code maven-metadata.xml} with its
     * checksums and signature; a version folder's checksum files), and only the units whose bytes
     * changed, so a publish writes the files of one version and one metadata file, not the repository.
     */
    private static void swapChangedUnits(TreeMap<String, byte[]> desired, List<IndexFile> current, IndexContext index,
                                         LazySigner signer) {
        var have = new TreeMap<String, String>();
        current.forEach(file -> have.put(file.path(), file.sha256()));
        var units = new TreeSet<String>();
        desired.keySet().forEach(path -> units.add(unitOf(path)));
        have.keySet().forEach(path -> units.add(unitOf(path)));
        for (var unit : units) {
            var want = new TreeMap<String, byte[]>(desired.subMap(unit, unit + Character.MAX_VALUE));
            var haveInUnit = have.subMap(unit, unit + Character.MAX_VALUE);
            var metadataFiles = want.keySet().stream().filter(path -> path.endsWith("/" + MavenPath.METADATA)).toList();
            boolean changed = false;
            for (var entry : want.entrySet()) {
                var sha256 = HexFormat.of().formatHex(MavenMetadata.digest("sha256").digest(entry.getValue()));
                changed |= !sha256.equals(haveInUnit.get(entry.getKey()));
            }
            for (var path : haveInUnit.keySet()) {
                boolean signature = path.endsWith(".asc") && metadataFiles.contains(path.substring(0, path.length() - 4));
                changed |= !want.containsKey(path) && !signature;
            }
            boolean signing = !metadataFiles.isEmpty() && signer.get().isPresent();
            for (var metadataPath : metadataFiles) {
                changed |= signing != haveInUnit.containsKey(metadataPath + ".asc");
            }
            if (!changed) {
                continue;
            }
            if (signing) {
                for (var metadataPath : metadataFiles) {
                    want.put(metadataPath + ".asc", signer.get().get().detachedArmored(want.get(metadataPath)));
                }
            }
            index.replace(unit, want);
        }
    }

    /**
     * The prefix replaced as one: {@code A/maven-metadata.xml} (with its checksums and signature) for
     * metadata, the folder {@code A/version/} for checksums of files.
     */
    private static String unitOf(String path) {
        int metadata = path.lastIndexOf("/" + MavenPath.METADATA);
        if (metadata >= 0 && path.indexOf('/', metadata + 1) < 0) {
            return path.substring(0, metadata + 1 + MavenPath.METADATA.length());
        }
        return path.substring(0, path.lastIndexOf('/') + 1);
    }

    /** The coordinates kept with a file, or read from its path for files uploaded before there were any. */
    private static Optional<FileMetadata> metadata(IndexedFile indexed) {
        if (indexed.metadata() != null) {
            try {
                var metadata = JSON.readValue(indexed.metadata(), FileMetadata.class);
                if (metadata.groupId() != null && metadata.artifactId() != null && metadata.version() != null) {
                    return Optional.of(metadata);
                }
            } catch (JsonProcessingException e) {
                // fall back to the path
            }
        }
        var path = FilePath.of(indexed.file().path());
        if (MavenPath.kindOf(path) != MavenPath.Kind.ARTIFACT) {
            return Optional.empty();
        }
        try {
            var coordinates = MavenPath.parse(path);
            return Optional.of(new FileMetadata(coordinates.groupId(), coordinates.artifactId(), coordinates.version(),
                    coordinates.classifier(), coordinates.extension(), null, null));
        } catch (BinderyException e) {
            return Optional.empty();
        }
    }

    /** Asks for the metadata signer at most once per rebuild, and only when there is metadata to sign. */
    private static final class LazySigner {
        private final IndexContext index;
        private Optional<Signer> signer;

        LazySigner(IndexContext index) {
            this.index = index;
        }

        Optional<Signer> get() {
            if (signer == null) {
                signer = index.metadataSigner();
            }
            return signer;
        }
    }
}
