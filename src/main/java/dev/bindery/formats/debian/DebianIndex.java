package dev.bindery.formats.debian;

import dev.bindery.content.FileEntry;
import dev.bindery.formats.ChunkedGzip;
import dev.bindery.formats.IndexFile;
import dev.bindery.signing.Signer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Renders a repository's {@code dists/} tree from the published packages: per distribution a
 * {@code Release} (signed as {@code InRelease} and {@code Release.gpg} when a signer is given) listing
 * {@code <component>/binary-<arch>/Packages} and {@code Packages.gz}, each also at
 * {@code by-hash/SHA256/<sha256>} beside it ({@code Acquire-By-Hash: yes}). Same input, same bytes;
 * the Packages files are stored ahead of the others through the given stage function.
 */
final class DebianIndex {

    static final String ALL = "all";
    private static final DateTimeFormatter RELEASE_DATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private DebianIndex() {
    }

    /** One published .deb: its stanza in Packages (see {@link #stanza}) and where it is listed. */
    record Entry(Stanza stanza, List<String> distributions, List<String> components, List<String> architectures) {
    }

    /** The repository's default_debian_* settings: these are published even with no package in them. */
    record Defaults(Set<String> distributions, Set<String> components, Set<String> architectures) {
    }

    /** The Release fields that do not come from the packages. */
    record ReleaseInfo(String origin, String label, String description, Instant date) {
    }

    /** One distribution's components and architectures, and its Packages being written. */
    private static final class Dist {
        final TreeSet<String> components = new TreeSet<>();
        final TreeSet<String> architectures = new TreeSet<>();
        /** By "component/arch". */
        final Map<String, List<Stanza>> packages = new TreeMap<>();
    }

