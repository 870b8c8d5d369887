package dev.bindery.analytics;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daily download log files of each package, written by following the download log:
 *
 * <pre>
 * root/
 *   checkpoint                                   log offset the files hold everything before
 *   pending                                      a batch being written: its files' sizes before it
 *   subject/repo/package/downloads-dd-MM-yyyy.log.gz   Apache format
 *   subject/repo/package/downloads-dd-MM-yyyy.csv.gz   CSV with a header row
 * </pre>
 *
 * Each batch appends one gzip member per file (concatenated members are one valid gzip stream),
 * so today's file can be downloaded while it grows. Before a batch, the sizes of the files it
 * touches are recorded in {@code pending}; after a crash those files are cut back and the batch is
 * written again, so no line is lost or doubled.
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

    /** One daily file as List Package Download Log Files shows it. */
    public record LogFile(String name, long size, Instant updated) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(DownloadLogs.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("dd-MM-yyyy").withZone(ZoneOffset.UTC);
    private static final int BATCH = 20_000;
    /** Events one step writes at most, in batches of {@value #BATCH}: a step per second must keep up. */
    private static final int MAX_EVENTS = 500_000;

    private final SegmentLog log;
    private final Path root;
    private final FollowerThread follower;
    private volatile long position;

    public DownloadLogs(SegmentLog log, Path root) throws IOException {
        this.log = log;
        this.root = root;
        Files.createDirectories(root);
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

    public long position() {
        return position;
    }

    /** The daily files of a package, newest first. */
    public List<LogFile> list(String subject, String repo, String pkg) {
        var folder = folder(subject, repo, pkg);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (var files = Files.list(folder)) {
            var logs = new ArrayList<LogFile>();
            for (var file : files.filter(f -> f.getFileName().toString().endsWith(Format.APACHE.suffix)).toList()) {
                logs.add(new LogFile(file.getFileName().toString(), Files.size(file),
                        Files.getLastModifiedTime(file).toInstant()));
            }
            logs.sort(Comparator.comparing((LogFile file) -> day(file.name())).reversed());
            return logs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file {@code name} (as listed) in the given format, if it exists. */
    public Optional<Path> file(String subject, String repo, String pkg, String name, Format format) {
        if (!name.matches("downloads-\\d{2}-\\d{2}-\\d{4}\\.(log|csv)\\.gz")) {
            return Optional.empty();
        }
        var base = name.substring(0, name.length() - ".log.gz".length());
        var file = folder(subject, repo, pkg).resolve(base + format.suffix);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    private static LocalDate day(String name) {
        var date = name.substring("downloads-".length(), "downloads-".length() + 10);
        return LocalDate.parse(date, DateTimeFormatter.ofPattern("dd-MM-yyyy"));
    }

    private Path folder(String subject, String repo, String pkg) {
        return root.resolve(subject).resolve(repo).resolve(pkg);
    }

    /** Writes files for everything in the log, on the calling thread; returns how many events that was. */
    public long catchUp() throws IOException {
        long events = 0;
        int batch;
        while ((batch = step()) > 0) {
            events += batch;
        }
        return events;
    }

    /**
     * Writes what the log holds beyond the checkpoint, up to {@value #MAX_EVENTS} events, a batch at
     * a time; returns how many events that was. (One batch per step could not keep up with more
     * than {@value #BATCH} downloads a second, since steps start at most once a second.)
     */
    int step() throws IOException {
        return FollowerThread.inBatches(MAX_EVENTS, this::writeBatch);
    }

    /** Writes one batch; returns how many events it held. */
    private int writeBatch() throws IOException {
        var entries = log.read(position, BATCH);
        if (entries.isEmpty()) {
            return 0;
        }
        // The events of each package and day, in log order; its two files are found once per batch.
        var byFiles = new LinkedHashMap<DailyFiles, List<DownloadEvent>>();
        for (var entry : entries) {
            var event = entry.event();
            if (event.pkg() != null) {
                byFiles.computeIfAbsent(new DailyFiles(event.subject(), event.repo(), event.pkg(),
                        Math.floorDiv(event.timeMillis(), Buckets.DAY)), key -> new ArrayList<>()).add(event);
            }
        }
        var files = new ArrayList<Path>();
        for (var daily : byFiles.keySet()) {
            var base = folder(daily.subject(), daily.repo(), daily.pkg())
                    .resolve("downloads-" + DAY.format(Instant.ofEpochMilli(daily.day() * Buckets.DAY)));
            files.add(Path.of(base + Format.APACHE.suffix));
            files.add(Path.of(base + Format.CSV.suffix));
        }
        long next = entries.get(entries.size() - 1).next();
        writePending(files);
        int file = 0;
        for (var events : byFiles.values()) {
            append(files.get(file++), events, Format.APACHE);
            append(files.get(file++), events, Format.CSV);
        }
        writeAtomically(root.resolve("checkpoint"), String.valueOf(next));
        Files.deleteIfExists(root.resolve("pending"));
        position = next;
        return entries.size();
    }

    private record DailyFiles(String subject, String repo, String pkg, long day) {
    }

    /** Characters of lines gathered before they go into the gzip stream. */
    private static final int CHUNK = 64 * 1024;

    /**
     * Appends the events' lines to the file as one gzip member, a chunk of lines at a time. A
     * batch's lines for a busy package used to be gathered whole (megabytes, copied twice more on
     * the way out): arrays that large go straight to the old generation, and under steady downloads
     * they kept the collector marking every two seconds.
     */
    private static void append(Path file, List<DownloadEvent> events, Format format) throws IOException {
        Files.createDirectories(file.getParent());
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        try (var channel = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
             var gzip = new FastGzip(channel)) {
            var lines = new StringBuilder(CHUNK + 4 * 1024);
            if (fresh && format == Format.CSV) {
                lines.append(LogLines.csvHeader());
            }
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
            gzip.write(lines.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Gzip at the fastest level: the logs are written for every download as it happens, and the
     * default level took about three times the CPU (some 6 against 2 µs for a download's two lines,
     * on lines with varied addresses and agents) for files only about a fifth smaller.
     */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(java.io.OutputStream out) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    private void writePending(Iterable<Path> files) throws IOException {
        var pending = new StringBuilder();
        for (var file : files) {
            pending.append(Files.exists(file) ? Files.size(file) : 0).append('\t').append(root.relativize(file)).append('\n');
        }
        writeAtomically(root.resolve("pending"), pending.toString());
    }

    /** After a crash mid-batch: cut the batch's files back to where they were. */
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
                try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(size);
                }
            }
        }
        Files.delete(pending);
        LOG.warn("Rolled back a half-written batch of download log files; it is written again");
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        var temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (var channel = java.nio.channels.FileChannel.open(temp, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** For {@code bindery analytics rebuild}: forget every file and write them again from the log. */
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
