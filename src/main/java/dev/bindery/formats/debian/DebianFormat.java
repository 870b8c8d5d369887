package dev.bindery.formats.debian;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bindery.BinderyException;
import dev.bindery.content.FileEntry;
import dev.bindery.content.FilePath;
import dev.bindery.content.Repository;
import dev.bindery.content.RepositoryType;
import dev.bindery.formats.ChunkedGzip;
import dev.bindery.formats.IndexContext;
import dev.bindery.formats.RepositoryFormat;
import dev.bindery.storage.BlobStore;
import dev.bindery.storage.StoredBlob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian repositories: reads the control paragraph of each uploaded {@code .deb}, and publishes the
 * {@code dists/} tree apt reads, one {@code Packages} (and {@code Packages.gz}) per distribution,
 * component and architecture and one {@code Release} per distribution, with {@code InRelease} and
 * {@code Release.gpg} when the repository signs its metadata. Packages files are also served by hash
 * ({@code by-hash/SHA256/}), the previous generation's for {@link dev.bindery.formats.FormatService#SUPERSEDED_GRACE}
 * more, so an {@code apt-get update} that overlaps a rebuild still gets the files its InRelease names.
 *
 * <p>Where a file goes comes from the upload's {@code deb_distribution}, {@code deb_component} and
 * {@code deb_architecture} parameters (comma-separated lists), defaulting to the repository's
 * {@code default_debian_*} settings, then to component {@code main} and the control file's
 * architecture. Packages of architecture {@code all} are listed under every architecture of their
 * distribution.
 *
 * <p>Incremental by construction: the control paragraph is rendered once, when the file is uploaded,
 * and kept in its metadata. A rebuild lists the published files, reads the metadata only of files it
 * has not seen (it keeps each file's stanza in memory, bounded), concatenates the stanzas,
 * recompresses only the chunks of {@code Packages.gz} that changed ({@link ChunkedGzip}), and hashes
 * the Packages files once, while storing them ({@link IndexContext#stage}). Adding one package to
 * 10,000 costs tens of milliseconds (bench/debian-index.sh). Thread-safe.
 */
public final class DebianFormat implements RepositoryFormat {

    private static final Logger LOG = LoggerFactory.getLogger(DebianFormat.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MISSING_DISTRIBUTION = "Debian uploads need a distribution: deb_distribution matrix"
            + " parameter or X-Bintray-Debian-Distribution header";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}");
    private static final Pattern ARCHITECTURE = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    /** Bounds what rebuilds keep for the next ones, over all repositories (roughly, in bytes). */
    private static final long MEMO_BYTES = 512L << 20;

    private final BlobStore blobs;

    /** What the last rebuild of each repository kept for the next one, by repository id. */
    private final Cache<Long, Memo> memos = Caffeine.newBuilder()
            .maximumWeight(MEMO_BYTES)
            .weigher((Long id, Memo memo) -> memo.weight())
            .build();

    /** Paths inspected since the last rebuild, by repository id. */
    private final Map<Long, Set<String>> uploaded = new ConcurrentHashMap<>();

    public DebianFormat(BlobStore blobs) {
        this.blobs = blobs;
    }

    /**
     * What is kept with an uploaded .deb: its name, version and architecture, its control paragraph
     * (every field in order, as Packages lists it), and the distributions, components and
     * architectures it is published in.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Metadata(@JsonProperty("package") String name, String version, String architecture,
                    List<String> distributions, List<String> components, List<String> architectures,
                    String paragraph) {
    }

    /**
     * A file's metadata as read back from JSON, and its stanza in Packages, valid while the file is
     * the same: same id, path and content, uploaded at the same time (an upload to the path rewrites
     * both the file's row, with a new upload time, and its metadata).
     */
    private record Parsed(long id, String path, String sha256, Instant created, Metadata metadata, DebianIndex.Stanza stanza) {
        boolean describes(FileEntry file) {
            return id == file.id() && path.equals(file.path()) && sha256.equals(file.sha256())
                    && created.equals(file.created());
        }
    }

    /**
     * What a rebuild keeps for the next rebuild of the same repository: the parsed metadata by file
     * id, and the compressor (with its compressed chunks) of each Packages file; {@code weight}
     * estimates their size in bytes. Used by one rebuild at a time.
     */
    private record Memo(Map<Long, Parsed> parsed, Map<String, ChunkedGzip> gzips, int weight) {
        static final Memo EMPTY = new Memo(Map.of(), Map.of(), 0);
    }

    @Override
    public RepositoryType type() {
        return RepositoryType.DEBIAN;
    }

    @Override
    public String inspect(Repository repository, FilePath path, StoredBlob blob, Map<String, String> parameters) {
        if (!path.name().endsWith(".deb")) {
            return null;
        }
        var what = "'" + path.name() + "'";
        uploaded.computeIfAbsent(repository.id(), id -> ConcurrentHashMap.newKeySet()).add(path.value());
        var distributions = list(parameters.get("deb_distribution"), repository.defaultDebianDistribution(),
                "distribution", NAME);
        if (distributions.isEmpty()) {
            throw BinderyException.badRequest(MISSING_DISTRIBUTION);
        }
        var components = list(parameters.get("deb_component"), repository.defaultDebianComponent(), "component",
                NAME);
        if (components.isEmpty()) {
            components = List.of("main");
        }
        ControlParagraph control;
        try (var in = blobs.open(blob.key())) {
            control = DebArchive.control(in, blob.size(), what);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var architectures = list(parameters.get("deb_architecture"), null, "architecture", ARCHITECTURE);
        if (architectures.isEmpty()) {
            var own = control.get("Architecture");
            if (!ARCHITECTURE.matcher(own).matches()) {
                throw ControlParagraph.bad(what, "its Architecture '" + own + "' is not an architecture name");
            }
            architectures = List.of(own);
        }
        try {
            return JSON.writeValueAsString(new Metadata(control.get("Package"), control.get("Version"),
                    control.get("Architecture"), distributions, components, architectures, control.render()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The comma-separated names in {@code value}, else in {@code fallback}, each checked. */
    private static List<String> list(String value, String fallback, String what, Pattern valid) {
        var source = value == null || value.isBlank() ? fallback : value;
        var names = new LinkedHashSet<String>();
        if (source != null) {
            for (var part : source.split(",")) {
                var name = part.strip();
                if (name.isEmpty()) {
                    continue;
                }
                if (!valid.matcher(name).matches()) {
                    throw BinderyException.badRequest("Debian " + what + " '" + name + "' is not a valid name: "
                            + (valid == ARCHITECTURE ? "lower-case letters, digits and '-'"
                                    : "letters, digits and '.', '_', '+', '~', '-'") + ", at most "
                            + (valid == ARCHITECTURE ? 32 : 64) + " characters");
                }
                names.add(name);
            }
        }
        return List.copyOf(names);
    }

    @Override
    public void reindex(Repository repository, String path, IndexContext index) {
        // Whatever part calc_metadata names, the dists/ tree is rebuilt whole: it is one consistent set.
        long start = System.nanoTime();
        var memo = Objects.requireNonNullElse(memos.getIfPresent(repository.id()), Memo.EMPTY);
        var reuploaded = uploadedSince(repository.id());
        var files = index.fileEntries("");
        var unknown = new ArrayList<Long>();
        for (var file : files) {
            var known = memo.parsed().get(file.id());
            if (file.name().endsWith(".deb") && (known == null || !known.describes(file)
                    || reuploaded.contains(file.path()))) {
                unknown.add(file.id());
            }
        }
        var metadata = unknown.isEmpty() ? Map.<Long, String>of() : index.metadata(unknown);
        long listed = System.nanoTime();
        var parsed = new HashMap<Long, Parsed>(files.size() * 2);
        var packages = new ArrayList<DebianIndex.Entry>(files.size());
        for (var file : files) {
            var entry = metadata.containsKey(file.id()) ? parse(file, metadata.get(file.id()))
                    : memo.parsed().get(file.id());
            if (entry == null || !entry.describes(file)) {
                continue;
            }
            parsed.put(file.id(), entry);
            var meta = entry.metadata();
            packages.add(new DebianIndex.Entry(entry.stanza(), meta.distributions(), meta.components(),
                    meta.architectures()));
        }
        var defaults = new DebianIndex.Defaults(
                names(repository.defaultDebianDistribution()),
                names(repository.defaultDebianComponent()),
                names(repository.defaultDebianArchitecture()));
        var release = new DebianIndex.ReleaseInfo(repository.owner().name(), repository.name(),
                repository.desc(), index.now());
        var gzips = new HashMap<String, ChunkedGzip>();
        var built = DebianIndex.build(packages, defaults, release, index.metadataSigner().orElse(null),
                packagesPath -> gzips.computeIfAbsent(packagesPath,
                        key -> memo.gzips().getOrDefault(key, new ChunkedGzip(Deflater.DEFAULT_COMPRESSION))),
                index::stage);
        long rendered = System.nanoTime();
        // Superseded by-hash files stay a while: apt that read the previous InRelease fetches them.
        index.replace("dists/", built, DebianIndex::isByHash);
        long weight = 0;
        for (var entry : parsed.values()) {
            weight += 2L * (entry.metadata().paragraph().length() + entry.stanza().bytes().length) + 256;
        }
        for (var file : built.entrySet()) {
            // a Packages file's chunks are kept as text and compressed
            weight += file.getKey().endsWith("/Packages") || file.getKey().endsWith("/Packages.gz")
                    ? file.getValue().length : 0;
        }
        memos.put(repository.id(), new Memo(parsed, gzips, (int) Math.min(Integer.MAX_VALUE, weight)));
        if (LOG.isDebugEnabled()) {
            LOG.debug("Debian index of {}: {} packages ({} read); listed in {} ms, rendered and staged {} files in {} ms,"
                    + " stored in {} ms", repository.fullName(), packages.size(), metadata.size(),
                    (listed - start) / 1_000_000, built.size(), (rendered - listed) / 1_000_000,
                    (System.nanoTime() - rendered) / 1_000_000);
        }
    }

    /**
     * Paths of {@code repository} inspected since the last call: their metadata is read again even
     * if the file looks the same (an upload within the same millisecond, as with a test clock).
     */
    private Set<String> uploadedSince(long repositoryId) {
        var paths = uploaded.remove(repositoryId);
        return paths == null ? Set.of() : paths;
    }

    /** The metadata {@code json} of {@code file} with its stanza; null if it cannot be read. */
    private static Parsed parse(FileEntry file, String json) {
        try {
            var metadata = JSON.readValue(json, Metadata.class);
            if (metadata.paragraph() == null || metadata.distributions() == null || metadata.distributions().isEmpty()
                    || metadata.components() == null || metadata.architectures() == null) {
                LOG.warn("Skipping {} in the Debian index: its metadata names no paragraph or distribution",
                        file.path());
                return null;
            }
            return new Parsed(file.id(), file.path(), file.sha256(), file.created(), metadata,
                    DebianIndex.stanza(metadata.paragraph(), file));
        } catch (JsonProcessingException e) {
            LOG.warn("Skipping {} in the Debian index: unreadable metadata: {}", file.path(), e.getMessage());
            return null;
        }
    }

    private static Set<String> names(String value) {
        var names = new LinkedHashSet<String>();
        if (value != null) {
            for (var part : value.split(",")) {
                var name = part.strip();
                if (NAME.matcher(name).matches()) {
                    names.add(name);
                }
            }
        }
        return names;
    }
}