    /**
     * The files under {@code dists/}, by path from the repository root.
     *
     * @param gzips the compressor of each Packages file by its path, kept across builds
     * @param stage stores a Packages file ahead of the others and returns its checksums for Release
     *              ({@link dev.bindery.formats.IndexContext#stage}); called side by side
     */
    static Map<String, byte[]> build(List<Entry> entries, Defaults defaults, ReleaseInfo info, Signer signer,
                                     Function<String, ChunkedGzip> gzips, BiFunction<String, byte[], IndexFile> stage) {
        var dists = new TreeMap<String, Dist>();
        for (var name : defaults.distributions()) {
            var dist = dists.computeIfAbsent(name, key -> new Dist());
            dist.components.addAll(defaults.components().isEmpty() ? Set.of("main") : defaults.components());
        }
        for (var entry : entries) {
            for (var name : entry.distributions()) {
                var dist = dists.computeIfAbsent(name, key -> new Dist());
                dist.components.addAll(entry.components());
                for (var arch : entry.architectures()) {
                    if (!arch.equals(ALL)) {
                        dist.architectures.add(arch);
                    }
                }
            }
        }
        for (var dist : dists.values()) {
            dist.architectures.addAll(defaults.architectures());
            if (dist.architectures.isEmpty()) {
                // Only packages of architecture all and no default: apt reads binary-all when Release lists it.
                dist.architectures.add(ALL);
            }
            for (var component : dist.components) {
                for (var arch : dist.architectures) {
                    dist.packages.put(component + "/" + arch, new ArrayList<>());
                }
            }
        }
        var targets = new LinkedHashSet<String>();
        for (var entry : entries) {
            for (var name : entry.distributions()) {
                var dist = dists.get(name);
                targets.clear();
                for (var arch : entry.architectures()) {
                    if (arch.equals(ALL)) {
                        targets.addAll(dist.architectures);
                    } else {
                        targets.add(arch);
                    }
                }
                for (var component : entry.components()) {
                    for (var arch : targets) {
                        dist.packages.get(component + "/" + arch).add(entry.stanza());
                    }
                }
            }
        }
        var indexes = new ArrayList<IndexBytes>();
        for (var dist : dists.entrySet()) {
            for (var packages : dist.getValue().packages.entrySet()) {
                int slash = packages.getKey().indexOf('/');
                var path = "dists/" + dist.getKey() + "/" + packages.getKey().substring(0, slash) + "/binary-"
                        + packages.getKey().substring(slash + 1) + "/Packages";
                var output = gzips.apply(path).build(packages.getValue());
                indexes.add(new IndexBytes(dist.getKey(), path, output.plain()));
                indexes.add(new IndexBytes(dist.getKey(), path + ".gz", output.bytes()));
            }
        }
        // Hashing (and storing) the Packages files is most of a rebuild's work: side by side.
        var rows = new IndexFile[indexes.size()];
        try (var stages = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new ArrayList<Future<IndexFile>>();
            for (var index : indexes) {
                futures.add(stages.submit(() -> stage.apply(index.path(), index.bytes())));
            }
            for (int i = 0; i < rows.length; i++) {
                rows[i] = futures.get(i).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while storing Packages files", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
        var files = new LinkedHashMap<String, byte[]>();
        for (var dist : dists.entrySet()) {
            var prefix = "dists/" + dist.getKey() + "/";
            var listed = new ArrayList<IndexFile>();
            for (int i = 0; i < rows.length; i++) {
                if (indexes.get(i).dist().equals(dist.getKey())) {
                    listed.add(rows[i]);
                    var path = indexes.get(i).path();
                    files.put(path, indexes.get(i).bytes());
                    // The same bytes again (the same blob) under their hash: apt fetches these when
                    // Release says Acquire-By-Hash, so a Packages file replaced meanwhile is no matter.
                    files.put(byHash(path, rows[i].sha256()), indexes.get(i).bytes());
                }
            }
            var release = release(dist.getKey(), dist.getValue(), info, prefix, listed)
                    .getBytes(StandardCharsets.UTF_8);
            files.put(prefix + "Release", release);
            if (signer != null) {
                files.put(prefix + "InRelease", signer.clearSigned(release));
                files.put(prefix + "Release.gpg", signer.detachedArmored(release));
            }
        }
        return files;
    }

    private record IndexBytes(String dist, String path, byte[] bytes) {
    }

    /** Where the index file at {@code path} is also served by its SHA-256: {@code <dir>/by-hash/SHA256/<sha256>}. */
    static String byHash(String path, String sha256) {
        return path.substring(0, path.lastIndexOf('/') + 1) + "by-hash/SHA256/" + sha256;
    }

    /** Whether {@code path} is a by-hash copy, kept for a while once superseded. */
    static boolean isByHash(String path) {
        return path.contains("/by-hash/");
    }

    /**
     * A package's stanza in Packages as UTF-8: one unit of the chunked Packages.gz, kept (the same
     * object) while its file stays the same.
     */
    record Stanza(byte[] bytes, long boundaryKey) implements ChunkedGzip.Unit {
        static Stanza of(String text) {
            var bytes = text.getBytes(StandardCharsets.UTF_8);
            return new Stanza(bytes, Arrays.hashCode(bytes));
        }
    }

    /** A package's paragraph with the fields of its file, and the blank line that ends it. */
    static Stanza stanza(String paragraph, FileEntry file) {
        var out = new StringBuilder(paragraph.length() + 256);
        out.append(paragraph);
        if (!paragraph.endsWith("\n")) {
            out.append('\n');
        }
        return Stanza.of(out.append("Filename: ").append(file.path())
                .append("\nSize: ").append(file.size())
                .append("\nMD5sum: ").append(file.md5())
                .append("\nSHA1: ").append(file.sha1())
                .append("\nSHA256: ").append(file.sha256())
                .append("\n\n").toString());
    }

    private static String release(String name, Dist dist, ReleaseInfo info, String prefix, List<IndexFile> indexes) {
        var out = new StringBuilder(1024);
        out.append("Origin: ").append(oneLine(info.origin())).append('\n');
        out.append("Label: ").append(oneLine(info.label())).append('\n');
        out.append("Suite: ").append(name).append('\n');
        out.append("Codename: ").append(name).append('\n');
        out.append("Date: ").append(RELEASE_DATE.format(info.date())).append('\n');
        out.append("Acquire-By-Hash: yes\n");
        out.append("Architectures: ").append(String.join(" ", dist.architectures)).append('\n');
        out.append("Components: ").append(String.join(" ", dist.components)).append('\n');
        if (info.description() != null && !info.description().isBlank()) {
            out.append("Description: ").append(oneLine(info.description())).append('\n');
        }
        var md5 = new StringBuilder("MD5Sum:\n");
        var sha1 = new StringBuilder("SHA1:\n");
        var sha256 = new StringBuilder("SHA256:\n");
        for (var index : indexes) {
            var size = String.format(Locale.ROOT, " %16d ", index.size());
            var path = index.path().substring(prefix.length());
            md5.append(' ').append(index.md5()).append(size).append(path).append('\n');
            sha1.append(' ').append(index.sha1()).append(size).append(path).append('\n');
            sha256.append(' ').append(index.sha256()).append(size).append(path).append('\n');
        }
        return out.append(md5).append(sha1).append(sha256).toString();
    }

    private static String oneLine(String value) {
        return value.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }


}
