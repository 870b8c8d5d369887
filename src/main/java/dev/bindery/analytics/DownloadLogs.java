package dev.bindery.analytics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daily download log files of each package: an index kept by following the download log, and
 * the files themselves, written from the index when they are asked for.
 *
 * <pre>
 * root/
 *   layout                                         {@value #LAYOUT}: what the files below are
 *   checkpoint                                     log offset the indexes hold everything before
 *   pending                                        a batch being indexed: its indexes' sizes before it
 *   subject/repo/package/downloads-dd-MM-yyyy.idx  the day's downloads: their log offsets, ascending, 8 bytes each
 *   subject/repo/package/downloads-dd-MM-yyyy.log.gz        Apache lines of the first downloads indexed
 *   subject/repo/package/downloads-dd-MM-yyyy.log.gz.done   "indexed size": index bytes and file bytes it holds
 *   subject/repo/package/downloads-dd-MM-yyyy.csv.gz[.done] the same in CSV, with a header row
 * </pre>
 *
 * <p>Following the log costs a download 8 bytes of index. Formatting two lines and gzipping them
 * into two files as each download happened was the largest part of what analytics cost a
 * download, for files most packages never have fetched. Listing or fetching a package's files
 * brings them up to date instead: each time, one gzip member with the lines of the downloads
 * indexed since the last time is appended (concatenated members are one valid gzip stream), so
 * today's file is current whenever it is fetched, and a past day's file is written once.
 *
 * <p>Crashes: before a batch, the sizes of the indexes it appends to are recorded in
 * {@code pending}; after a crash those indexes are cut back and the batch is indexed again, so
 * no download is lost or doubled. A file's new member is forced to disk before its {@code .done}
 * names it; bytes beyond what {@code .done} names (a crash in between) are cut off before the next
 * member. The index is a function of the log, so a file never holds what the index will not.
 */
public final class DownloadLogs implements AutoCloseable {

    /** The two formats of a log file, by the name the API's {@code format} parameter uses. */
    public enum Format {
        APACHE(".log.gz"), CSV(".csv.gz");

        final String suffix;

        Format(String suffix) {
            this.suffix = suffix;
        }
    }

    /** One daily file as List Package Download Log Files shows it; {@code updated}: its last download. */
    public record LogFile(String name, long size, Instant updated) {
    }

    /** A daily file brought up to date, and its size then: the bytes to serve, though it may grow meanwhile. */
    public record Rendered(Path path, long size) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(DownloadLogs.class);
    /** The layout of the files; any other (the first kept formatted files only) is derived again from the log. */
    static final String LAYOUT = "indexed-1";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("dd-MM-yyyy").withZone(ZoneOffset.UTC);
    private static final String INDEX = ".idx";
    private static final String DONE = ".done";
    private static final int OFFSET_BYTES = Long.BYTES;
    private static final int BATCH = 20_000;
    /** Events one step indexes at most, in batches of {@value #BATCH}: a step per second must keep up. */
    private static final int MAX_EVENTS = 500_000;
    /** Downloads read from the log at a time while writing a file. */
    private static final int RENDER_BATCH = 8_192;
    /** Characters of lines gathered before they go into the gzip stream. */
    private static final int CHUNK = 64 * 1024;

    private final SegmentLog log;
    private final Path root;
    private final FollowerThread follower;
    private final AppendedBatches appended = new AppendedBatches(AppendedBatches.AT_HAND);
    /** Writing a file is one thread's at a time; its lock is one of these, by its path. */
    private final Object[] fileLocks = new Object[64];
    private volatile long position;

    public DownloadLogs(SegmentLog log, Path root) throws IOException {
        this.log = log;
        this.root = root;
        Arrays.setAll(fileLocks, i -> new Object());
        Files.createDirectories(root);
        var layout = root.resolve("layout");
        if (!Files.exists(layout) || !Files.readString(layout).trim().equals(LAYOUT)) {
            if (Files.exists(root.resolve("checkpoint"))) {
                LOG.info("Download log files are indexed now; indexing them again from the download log");
            }
            clear(root);
            writeAtomically(layout, LAYOUT);
        }
        recover();
        var checkpoint = root.resolve("checkpoint");
        this.position = Files.exists(checkpoint) ? Long.parseLong(Files.readString(checkpoint).trim()) : 0;
        this.follower = new FollowerThread("analytics-logs", this::step, () -> position);
    }

    public DownloadLogs start() {
        follower.start();
        return this;
    }

    public void signal() {
        follower.signal();
    }

    /**
     * Keeps a batch the writer appended, to index without reading it back from the log (null: it
     * must be read), and wakes the follower. Cheap; called by the writer after each append.
     */
    public void appended(Appended batch) {
        appended.offer(batch);
        follower.signal();
    }

    /** Downloads indexed from batches at hand rather than read from the log; for tests. */
    public long takenAtHand() {
        return appended.taken();
    }

    public long position() {
        return position;
    }

    /**
     * The daily files of a package, newest first, each in Apache format brought up to date: the
     * first listing after a long time writes every day's lines since.
     */
    public List<LogFile> list(String subject, String repo, String pkg) {
        var logs = new ArrayList<LogFile>();
        try {
            for (var index : indexes(folder(subject, repo, pkg))) {
                var rendered = render(index, Format.APACHE);
                logs.add(new LogFile(name(index, Format.APACHE), rendered.size(),
                        Files.getLastModifiedTime(index).toInstant()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        logs.sort(Comparator.comparing((LogFile file) -> day(file.name())).reversed());
        return logs;
    }

    /** The file {@code name} (as listed) in the given format, brought up to date, if it exists. */
    public Optional<Rendered> file(String subject, String repo, String pkg, String name, Format format) {
        if (!name.matches("downloads-\\d{2}-\\d{2}-\\d{4}\\.(log|csv)\\.gz")) {
            return Optional.empty();
        }
        var base = name.substring(0, name.length() - Format.APACHE.suffix.length());
        var index = folder(subject, repo, pkg).resolve(base + INDEX);
        try {
            return indexed(index) < OFFSET_BYTES ? Optional.empty() : Optional.of(render(index, format));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repositories of {@code subject} with downloads in packages, by name. */
    public List<String> repositories(String subject) {
        return folders(root.resolve(subject));
    }

    /** The packages of a repository with downloads, by name. */
    public List<String> packages(String subject, String repo) {
        return folders(root.resolve(subject).resolve(repo));
    }

    private static List<String> folders(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).map(entry -> entry.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Hands a package's downloads of a day, as indexed so far, to {@code consumer} in log order,
     * enriched as logged. Reads the log, not the files: for what reads every download of many days.
     */
    public void forEach(String subject, String repo, String pkg, LocalDate day, Consumer<DownloadEvent> consumer) {
        var index = folder(subject, repo, pkg).resolve("downloads-" + DAY.format(day.atStartOfDay(ZoneOffset.UTC)) + INDEX);
        try {
            readIndexed(index, 0, indexed(index), events -> events.forEach(consumer));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LocalDate day(String name) {
        var date = name.substring("downloads-".length(), "downloads-".length() + 10);
        return LocalDate.parse(date, DateTimeFormatter.ofPattern("dd-MM-yyyy"));
    }

    private Path folder(String subject, String repo, String pkg) {
        return root.resolve(subject).resolve(repo).resolve(pkg);
    }

    private static List<Path> indexes(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (var files = Files.list(folder)) {
            var indexes = new ArrayList<Path>();
            for (var file : files.filter(f -> f.getFileName().toString().endsWith(INDEX)).toList()) {
                if (indexed(file) >= OFFSET_BYTES) {
                    indexes.add(file);
                }
            }
            return indexes;
        }
    }

    /**
     * Bytes of whole entries in an index (0 if there is none): while a batch is appended, the last
     * entry may be only partly there.
     */
    private static long indexed(Path index) throws IOException {
        return Files.isRegularFile(index) ? Files.size(index) / OFFSET_BYTES * OFFSET_BYTES : 0;
    }

    private static String name(Path index, Format format) {
        var name = index.getFileName().toString();
        return name.substring(0, name.length() - INDEX.length()) + format.suffix;
    }

    // --- following the log: indexing ----------------------------------------------------------

    /** Indexes everything in the log, on the calling thread; returns how many events that was. */
    public long catchUp() throws IOException {
        long events = 0;
        int batch;
        while ((batch = step()) > 0) {
            events += batch;
        }
        return events;
    }

    /**
     * Indexes what the log holds beyond the checkpoint, up to {@value #MAX_EVENTS} events, a batch at
     * a time; returns how many events that was.
     */
    int step() throws IOException {
        return FollowerThread.inBatches(MAX_EVENTS, this::indexBatch);
    }

    /** The log offsets of one package's downloads of one day in a batch. */
    private static final class Offsets {
        long[] values = new long[16];
        int size;

        void add(long offset) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = offset;
        }
    }

    private record DailyIndex(String subject, String repo, String pkg, long day) {
    }

    /** A batch's downloads by the daily index they go in, gathered as the log is scanned. */
    private static final class Batch implements SegmentLog.RecordVisitor {
        final LinkedHashMap<DailyIndex, Offsets> byIndex = new LinkedHashMap<>();
        private final EventCodec.PackageFields fields = new EventCodec.PackageFields();
        /** Where the record after the last one scanned starts. */
        long next;
        private DailyIndex last;
        private Offsets lastOffsets;

        Batch(long position) {
            this.next = position;
        }

        @Override
        public void visit(long offset, long nextOffset, ByteBuffer payload, EventCodec.Strings strings) {
            EventCodec.decodePackage(payload, strings, fields);
            add(offset, nextOffset, fields.timeMillis, fields.subject, fields.repo, fields.pkg);
        }

        /** Adds the download whose record starts at {@code offset} to its package's index of the day. */
        void add(long offset, long nextOffset, long timeMillis, String subject, String repo, String pkg) {
            next = nextOffset;
            if (pkg == null) {
                return;
            }
            long day = Math.floorDiv(timeMillis, Buckets.DAY);
            // Downloads come in runs of one package; its strings are the same objects then.
            if (last == null || last.day() != day || last.pkg() != pkg || last.repo() != repo
                    || last.subject() != subject) {
                last = new DailyIndex(subject, repo, pkg, day);
                lastOffsets = byIndex.computeIfAbsent(last, key -> new Offsets());
            }
            lastOffsets.add(offset);
        }
    }

    /**
     * Indexes one batch, taken from the batches at hand where they continue from the checkpoint,
     * read from the log where not; returns how many events it held.
     */
    private int indexBatch() throws IOException {
        var batch = new Batch(position);
        int events = appended.take(position, BATCH,
                (at, i) -> batch.add(at.offset(i), at.next(i), at.timeMillis(i), at.subject(i), at.repo(i), at.pkg(i)));
        if (events == 0) {
            events = log.scan(position, BATCH, batch);
        }
        if (events == 0) {
            return 0;
        }
        var byIndex = batch.byIndex;
        var files = new ArrayList<Path>(byIndex.size());
        for (var daily : byIndex.keySet()) {
            files.add(folder(daily.subject(), daily.repo(), daily.pkg())
                    .resolve("downloads-" + DAY.format(Instant.ofEpochMilli(daily.day() * Buckets.DAY)) + INDEX));
        }
        writePending(files);
        int file = 0;
        for (var offsets : byIndex.values()) {
            append(files.get(file++), offsets);
        }
        writeAtomically(root.resolve("checkpoint"), String.valueOf(batch.next));
        Files.deleteIfExists(root.resolve("pending"));
        position = batch.next;
        return events;
    }

    private static void append(Path index, Offsets offsets) throws IOException {
        Files.createDirectories(index.getParent());
        var bytes = ByteBuffer.allocate(offsets.size * OFFSET_BYTES);
        for (int i = 0; i < offsets.size; i++) {
            bytes.putLong(offsets.values[i]);
        }
        bytes.flip();
        try (var channel = FileChannel.open(index, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    private void writePending(Iterable<Path> files) throws IOException {
        var pending = new StringBuilder();
        for (var file : files) {
            pending.append(Files.exists(file) ? Files.size(file) : 0).append('\t').append(root.relativize(file)).append('\n');
        }
        writeAtomically(root.resolve("pending"), pending.toString());
    }

    /** After a crash mid-batch: cut the batch's indexes back to where they were. */
    private void recover() throws IOException {
        var pending = root.resolve("pending");
        if (!Files.exists(pending)) {
            return;
        }
        for (var line : Files.readAllLines(pending)) {
            if (line.isBlank()) {
                continue;
            }
            var tab = line.indexOf('\t');
            long size = Long.parseLong(line.substring(0, tab));
            var file = root.resolve(line.substring(tab + 1));
            if (!Files.exists(file)) {
                continue;
            }
            if (size == 0) {
                Files.delete(file);
            } else {
                try (var channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(size);
                }
            }
        }
        Files.delete(pending);
        LOG.warn("Rolled back a half-written batch of download log indexes; it is indexed again");
    }

    // --- writing the files from the index ------------------------------------------------------

    private Object lock(Path file) {
        return fileLocks[Math.floorMod(file.hashCode(), fileLocks.length)];
    }

    /** Brings a day's file in {@code format} up to date with its index. */
    private Rendered render(Path index, Format format) throws IOException {
        var file = index.resolveSibling(name(index, format));
        var done = file.resolveSibling(file.getFileName() + DONE);
        synchronized (lock(file)) {
            long doneIndexed = 0;
            long doneSize = 0;
            if (Files.exists(done)) {
                var state = Files.readString(done).trim().split(" ");
                doneIndexed = Long.parseLong(state[0]);
                doneSize = Long.parseLong(state[1]);
            }
            long size = Files.exists(file) ? Files.size(file) : 0;
            if (size < doneSize) {
                LOG.warn("{} lost bytes it held (a power failure?); writing it again", file);
                doneIndexed = 0;
                doneSize = 0;
            }
            long indexed = indexed(index);
            // Nothing new; or less indexed than written: a batch rolled back after a crash, soon indexed again alike.
            if (indexed <= doneIndexed) {
                return new Rendered(file, doneSize);
            }
            try (var channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                // Cut off what a crash left of a member that .done never named.
                channel.truncate(doneSize).position(doneSize);
                try (var gzip = new FastGzip(Channels.newOutputStream(channel))) {
                    var lines = new StringBuilder(CHUNK + 4 * 1024);
                    if (doneSize == 0 && format == Format.CSV) {
                        lines.append(LogLines.csvHeader());
                    }
                    readIndexed(index, doneIndexed, indexed, events -> {
                        for (var event : events) {
                            if (format == Format.APACHE) {
                                LogLines.apache(event, lines);
                            } else {
                                LogLines.csv(event, lines);
                            }
                            if (lines.length() >= CHUNK) {
                                gzip.write(lines.toString().getBytes(StandardCharsets.UTF_8));
                                lines.setLength(0);
                            }
                        }
                    });
                    gzip.write(lines.toString().getBytes(StandardCharsets.UTF_8));
                    gzip.finish();
                    channel.force(false);
                    size = channel.size();
                }
            }
            writeAtomically(done, indexed + " " + size);
            return new Rendered(file, size);
        }
    }

    /** What {@link #readIndexed} hands each run of downloads to. */
    private interface EventsVisitor {
        void visit(List<DownloadEvent> events) throws IOException;
    }

    /** Reads the downloads whose offsets are in {@code index} from byte {@code from} to {@code to}, a run at a time. */
    private void readIndexed(Path index, long from, long to, EventsVisitor visitor) throws IOException {
        if (from >= to) {
            return;
        }
        try (var channel = FileChannel.open(index, StandardOpenOption.READ)) {
            var bytes = ByteBuffer.allocate(RENDER_BATCH * OFFSET_BYTES);
            var offsets = new long[RENDER_BATCH];
            var events = new ArrayList<DownloadEvent>(RENDER_BATCH);
            for (long at = from; at < to; ) {
                bytes.clear().limit((int) Math.min(bytes.capacity(), to - at));
                while (bytes.hasRemaining()) {
                    if (channel.read(bytes, at + bytes.position()) < 0) {
                        throw new IOException(index + " ends before byte " + to);
                    }
                }
                bytes.flip();
                int count = bytes.remaining() / OFFSET_BYTES;
                for (int i = 0; i < count; i++) {
                    offsets[i] = bytes.getLong();
                }
                events.clear();
                log.readAt(offsets, count, (offset, next, payload, strings) ->
                        events.add(EventCodec.decode(payload, strings)));
                visitor.visit(events);
                at += (long) count * OFFSET_BYTES;
            }
        }
    }

    /**
     * Gzip at the fastest level: a file is written while its request waits, and the default level
     * took about three times the CPU for files only about a fifth smaller.
     */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(java.io.OutputStream out) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        var temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (var channel = FileChannel.open(temp, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** For {@code bindery analytics rebuild}: forget every index and file; they are derived again from the log. */
    public static void clear(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (var path : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (!path.equals(root)) {
                    Files.delete(path);
                }
            }
        }
    }

    @Override
    public void close() {
        follower.close();
    }
}
