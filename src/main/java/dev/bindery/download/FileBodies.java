package dev.bindery.download;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of downloads from a local blob store, ready for the socket without copying through
 * the heap more than needed. Blobs are immutable (named by their SHA-256), so what is read once
 * stays right forever:
 *
 * <ul>
 *   <li>small files (up to {@value #SMALL_LIMIT} bytes) are kept in memory, up to a byte budget,
 *       so serving one is a map lookup and a single write of headers and body;</li>
 *   <li>larger files are memory-mapped once, in chunks of at most 1 GiB, and written from the
 *       mapping: the kernel copies from the page cache to the socket, the JVM heap never sees them.</li>
 * </ul>
 *
 * Thread-safe; the returned buffers are private views the caller may consume.
 */
public final class FileBodies {

    static final int SMALL_LIMIT = 64 * 1024;
    private static final long CHUNK = 1L << 30;
    private static final int MAX_MAPPED_FILES = 1024;

    private final long smallBudget;
    private final AtomicLong smallBytes = new AtomicLong();
    private final ConcurrentHashMap<String, ByteBuffer> small = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ByteBuffer[]> mapped = new ConcurrentHashMap<>();

    public FileBodies(long smallBudget) {
        this.smallBudget = smallBudget;
    }

    /**
     * Buffers holding bytes {@code start} to {@code start + length - 1} of the download, in order, or
     * empty when its blob is not a local file (stream it instead).
     */
    public Optional<List<ByteBuffer>> slices(DownloadService.Download download, long start, long length)
            throws IOException {
        if (download.localFile().isEmpty()) {
            return Optional.empty();
        }
        var file = download.file();
        if (file.size() <= SMALL_LIMIT) {
            var whole = small.get(file.sha256());
            if (whole == null) {
                whole = ByteBuffer.wrap(Files.readAllBytes(download.localFile().get())).asReadOnlyBuffer();
                if (smallBytes.addAndGet(whole.capacity()) > smallBudget) {
                    small.clear();
                    smallBytes.set(whole.capacity());
                }
                small.put(file.sha256(), whole);
            }
            return Optional.of(List.of(whole.slice((int) start, (int) length)));
        }
        var chunks = mapped.get(file.sha256());
        if (chunks == null) {
            chunks = map(download);
            if (mapped.size() >= MAX_MAPPED_FILES) {
                mapped.clear();
            }
            mapped.put(file.sha256(), chunks);
        }
        var out = new ArrayList<ByteBuffer>();
        long position = start;
        long remaining = length;
        while (remaining > 0) {
            int index = (int) (position / CHUNK);
            int offset = (int) (position % CHUNK);
            var chunk = chunks[index];
            int take = (int) Math.min(remaining, chunk.capacity() - offset);
            out.add(chunk.slice(offset, take));
            position += take;
            remaining -= take;
        }
        return Optional.of(out);
    }

    private static ByteBuffer[] map(DownloadService.Download download) throws IOException {
        try (var channel = FileChannel.open(download.localFile().get(), StandardOpenOption.READ)) {
            long size = channel.size();
            int count = (int) ((size + CHUNK - 1) / CHUNK);
            var chunks = new ByteBuffer[count];
            for (int i = 0; i < count; i++) {
                long offset = i * CHUNK;
                chunks[i] = channel.map(FileChannel.MapMode.READ_ONLY, offset, Math.min(CHUNK, size - offset))
                        .asReadOnlyBuffer();
            }
            return chunks;
        }
    }
}
