package dev.bindery.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * {@link BlobStore} on a local directory. Layout:
 *
 * <pre>
 * root/
 *   sha256/ab/cd/abcd...      one file per blob, named by its SHA-256, fanned out by its first two bytes
 *   tmp/&lt;uuid&gt;.part          puts in progress; fsynced, then renamed into sha256/ in one step
 * </pre>
 *
 * A blob's modification time is refreshed when identical content is put again, so a sweep with a
 * grace period never removes a blob that an upload in flight is about to refer to.
 */
public final class FileSystemBlobStore implements BlobStore {

    private static final int BUFFERS = 4;
    private static final HexFormat HEX = HexFormat.of();

    private final Path blobs;
    private final Path tmp;

    public FileSystemBlobStore(Path root) throws IOException {
        this.blobs = root.resolve("sha256");
        this.tmp = root.resolve("tmp");
        Files.createDirectories(blobs);
        Files.createDirectories(tmp);
    }

    private Path pathOf(BlobKey key) {
        var hex = key.sha256();
        return blobs.resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex);
    }

    @Override
    public StoredBlob put(InputStream content, long maxBytes, String expectedSha256) throws IOException {
        var temp = tmp.resolve(UUID.randomUUID() + ".part");
        boolean moved = false;
        try {
            MessageDigest sha1 = digest("SHA-1");
            MessageDigest sha256 = digest("SHA-256");
            long size = 0;
            String md5Hex;
            try (var channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 var md5 = new ParallelDigest("MD5", BUFFERS)) {
                int read;
                while (true) {
                    var buffer = md5.nextBuffer();
                    read = content.readNBytes(buffer, 0, buffer.length);
                    if (read <= 0) {
                        break;
                    }
                    size += read;
                    if (size > maxBytes) {
                        throw new TooLargeException(maxBytes);
                    }
                    // MD5 is the slowest of the three: it runs on another core meanwhile.
                    md5.update(buffer, read);
                    sha1.update(buffer, 0, read);
                    sha256.update(buffer, 0, read);
                    var wrapped = ByteBuffer.wrap(buffer, 0, read);
                    while (wrapped.hasRemaining()) {
                        channel.write(wrapped);
                    }
                }
                channel.force(true);
                md5Hex = HEX.formatHex(md5.digest());
            }
            var sha256Hex = HEX.formatHex(sha256.digest());
            var blob = new StoredBlob(new BlobKey(sha256Hex), size, md5Hex, HEX.formatHex(sha1.digest()), sha256Hex);
            if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(blob.sha256())) {
                throw new ChecksumMismatchException(expectedSha256, blob.sha256());
            }
            var target = pathOf(blob.key());
            if (Files.exists(target)) {
                // Same content already stored: keep one copy, and refresh it against the sweeper.
                Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
            } else {
                Files.createDirectories(target.getParent());
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                    moved = true;
                } catch (FileAlreadyExistsException raced) {
                    Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
                }
            }
            return blob;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without " + algorithm, e);
        }
    }

    @Override
    public boolean exists(BlobKey key) {
        return Files.isRegularFile(pathOf(key));
    }

    @Override
    public Optional<Long> size(BlobKey key) {
        try {
            return Optional.of(Files.size(pathOf(key)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public InputStream open(BlobKey key) throws IOException {
        return Files.newInputStream(pathOf(key));
    }

    @Override
    public Optional<Path> localFile(BlobKey key) {
        var path = pathOf(key);
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    @Override
    public void delete(BlobKey key) throws IOException {
        Files.deleteIfExists(pathOf(key));
    }

    @Override
    public void forEachOlderThan(Instant before, Consumer<BlobKey> sink) throws IOException {
        try (var files = Files.walk(blobs, 3)) {
            for (var path : (Iterable<Path>) files::iterator) {
                var name = path.getFileName().toString();
                if (name.length() == 64 && Files.isRegularFile(path)
                        && Files.getLastModifiedTime(path).toInstant().isBefore(before)) {
                    sink.accept(new BlobKey(name));
                }
            }
        }
    }

    @Override
    public void cleanTemporary(Instant before) throws IOException {
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(tmp, "*.part")) {
            for (var part : parts) {
                try {
                    if (Files.getLastModifiedTime(part).toInstant().isBefore(before)) {
                        Files.deleteIfExists(part);
                    }
                } catch (NoSuchFileException gone) {
                    // finished or removed meanwhile
                }
            }
        }
    }
}
