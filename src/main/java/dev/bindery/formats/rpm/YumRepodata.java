package dev.bindery.formats.rpm;

import dev.bindery.content.FileEntry;
import dev.bindery.formats.ChunkedGzip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Puts one {@code repodata/} folder together from pre-rendered package entries: {@code primary},
 * {@code filelists} and {@code other} as gzipped XML under content-addressed names
 * ({@code <sha256>-primary.xml.gz}, as createrepo_c names them by default, so caches never mix
 * generations), the groups file when there is one, and {@code repomd.xml} with each one's checksum,
 * open checksum, sizes and timestamp. The XML files are compressed in chunks kept in a
 * {@link FolderCache}, so adding a package to a large folder recompresses a chunk, not the folder.
 */
final class YumRepodata {

    /** gzip level of new chunks: fast, so a full build is quick; the files are a few percent larger. */
    private static final int GZIP_LEVEL = Deflater.BEST_SPEED;
    private static final Pattern CHECKSUM = Pattern.compile("<checksum type=\"sha256\">([0-9a-f]{64})</checksum>");

    /** Runs the builds of primary and filelists beside the calling thread's build of other. */
    private static final java.util.concurrent.Executor BUILDERS = task -> Thread.ofVirtual().name("yum-build").start(task);

    private YumRepodata() {
    }

    /** One part of a package's entry: its bytes in one of the three files. */
    private record Part(byte[] bytes, long boundaryKey) implements ChunkedGzip.Unit {
    }

    /**
     * One package of the folder, rendered for the three files; reused by later builds while the file
     * (id, content, upload time and path) stays the same.
     */
    record Entry(FileEntry file, Part primary, Part filelists, Part other) {

        /**
         * @param fileTime seconds since the epoch ({@code <time file>})
         * @param href     the path relative to the folder ({@code <location href>})
         */
        static Entry of(YumXml.Fragments xml, FileEntry file, long fileTime, String href) {
            var sha256 = file.sha256();
            var parts = xml.primary();
            var primary = parts.get(0) + "  <checksum type=\"sha256\" pkgid=\"YES\">" + sha256 + "</checksum>\n"
                    + parts.get(1) + fileTime + parts.get(2) + file.size() + parts.get(3) + YumXml.attr(href)
                    + parts.get(4);
            var filelists = "<package pkgid=\"" + sha256 + xml.filelists();
            var other = "<package pkgid=\"" + sha256 + xml.other();
            long id = file.id();
            return new Entry(file, new Part(utf8(primary), id), new Part(utf8(filelists), id), new Part(utf8(other), id));
        }

        long fileId() {
            return file.id();
        }

        /**
         * Whether this entry renders {@code other}: the same file object (the listing keeps unchanged
         * files' objects), or a file with the same id, content, upload time and path.
         */
        boolean describes(FileEntry other) {
            return file == other || file.id() == other.id() && file.created().equals(other.created())
                    && file.sha256().equals(other.sha256()) && file.path().equals(other.path());
        }
    }

    /** What one folder's last build left behind: its entries by file id, and the compressed chunks. */
    static final class FolderCache {
        final Map<Long, Entry> entries = new HashMap<>();
        /** The last build's entries, in upload order; read and written under the cache's lock. */
        List<Entry> sorted = List.of();
        /** About how much memory the cache holds, set by each build. */
        volatile long bytes;
        private final ChunkedGzip primary = new ChunkedGzip(GZIP_LEVEL);
        private final ChunkedGzip filelists = new ChunkedGzip(GZIP_LEVEL);
        private final ChunkedGzip other = new ChunkedGzip(GZIP_LEVEL);
    }

    /** A comps groups file to publish as the {@code group} (and {@code group_gz}) metadata. */
    record Groups(String name, byte[] bytes) {
    }

