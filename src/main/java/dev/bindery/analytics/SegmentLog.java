package dev.bindery.analytics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only log of download events: the source of truth every statistic is derived from.
 *
 * <pre>
 * dir/
 *   00000000000000000000.seg     events from log offset 0
 *   00000000000067108912.seg     events from log offset 67108912 (the file name is its first offset)
 * </pre>
 *
 * Each record is {@code [int length][int crc32c][payload]}, the payload an {@link EventCodec} event.
 * An offset is a position in the whole log, so a consumer's checkpoint is one number. Opening the
 * log checks the tail of the newest segment and cuts off a record torn by a crash. One thread
 * appends; any number read. Appends reach the OS at once (a process crash loses nothing written);
 * {@link #sync} makes them survive a power loss.
 */
public final class SegmentLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentLog.class);
    private static final int HEADER = 8;
    private static final int MAX_RECORD = 1 << 20;
    /** Bytes read at a time: any record fits. */
    private static final int READ_BYTES = HEADER + MAX_RECORD;
    /** Bytes of encoded events {@link #appendEvents} writes at a time. */
    private static final int WRITE_CHUNK = 1 << 20;

    private final Path dir;
    private final long segmentBytes;
    private final TreeMap<Long, Path> segments = new TreeMap<>();
    private FileChannel active;
    private long activeBase;
    private volatile long end;
    /**
     * Each reading thread's buffer, reused: followers read all the time, and a fresh buffer per read
     * (up to 8 MB, as large as the unread part of the log) went straight to the old generation and
     * kept the collector marking under steady downloads.
     */
    private final ThreadLocal<ByteBuffer> readBuffers = ThreadLocal.withInitial(() -> ByteBuffer.allocate(READ_BYTES));
    /** Each reading thread's recently decoded strings, reused for the same bytes (see {@link EventCodec.Strings}). */
    private final ThreadLocal<EventCodec.Strings> readStrings = ThreadLocal.withInitial(EventCodec.Strings::new);
    /** The strings the appending thread encoded lately, with their bytes. */
    private final StringTable appendStrings = new StringTable(8192);
    /** The appending thread's encoding buffer, reused; it holds at most about {@value #WRITE_CHUNK} bytes. */
    private final EventCodec.Output output = new EventCodec.Output(WRITE_CHUNK + 64 * 1024, appendStrings);
    private final CRC32C appendCrc = new CRC32C();

    /** One event read back, with where it starts and where the next one does. */
    public record Entry(long offset, long next, DownloadEvent event) {
    }

    public SegmentLog(Path dir, long segmentBytes) throws IOException {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        Files.createDirectories(dir);
        try (var files = Files.list(dir)) {
            for (var file : files.filter(f -> f.getFileName().toString().endsWith(".seg")).toList()) {
                var name = file.getFileName().toString();
                segments.put(Long.parseLong(name.substring(0, name.length() - 4)), file);
            }
        }
        if (segments.isEmpty()) {
            segments.put(0L, dir.resolve(name(0)));
        }
        activeBase = segments.lastKey();
        active = FileChannel.open(segments.get(activeBase), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        long valid = validLength(active);
        if (valid < active.size()) {
            LOG.warn("Cutting {} bytes of a torn record off {}", active.size() - valid, segments.get(activeBase));
            active.truncate(valid);
        }
        active.position(valid);
        end = activeBase + valid;
    }

    private static String name(long base) {
        return String.format("%020d.seg", base);
    }

    /** The offset after the last appended event: what a consumer that is up to date has reached. */
    public long end() {
        return end;
    }

    /**
     * Appends already encoded events ({@link EventCodec#encode(DownloadEvent)}) as one write; returns
     * the new end offset. Single appending thread only.
     */
    public long append(List<byte[]> payloads) throws IOException {
        if (payloads.isEmpty()) {
            return end;
        }
        var out = output;
        out.size = 0;
        for (var payload : payloads) {
            int start = out.size;
            out.ensure(HEADER + payload.length);
            System.arraycopy(payload, 0, out.bytes, start + HEADER, payload.length);
            out.size = start + HEADER + payload.length;
            seal(out, start);
        }
        return write(out);
    }

    /**
     * Encodes the events and appends them, in writes of about {@value #WRITE_CHUNK} bytes (a crash
     * may tear the last record, which the next open cuts off); returns the new end offset. Encodes
     * into a reused buffer: no array per event or per batch. Single appending thread only.
     */
    public long appendEvents(List<DownloadEvent> events) throws IOException {
        return appendEvents(events, null, null);
    }

    /**
     * {@link #appendEvents(List)} of the events as enriched with {@code places[i]} and
     * {@code clients[i]} (see {@link EventCodec#encode(DownloadEvent, GeoInfo, ClientInfo, EventCodec.Output)});
     * null arrays keep the events' own fields. When {@code offsets} is given, sets {@code offsets[i]}
     * to where event {@code i}'s record starts, or -1 if it was left out (see {@link #seal}).
     */
    long appendEvents(List<DownloadEvent> events, GeoInfo[] places, ClientInfo[] clients, long[] offsets)
            throws IOException {
        var out = output;
        out.size = 0;
        int chunkFirst = 0;
        for (int i = 0; i < events.size(); i++) {
            int start = out.size;
            out.ensure(HEADER);
            out.size += HEADER;
            EventCodec.encode(events.get(i), places == null ? null : places[i], clients == null ? null : clients[i],
                    out);
            boolean kept = seal(out, start);
            if (offsets != null) {
                offsets[i] = kept ? start : -1;
            }
            if (out.size >= WRITE_CHUNK) {
                placeChunk(offsets, chunkFirst, i + 1, write(out) - out.size);
                chunkFirst = i + 1;
                out.size = 0;
            }
        }
        if (out.size == 0) {
            return end;
        }
        long written = write(out);
        placeChunk(offsets, chunkFirst, events.size(), written - out.size);
        return written;
    }

    long appendEvents(List<DownloadEvent> events, GeoInfo[] places, ClientInfo[] clients) throws IOException {
        return appendEvents(events, places, clients, null);
    }

    /** Turns the chunk-relative starts of events [{@code from}, {@code to}) into log offsets, once the chunk is written at {@code base}. */
    private static void placeChunk(long[] offsets, int from, int to, long base) {
        if (offsets == null) {
            return;
        }
        for (int i = from; i < to; i++) {
            if (offsets[i] >= 0) {
                offsets[i] += base;
            }
        }
    }

    /**
     * Fills in the header of the record that starts at {@code start} and runs to the end of
     * {@code out}; returns false if it had to leave it out. A record too large to read back (a
     * User-Agent of megabytes) would stop every follower at it: it is taken back out, logged and
     * left out instead.
     */
    private boolean seal(EventCodec.Output out, int start) {
        int length = out.size - start - HEADER;
        if (length > MAX_RECORD) {
            out.size = start;
            LOG.warn("Leaving out a download event of {} bytes: records hold at most {}", length, MAX_RECORD);
            return false;
        }
        appendCrc.reset();
        appendCrc.update(out.bytes, start + HEADER, length);
        out.putIntAt(start, length);
        out.putIntAt(start + 4, (int) appendCrc.getValue());
        return true;
    }

    /**
     * The instance of a string equal to {@code value} that appending encoded lately, or
     * {@code value} itself: what is kept of an appended batch then points at one instance of each.
     * Appending thread only.
     */
    String canonical(String value) {
        return appendStrings.canonical(value);
    }

    /**
     * Writes the records in {@code out}, after rolling to a new segment if they would overfill this
     * one. A write that fails is cut off again, so the next one does not follow a torn record (the
     * segment's size is {@link #end} less its base: only this thread appends, and asking the file
     * for it took two system calls a write).
     */
    private long write(EventCodec.Output out) throws IOException {
        if (end > activeBase && end - activeBase + out.size > segmentBytes) {
            roll();
        }
        long size = end - activeBase;
        var buffer = ByteBuffer.wrap(out.bytes, 0, out.size);
        try {
            while (buffer.hasRemaining()) {
                active.write(buffer);
            }
        } catch (IOException e) {
            try {
                active.truncate(size);
                active.position(size);
            } catch (IOException cut) {
                e.addSuppressed(cut);
            }
            throw e;
        }
        end = activeBase + size + out.size;
        if (out.bytes.length > 4 * WRITE_CHUNK) {
            // A batch of a few large events (append) grew it: do not keep that much for good.
            out.bytes = new byte[WRITE_CHUNK + 64 * 1024];
        }
        return end;
    }

    private void roll() throws IOException {
        active.force(true);
        long size = end - activeBase;
        active.close();
        activeBase = activeBase + size;
        var path = dir.resolve(name(activeBase));
        synchronized (segments) {
            segments.put(activeBase, path);
        }
        active = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** Forces appended events to disk. */
    public void sync() throws IOException {
        active.force(false);
    }

    /** Reads up to {@code max} events from {@code offset} (which must be a record start, or {@link #end}). */
    public List<Entry> read(long offset, int max) throws IOException {
        var entries = new ArrayList<Entry>();
        scan(offset, max, (at, next, payload, strings) ->
                entries.add(new Entry(at, next, EventCodec.decode(payload, strings))));
        return entries;
    }

    /**
     * A logged download in brief: who fetched which file of whose package when, from which address;
     * what the outbox tells of a download, read without the rest of the event.
     *
     * @param offset where its record starts
     * @param next   where the next one starts
     * @param path   the file's path in the repository
     */
    public record Brief(long offset, long next, long timeMillis, String ip, String user, String subject, String repo,
                        String pkg, String version, String path) {
    }

    /**
     * Reads up to {@code max} downloads in brief from {@code offset} (a record start, or {@link #end}):
     * the fields of a {@link Brief} are decoded, the User-Agent, enrichment and the rest skipped.
     */
    public List<Brief> readBriefs(long offset, int max) throws IOException {
        var briefs = new ArrayList<Brief>();
        scan(offset, max, (at, next, payload, strings) -> briefs.add(EventCodec.decodeBrief(at, next, payload, strings)));
        return briefs;
    }

    /** What {@link #scan} hands each record to. */
    interface RecordVisitor {
        /**
         * @param offset  where the record starts
         * @param next    where the next one starts
         * @param payload the encoded event; valid only during the call
         * @param strings the reading thread's recently decoded strings, for {@link EventCodec}
         */
        void visit(long offset, long next, ByteBuffer payload, EventCodec.Strings strings);
    }

    /**
     * Hands up to {@code max} records from {@code offset} (a record start, or {@link #end}) to
     * {@code visitor} in order, undecoded: a reader that needs a few fields decodes only those, into
     * what it reuses. Returns how many it handed over.
     */
    int scan(long offset, int max, RecordVisitor visitor) throws IOException {
        var strings = readStrings.get();
        int visited = 0;
        long position = offset;
        long limit = end;
        while (visited < max && position < limit) {
            // Records never span segments: read this one's part of the range, then go on to the next.
            var buffer = readBuffers.get();
            fill(buffer, position, position + READ_BYTES, limit);
            buffer.flip();
            long before = position;
            var payload = buffer.duplicate();
            while (visited < max && buffer.remaining() >= HEADER) {
                int length = buffer.getInt(buffer.position());
                if (length < 0 || length > MAX_RECORD) {
                    throw new IOException("Corrupt record at log offset " + position);
                }
                if (buffer.remaining() < HEADER + length) {
                    break;
                }
                int start = buffer.position() + HEADER;
                // One view of the buffer, moved over each record: no slice object per event.
                payload.limit(start + length).position(start);
                buffer.position(start + length);
                long next = position + HEADER + length;
                visitor.visit(position, next, payload, strings);
                visited++;
                position = next;
            }
            if (position == before) {
                throw new IOException("Incomplete record at log offset " + position);
            }
        }
        return visited;
    }

    /** Bytes read beyond a wanted record's start, so that a record of any usual size is read whole at once. */
    private static final int RECORD_SLACK = 16 * 1024;

    /**
     * Hands the records that start at {@code offsets[0..count)} (ascending) to {@code visitor} in
     * order, undecoded, each checked against its checksum: an offset that is not a record start is
     * an error, never a misread event. Reads the stretches of the log that hold them rather than a
     * record at a time, and skips the stretches between: one package's downloads of a day are
     * spread thinly among everyone else's. Uses its own buffers: any thread may call it.
     *
     * @throws IOException when an offset is out of order, beyond the log or not a record start
     */
    void readAt(long[] offsets, int count, RecordVisitor visitor) throws IOException {
        var strings = new EventCodec.Strings();
        var buffer = ByteBuffer.allocate(READ_BYTES);
        var payload = buffer.duplicate();
        var crc = new CRC32C();
        long windowStart = 0;
        long windowEnd = 0;
        long limit = end;
        int reach = 0;
        for (int i = 0; i < count; i++) {
            long at = offsets[i];
            if (i > 0 && at <= offsets[i - 1] || at < 0 || at + HEADER > limit) {
                throw new IOException("Log offset " + at + " is out of order or beyond the log");
            }
            int length = at >= windowStart && at + HEADER <= windowEnd ? buffer.getInt((int) (at - windowStart)) : -1;
            if (length < 0 || at + HEADER + length > windowEnd) {
                // Read from here to a little past the furthest wanted record this read can reach.
                reach = Math.max(reach, i);
                while (reach + 1 < count && offsets[reach + 1] + RECORD_SLACK - at <= READ_BYTES) {
                    reach++;
                }
                long want = Math.max(length > 0 ? at + HEADER + length : 0, offsets[reach] + RECORD_SLACK);
                windowStart = at;
                windowEnd = fill(buffer, at, Math.min(want, at + READ_BYTES), limit);
                length = windowEnd - at >= HEADER ? buffer.getInt(0) : -1;
                if (length < 0 || length > MAX_RECORD || at + HEADER + length > windowEnd) {
                    throw new IOException("No whole record starts at log offset " + at);
                }
            }
            int start = (int) (at - windowStart) + HEADER;
            crc.reset();
            crc.update(buffer.array(), start, length);
            if ((int) crc.getValue() != buffer.getInt(start - 4)) {
                throw new IOException("No record starts at log offset " + at + " (checksum mismatch)");
            }
            payload.limit(start + length).position(start);
            visitor.visit(at, at + HEADER + length, payload, strings);
        }
    }

    /**
     * Reads the log from {@code from} up to {@code to}, the end of its segment or {@code limit},
     * whichever comes first, into the start of {@code buffer}; returns the log offset the bytes read
     * reach.
     */
    private long fill(ByteBuffer buffer, long from, long to, long limit) throws IOException {
        long base;
        Path file;
        long segmentEnd;
        synchronized (segments) {
            var segment = segments.floorEntry(from);
            if (segment == null) {
                throw new IOException("No segment holds log offset " + from);
            }
            base = segment.getKey();
            file = segment.getValue();
            var nextBase = segments.higherKey(from);
            segmentEnd = nextBase != null ? Math.min(nextBase, limit) : limit;
        }
        if (from >= segmentEnd) {
            throw new IOException("Log offset " + from + " is not a record start");
        }
        buffer.clear().limit((int) (Math.min(to, segmentEnd) - from));
        try (var channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buffer.hasRemaining() && channel.read(buffer, from - base + buffer.position()) > 0) {
                // fill
            }
        }
        return from + buffer.position();
    }

    /** Bytes of the segment that hold whole, intact records. */
    private static long validLength(FileChannel channel) throws IOException {
        long size = channel.size();
        long position = 0;
        var header = ByteBuffer.allocate(HEADER);
        var crc = new CRC32C();
        while (position + HEADER <= size) {
            header.clear();
            channel.read(header, position);
            header.flip();
            int length = header.getInt();
            int expected = header.getInt();
            if (length < 0 || length > MAX_RECORD || position + HEADER + length > size) {
                break;
            }
            var payload = ByteBuffer.allocate(length);
            channel.read(payload, position + HEADER);
            crc.reset();
            crc.update(payload.array());
            if ((int) crc.getValue() != expected) {
                break;
            }
            position += HEADER + length;
        }
        return position;
    }

    @Override
    public void close() throws IOException {
        active.force(true);
        active.close();
    }
}
