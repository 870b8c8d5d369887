package dev.bindery.formats.rpm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.BinderyException;
import dev.bindery.content.FileEntry;
import dev.bindery.content.FilePath;
import dev.bindery.content.Repository;
import dev.bindery.content.RepositoryType;
import dev.bindery.formats.IndexContext;
import dev.bindery.formats.RepositoryFormat;
import dev.bindery.storage.BlobKey;
import dev.bindery.storage.BlobStore;
import dev.bindery.storage.StoredBlob;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.eclipse.packager.rpm.RpmSignatureTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RPM repositories: reads each uploaded {@code .rpm}'s headers (Eclipse Packager's parser) into JSON
 * metadata that carries the package's pre-rendered YUM entries, and builds the YUM index
 * ({@code repodata/repomd.xml} with {@code primary}, {@code filelists} and {@code other}) from them.
 *
 * <p>With {@code yum_metadata_depth} N > 0 every folder N levels deep gets its own {@code repodata/}
 * covering the RPMs below it, with locations relative to that folder; with 0 one {@code repodata/}
 * at the root covers all. {@code yum_groups_file} names a published file in that folder (e.g.
 * {@code comps.xml}) published as the {@code group} metadata. {@code repomd.xml.asc}, a detached
 * signature, is written when the repository signs its metadata. Each folder's {@code repodata/} is
 * replaced in one step.
 *
 * <p>Rebuilds are incremental: what a folder's last build rendered and compressed stays in memory
 * (for the {@value #CACHED_FOLDERS} folders used last, within {@value #CACHED_BYTES} bytes), so adding
 * a package reads that package's metadata and recompresses one chunk. Packages are listed in upload
 * order (by file id), so a new one is appended and the open checksums of the next build are hashed
 * ahead, in the background, up to it ({@link dev.bindery.formats.ChunkedGzip#precompute}); clients do
 * not depend on the order. The cache is checked against the stored files on every build, so it is
 * never trusted over the database (other nodes may have changed it). Thread-safe.
 */
public final class RpmFormat implements RepositoryFormat {

    private static final Logger LOG = LoggerFactory.getLogger(RpmFormat.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    private static final String REPODATA = "repodata/";
    private static final Pattern CONTENT_ADDRESSED = Pattern.compile("[0-9a-f]{64}-.+");

    /** Folders indexed lately and what their builds left, by repository id and folder; bounded. */
    private static final int CACHED_FOLDERS = 32;
    /** The caches of folders used longest ago are dropped past this (10,000 small packages take ~20 MiB). */
    private static final long CACHED_BYTES = 128L * 1024 * 1024;

    private final BlobStore blobs;
    private final Map<String, YumRepodata.FolderCache> caches = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, YumRepodata.FolderCache> eldest) {
                    return size() > CACHED_FOLDERS;
                }
            });

    public RpmFormat(BlobStore blobs) {
        this.blobs = blobs;
    }

    @Override
    public RepositoryType type() {
        return RepositoryType.RPM;
    }

    @Override
    public String inspect(Repository repository, FilePath path, StoredBlob blob, Map<String, String> parameters) {
        if (!path.name().endsWith(".rpm")) {
            return null;
        }
        var rpm = read(path.name(), blob.key(), blob.size());
        return json(rpm, YumXml.render(rpm));
    }

    /**
     * Reads and checks an RPM: its headers must parse, the signature header's size of header and
     * payload must match the file (a truncated upload fails here) and its header digest the header.
     */
    private RpmPackage read(String name, BlobKey key, long size) {
        RpmHeaderReader.Headers headers;
        try (var in = blobs.open(key)) {
            headers = RpmHeaderReader.read(in, size);
        } catch (EOFException e) {
            throw invalid(name, "it ends early (truncated)");
        } catch (IOException | RuntimeException e) {
            throw invalid(name, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        var signature = headers.signature();
        long headerStart = headers.header().getStart();
        var declared = signature.getValue(RpmSignatureTag.LONGSIZE).or(() -> signature.getValue(RpmSignatureTag.SIZE));
        if (declared.isPresent() && declared.get() instanceof Number number) {
            long expected = headerStart + Integer.toUnsignedLong(number.intValue());
            if (number instanceof Long longNumber) {
                expected = headerStart + longNumber;
            }
            if (expected != size) {
                throw invalid(name, "its signature header says it is " + expected + " bytes long, but it is " + size
                        + (size < expected ? " (truncated)" : ""));
            }
        }
        var sha256 = signature.getValue(RpmSignatureTag.SHA256HEADER);
        var sha1 = signature.getValue(RpmSignatureTag.SHA1HEADER);
        if (sha256.isPresent() && !headers.headerSha256().equalsIgnoreCase(String.valueOf(sha256.get()).trim())
                || sha256.isEmpty() && sha1.isPresent()
                && !headers.headerSha1().equalsIgnoreCase(String.valueOf(sha1.get()).trim())) {
            throw invalid(name, "its header does not match the digest in its signature header (corrupted)");
        }
        RpmPackage rpm;
        try {
            rpm = RpmPackage.of(headers);
        } catch (RuntimeException e) {
            throw invalid(name, "its header cannot be read: " + e.getMessage());
        }
        if (rpm.name() == null || rpm.version() == null || rpm.release() == null || rpm.arch() == null) {
            throw invalid(name, "its header lacks the name, version, release or architecture");
        }
        return rpm;
    }

    private static BinderyException invalid(String name, String reason) {
        return BinderyException.badRequest("'" + name + "' is not a valid RPM package: " + reason);
    }

    /** The stored metadata: {@code xml} (the pre-rendered entries) first, then the package's fields. */
    static String json(RpmPackage rpm, YumXml.Fragments xml) {
        ObjectNode node = JSON.createObjectNode();
        node.set("xml", JSON.valueToTree(xml));
        node.setAll((ObjectNode) JSON.valueToTree(rpm));
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads only the {@code xml} member, which comes first, of stored metadata. */
    static YumXml.Fragments fragments(String json) {
        try (var parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                var field = parser.currentName();
                parser.nextToken();
                if (field.equals("xml")) {
                    return parser.readValueAs(YumXml.Fragments.class);
                }
                parser.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void reindex(Repository repository, String path, IndexContext index) {
        int depth = repository.yumMetadataDepth() == null ? 0 : Math.max(0, repository.yumMetadataDepth());
        var scope = trimSlashes(path == null ? "" : path);
        // Which part of the repository to look at: one folder at the depth, or all folders under a
        // shallower path; with depth 0 the root's repodata covers everything.
        String prefix;
        if (depth == 0 || scope.isEmpty()) {
            prefix = "";
        } else {
            var segments = scope.split("/");
            prefix = segments.length >= depth ? String.join("/", List.of(segments).subList(0, depth)) + "/"
                    : scope + "/";
        }
        long listStart = System.nanoTime();
        var files = index.fileEntries(prefix);
        LOG.debug("Listed {} files of {} in {} ms", files.size(), repository.fullName(),
                (System.nanoTime() - listStart) / 1_000_000);
        Map<String, List<FileEntry>> byFolder = new TreeMap<>();
        // Only a groups file is looked up by path.
        boolean groupsFile = repository.yumGroupsFile() != null && !repository.yumGroupsFile().isBlank();
        Map<String, FileEntry> byPath = new HashMap<>();
        if (depth == 0) {
            byFolder.put("", new ArrayList<>());
        }
        for (var file : files) {
            if (groupsFile) {
                byPath.put(file.path(), file);
            }
            var folder = folder(file.path(), depth);
            if (folder != null && file.path().endsWith(".rpm")) {
                byFolder.computeIfAbsent(folder, f -> new ArrayList<>()).add(file);
            }
        }
        // Folders that had a repodata/ and now have no RPMs (or lie at another depth) lose it.
        var stale = new TreeSet<String>();
        for (var current : index.current(prefix)) {
            var indexPath = current.path();
            int at = indexPath.startsWith(REPODATA) ? 0 : indexPath.indexOf("/" + REPODATA);
            if (at >= 0) {
                var folder = at == 0 ? "" : indexPath.substring(0, at);
                if (!byFolder.containsKey(folder)) {
                    stale.add(folder);
                }
            }
        }
        for (var folder : stale) {
            index.replace(repodataPrefix(folder), Map.of());
            caches.remove(cacheKey(repository, folder));
        }
        for (var entry : byFolder.entrySet()) {
            rebuildFolder(repository, entry.getKey(), entry.getValue(), byPath, index);
        }
    }

    private void rebuildFolder(Repository repository, String folder, List<FileEntry> rpms,
                               Map<String, FileEntry> byPath, IndexContext index) {
        long start = System.nanoTime();
        var cache = caches.computeIfAbsent(cacheKey(repository, folder), key -> new YumRepodata.FolderCache());
        Map<String, byte[]> built;
        int count;
        var prefix = repodataPrefix(folder);
        synchronized (cache) {
            var entries = entries(cache, folder, rpms, index);
            count = entries.size();
            var groups = groups(repository, folder, byPath);
            var previous = index.read(prefix + "repomd.xml").orElse(null);
            built = YumRepodata.build(cache, entries, groups, previous, index.now().getEpochSecond());
        }
        long builtAt = System.nanoTime();
        var files = new LinkedHashMap<String, byte[]>();
        built.forEach((name, bytes) -> files.put(folderPath(folder, name), bytes));
        var repomd = built.get(REPODATA + "repomd.xml");
        index.metadataSigner().ifPresent(signer ->
                files.put(prefix + "repomd.xml.asc", signer.detachedArmored(repomd)));
        // The previous generation's data files stay a while for clients holding the previous repomd.xml.
        index.replace(prefix, files, RpmFormat::contentAddressed);
        long storedAt = System.nanoTime();
        synchronized (cache) {
            YumRepodata.prepareNext(cache, count);
        }
        trimCaches(cacheKey(repository, folder));
        LOG.debug("Indexed {} RPMs in '{}' of {} in {} ms (built in {} ms, stored in {} ms)", count, folder,
                repository.fullName(), (System.nanoTime() - start) / 1_000_000, (builtAt - start) / 1_000_000,
                (storedAt - builtAt) / 1_000_000);
    }

    /**
     * The folder's entries in upload order (by file id): those of files seen before reused from the
     * cache (the listing hands over the same file objects while they are unchanged, so most checks are
     * one comparison), only new or replaced files read from their stored metadata. The cache forgets
     * files no longer listed. When nothing was removed and the new files came last, the last build's
     * order is extended rather than sorted again.
     */
    private List<YumRepodata.Entry> entries(YumRepodata.FolderCache cache, String folder, List<FileEntry> rpms,
                                            IndexContext index) {
        var reused = new ArrayList<YumRepodata.Entry>(rpms.size());
        var missing = new ArrayList<FileEntry>();
        for (var file : rpms) {
            var cached = cache.entries.get(file.id());
            if (cached != null && cached.describes(file)) {
                reused.add(cached);
            } else {
                missing.add(file);
            }
        }
        var added = new ArrayList<YumRepodata.Entry>(missing.size());
        if (!missing.isEmpty()) {
            var metadata = index.metadata(missing.stream().map(FileEntry::id).toList());
            for (var file : missing) {
                var json = metadata.get(file.id());
                var xml = json == null ? null : fragments(json);
                if (xml == null) {
                    xml = readAgain(file);
                    if (xml == null) {
                        continue;
                    }
                }
                var href = folder.isEmpty() ? file.path() : file.path().substring(folder.length() + 1);
                added.add(YumRepodata.Entry.of(xml, file, file.created().getEpochSecond(), href));
            }
        }
        var byId = java.util.Comparator.comparingLong(YumRepodata.Entry::fileId);
        added.sort(byId);
        // Every cached entry was reused: nothing was removed or replaced, so the last order still holds.
        var last = cache.sorted;
        boolean unchanged = reused.size() == cache.entries.size() && last.size() == reused.size();
        List<YumRepodata.Entry> sorted;
        if (unchanged && (added.isEmpty() || last.isEmpty()
                || added.getFirst().fileId() > last.getLast().fileId())) {
            sorted = new ArrayList<>(last.size() + added.size());
            sorted.addAll(last);
            sorted.addAll(added);
        } else {
            sorted = new ArrayList<>(reused.size() + added.size());
            sorted.addAll(reused);
            sorted.addAll(added);
            sorted.sort(byId);
            if (reused.size() != cache.entries.size()) {
                var listed = new java.util.HashSet<Long>(reused.size() * 2);
                reused.forEach(entry -> listed.add(entry.fileId()));
                cache.entries.keySet().retainAll(listed);
            }
        }
        for (var entry : added) {
            cache.entries.put(entry.fileId(), entry);
        }
        cache.sorted = List.copyOf(sorted);
        return sorted;
    }

    /** Drops the caches used longest ago while they hold more than {@link #CACHED_BYTES}, but never {@code keep}. */
    private void trimCaches(String keep) {
        synchronized (caches) {
            long total = 0;
            for (var cache : caches.values()) {
                total += cache.bytes;
            }
            var eldestFirst = caches.entrySet().iterator();
            while (total > CACHED_BYTES && eldestFirst.hasNext()) {
                var entry = eldestFirst.next();
                if (!entry.getKey().equals(keep)) {
                    total -= entry.getValue().bytes;
                    eldestFirst.remove();
                }
            }
        }
    }

    private static String cacheKey(Repository repository, String folder) {
        return repository.id() + "/" + folder;
    }

    /** An RPM stored without metadata (uploaded before the repository was indexed): read it now. */
    private YumXml.Fragments readAgain(FileEntry file) {
        try {
            return YumXml.render(read(file.name(), file.blobKey(), file.size()));
        } catch (BinderyException e) {
            LOG.warn("Leaving {} out of the index of {}/{}: {}", file.path(), file.owner(), file.repository(),
                    e.getMessage());
            return null;
        }
    }

    private YumRepodata.Groups groups(Repository repository, String folder, Map<String, FileEntry> byPath) {
        var name = repository.yumGroupsFile();
        if (name == null || name.isBlank()) {
            return null;
        }
        var file = byPath.get(folderPath(folder, trimSlashes(name.trim())));
        if (file == null) {
            return null;
        }
        try (var in = blobs.open(file.blobKey())) {
            return new YumRepodata.Groups(file.name(), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder at {@code depth} that holds {@code path}, "" for depth 0, null when it is not that deep. */
    static String folder(String path, int depth) {
        if (depth == 0) {
            return "";
        }
        int at = -1;
        for (int i = 0; i < depth; i++) {
            at = path.indexOf('/', at + 1);
            if (at < 0) {
                return null;
            }
        }
        return path.substring(0, at);
    }

    /** Whether the repodata file at {@code path} is named by its checksum ({@code <sha256>-primary.xml.gz}). */
    private static boolean contentAddressed(String path) {
        return CONTENT_ADDRESSED.matcher(path.substring(path.lastIndexOf('/') + 1)).matches();
    }

    private static String repodataPrefix(String folder) {
        return folderPath(folder, REPODATA);
    }

    private static String folderPath(String folder, String name) {
        return folder.isEmpty() ? name : folder + "/" + name;
    }

    private static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }
}