    /**
     * The files of the folder's {@code repodata/}, by path relative to the folder ({@code repodata/...}),
     * {@code repomd.xml} last.
     *
     * @param cache          the folder's cache, updated; callers use it one build at a time
     * @param previousRepomd the repomd.xml generated before, if any: kept byte for byte when every
     *                       checksum in it is still the same, so an unchanged index stays unchanged
     * @param now            seconds since the epoch, for the timestamps and revision
     */
    static Map<String, byte[]> build(FolderCache cache, List<Entry> entries, Groups groups, byte[] previousRepomd,
                                     long now) {
        var count = Integer.toString(entries.size());
        // The three files are independent: build them side by side (hashing is most of a small rebuild).
        var primaryTask = CompletableFuture.supplyAsync(() -> Compressed.of(cache.primary.build(
                utf8(YumXml.PRIMARY_START + count + "\">\n"), entries.stream().map(Entry::primary).toList(),
                utf8(YumXml.PRIMARY_END))), BUILDERS);
        var filelistsTask = CompletableFuture.supplyAsync(() -> Compressed.of(cache.filelists.build(
                utf8(YumXml.FILELISTS_START + count + "\">\n"), entries.stream().map(Entry::filelists).toList(),
                utf8(YumXml.FILELISTS_END))), BUILDERS);
        var other = Compressed.of(cache.other.build(utf8(YumXml.OTHER_START + count + "\">\n"),
                entries.stream().map(Entry::other).toList(), utf8(YumXml.OTHER_END)));
        Compressed primary;
        Compressed filelists;
        try {
            primary = primaryTask.join();
            filelists = filelistsTask.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
        long held = 0;
        for (var entry : entries) {
            held += entry.primary().bytes().length + entry.filelists().bytes().length + entry.other().bytes().length
                    + 128;
        }
        cache.bytes = held + primary.bytes().length + filelists.bytes().length + other.bytes().length;
        var data = new ArrayList<Data>();
        data.add(new Data("primary", "primary.xml.gz", primary));
        data.add(new Data("filelists", "filelists.xml.gz", filelists));
        data.add(new Data("other", "other.xml.gz", other));
        if (groups != null) {
            data.add(new Data("group", groups.name(), Compressed.of(groups.bytes(), null, 0)));
            data.add(new Data("group_gz", groups.name() + ".gz", gzip(groups.bytes())));
        }
        var files = new LinkedHashMap<String, byte[]>();
        for (var item : data) {
            files.put(item.location(), item.compressed().bytes());
        }
        byte[] repomd = repomd(data, now);
        if (previousRepomd != null && checksums(previousRepomd).equals(checksums(repomd))) {
            repomd = previousRepomd;
        }
        files.put("repodata/repomd.xml", repomd);
        return files;
    }

    /**
     * Prepares the folder's next build after one of {@code count} entries: entries are in upload
     * order, so the next build most likely appends one, and its open checksums are hashed ahead, in
     * the background, up to the new entry ({@link ChunkedGzip#precompute}). Call it when the build's
     * files are stored, so the hashing does not compete with them.
     */
    static void prepareNext(FolderCache cache, int count) {
        var next = Integer.toString(count + 1);
        cache.primary.precompute(utf8(YumXml.PRIMARY_START + next + "\">\n"));
        cache.filelists.precompute(utf8(YumXml.FILELISTS_START + next + "\">\n"));
        cache.other.precompute(utf8(YumXml.OTHER_START + next + "\">\n"));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> checksums(byte[] repomd) {
        var matcher = CHECKSUM.matcher(new String(repomd, StandardCharsets.UTF_8));
        var checksums = new ArrayList<String>();
        while (matcher.find()) {
            checksums.add(matcher.group(1));
        }
        return checksums;
    }

    private record Data(String type, String name, Compressed compressed) {
        String location() {
            return "repodata/" + compressed.sha256() + "-" + name;
        }
    }

    private static byte[] repomd(List<Data> data, long now) {
        var xml = new StringBuilder(2048);
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<repomd xmlns=\"http://linux.duke.edu/metadata/repo\"")
                .append(" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n")
                .append("  <revision>").append(now).append("</revision>\n");
        for (var item : data) {
            var compressed = item.compressed();
            xml.append("  <data type=\"").append(item.type()).append("\">\n")
                    .append("    <checksum type=\"sha256\">").append(compressed.sha256()).append("</checksum>\n");
            if (compressed.openSha256() != null) {
                xml.append("    <open-checksum type=\"sha256\">").append(compressed.openSha256())
                        .append("</open-checksum>\n");
            }
            xml.append("    <location href=\"").append(YumXml.attr(item.location())).append("\"/>\n")
                    .append("    <timestamp>").append(now).append("</timestamp>\n")
                    .append("    <size>").append(compressed.bytes().length).append("</size>\n");
            if (compressed.openSha256() != null) {
                xml.append("    <open-size>").append(compressed.openSize()).append("</open-size>\n");
            }
            xml.append("  </data>\n");
        }
        xml.append("</repomd>\n");
        return xml.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Stored bytes with their SHA-256; for compressed files also the SHA-256 and size of what they
     * hold (null and 0 for files stored as they are).
     */
    record Compressed(byte[] bytes, String sha256, String openSha256, long openSize) {
        static Compressed of(byte[] bytes, String openSha256, long openSize) {
            return new Compressed(bytes, hex(sha256Digest().digest(bytes)), openSha256, openSize);
        }

        static Compressed of(ChunkedGzip.Result result) {
            return new Compressed(result.bytes(), result.sha256(), result.openSha256(), result.openSize());
        }
    }

    private static Compressed gzip(byte[] data) {
        var bytes = new ByteArrayOutputStream(data.length / 4 + 64);
        try (var gzip = new GZIPOutputStream(bytes)) {
            gzip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Compressed.of(bytes.toByteArray(), hex(sha256Digest().digest(data)), data.length);
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
