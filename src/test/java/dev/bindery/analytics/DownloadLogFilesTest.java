package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daily files DownloadLogs writes from the log, read back line by line (no server). */
class DownloadLogFilesTest {

    private static final long DAY = 86_400_000L;
    /** 2026-03-17T00:00:00Z */
    private static final long START = 1_773_705_600_000L;

    @TempDir
    Path dir;

    private static DownloadEvent event(int i, String pkg, long time) {
        return DownloadEvent.captured(time, "198.51.100." + (i % 250), i % 5 == 0 ? "alice" : "anonymous", "ann",
                "generic", pkg, "1." + (i % 3), "tool/tool-" + i + ".zip", "GET", 200, 1000 + i, null,
                i % 7 == 0 ? "Mozilla/5.0 \"quoted\", with commas ñ" : "curl/8." + i, null)
                .enriched(new GeoInfo("DE", "Berlin", "Berlin", "10115", 52.5, 13.4, 3320L, "DTAG, \"Deutsche\""),
                        new ClientInfo("Linux", "curl"));
    }

    /** The text of a file's bytes as served: those it had when it was brought up to date. */
    private static String gunzip(DownloadLogs.Rendered file) throws IOException {
        var bytes = Files.readAllBytes(file.path());
        assertThat(bytes.length).isGreaterThanOrEqualTo((int) file.size());
        try (var in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes, 0, (int) file.size()))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void writesEveryLineOfBusyPackagesInOrderInBothFormatsOverManyChunksAndSteps() throws Exception {
        // given: far more lines for one package and day than one chunk holds, a second day, a
        // second package, and events of no package (index files), over two steps
        var first = new ArrayList<DownloadEvent>();
        for (int i = 0; i < 4_000; i++) {
            first.add(event(i, i % 10 == 9 ? "other" : "tool", START + i));
        }
        first.add(DownloadEvent.captured(START, "198.51.100.1", "anonymous", "ann", "generic", null, null, "Release",
                "GET", 200, 5, null, null, null));
        var second = new ArrayList<DownloadEvent>();
        for (int i = 4_000; i < 6_000; i++) {
            second.add(event(i, "tool", START + (i % 2) * DAY + i));
        }
        try (var log = new SegmentLog(dir.resolve("segments"), 1 << 20);
             var logs = new DownloadLogs(log, dir.resolve("logs"))) {
            // when: the files are fetched after the first step and again after the second
            log.appendEvents(first);
            assertThat(logs.catchUp()).isEqualTo(first.size());
            var all = new ArrayList<DownloadEvent>(first.subList(0, 4_000));
            assertFiles(logs, all, "tool", "17-03-2026", 0);
            log.appendEvents(second);
            assertThat(logs.catchUp()).isEqualTo(second.size());
            // then: each file holds exactly its events' lines, in log order, the CSV header once
            all.addAll(second);
            assertFiles(logs, all, "tool", "17-03-2026", 0);
            assertFiles(logs, all, "tool", "18-03-2026", DAY);
            assertFiles(logs, all, "other", "17-03-2026", 0);
            assertThat(logs.list("ann", "generic", "tool")).extracting(DownloadLogs.LogFile::name)
                    .containsExactly("downloads-18-03-2026.log.gz", "downloads-17-03-2026.log.gz");
        }
    }

    private static void assertFiles(DownloadLogs logs, List<DownloadEvent> all, String pkg, String day, long dayStart)
            throws IOException {
        var events = all.stream().filter(event -> event.pkg().equals(pkg))
                .filter(event -> event.timeMillis() - START >= dayStart && event.timeMillis() - START < dayStart + DAY)
                .toList();
        assertThat(events).isNotEmpty();
        var apache = new StringBuilder();
        var csv = new StringBuilder(LogLines.csvHeader());
        events.forEach(event -> LogLines.apache(event, apache));
        events.forEach(event -> LogLines.csv(event, csv));
        var name = "downloads-" + day + ".log.gz";
        assertThat(gunzip(logs.file("ann", "generic", pkg, name, DownloadLogs.Format.APACHE).orElseThrow()))
                .isEqualTo(apache.toString());
        assertThat(gunzip(logs.file("ann", "generic", pkg, name, DownloadLogs.Format.CSV).orElseThrow()))
                .isEqualTo(csv.toString());
        assertThat(logs.list("ann", "generic", pkg)).filteredOn(file -> file.name().equals(name))
                .singleElement().extracting(DownloadLogs.LogFile::size)
                .isEqualTo(logs.file("ann", "generic", pkg, name, DownloadLogs.Format.APACHE).orElseThrow().size());
    }

    @Test
    void cutsOffWhatACrashLeftOfAFileAndWritesAgainWhatWasLost() throws Exception {
        var events = new ArrayList<DownloadEvent>();
        for (int i = 0; i < 300; i++) {
            events.add(event(i, "tool", START + i));
        }
        try (var log = new SegmentLog(dir.resolve("segments"), 1 << 20);
             var logs = new DownloadLogs(log, dir.resolve("logs"))) {
            log.appendEvents(events.subList(0, 100));
            logs.catchUp();
            assertFiles(logs, events.subList(0, 100), "tool", "17-03-2026", 0);
            // given: a member written after the last one its .done names, when the process died
            var folder = dir.resolve("logs/ann/generic/tool");
            Files.write(folder.resolve("downloads-17-03-2026.log.gz"), new byte[] {31, -117, 8, 0, 1, 2, 3},
                    StandardOpenOption.APPEND);
            Files.write(folder.resolve("downloads-17-03-2026.csv.gz"), new byte[] {31, -117},
                    StandardOpenOption.APPEND);
            log.appendEvents(events.subList(100, 200));
            logs.catchUp();
            // then: the next member follows the last whole one
            assertFiles(logs, events.subList(0, 200), "tool", "17-03-2026", 0);
            // given: a file that lost its last bytes (a power failure after .done was written)
            var csv = folder.resolve("downloads-17-03-2026.csv.gz");
            try (var channel = java.nio.channels.FileChannel.open(csv, StandardOpenOption.WRITE)) {
                channel.truncate(channel.size() - 5);
            }
            log.appendEvents(events.subList(200, 300));
            logs.catchUp();
            // then: it is written again whole
            assertFiles(logs, events, "tool", "17-03-2026", 0);
        }
    }

    @Test
    void indexesABatchRolledBackAfterACrashAgainWithoutDoublingIt() throws Exception {
        var events = new ArrayList<DownloadEvent>();
        for (int i = 0; i < 500; i++) {
            events.add(event(i, i % 2 == 0 ? "tool" : "other", START + i));
        }
        var root = dir.resolve("logs");
        try (var log = new SegmentLog(dir.resolve("segments"), 1 << 20)) {
            long checkpoint;
            long toolIndex;
            long otherIndex;
            var tool = root.resolve("ann/generic/tool/downloads-17-03-2026.idx");
            var other = root.resolve("ann/generic/other/downloads-17-03-2026.idx");
            var created = root.resolve("ann/generic/new/downloads-17-03-2026.idx");
            try (var logs = new DownloadLogs(log, root)) {
                log.appendEvents(events.subList(0, 200));
                logs.catchUp();
                checkpoint = logs.position();
                toolIndex = Files.size(tool);
                otherIndex = Files.size(other);
                log.appendEvents(events.subList(200, 500));
                logs.catchUp();
                assertFiles(logs, events, "tool", "17-03-2026", 0);
            }
            // given: the state a crash leaves while the second batch is indexed: its pending record and
            // the checkpoint before it, one index appended to, one not yet, one just created
            Files.writeString(root.resolve("pending"), toolIndex + "\tann/generic/tool/downloads-17-03-2026.idx\n"
                    + otherIndex + "\tann/generic/other/downloads-17-03-2026.idx\n"
                    + "0\tann/generic/new/downloads-17-03-2026.idx\n");
            Files.writeString(root.resolve("checkpoint"), String.valueOf(checkpoint));
            try (var channel = java.nio.channels.FileChannel.open(other, StandardOpenOption.WRITE)) {
                channel.truncate(otherIndex);
            }
            Files.createDirectories(created.getParent());
            Files.write(created, new byte[] {0, 0, 0, 0, 0, 0, 0, 9});
            // when
            try (var logs = new DownloadLogs(log, root)) {
                assertThat(logs.catchUp()).isEqualTo(300);
                // then: every download once, and the files written before the crash still agree
                assertFiles(logs, events, "tool", "17-03-2026", 0);
                assertFiles(logs, events, "other", "17-03-2026", 0);
                var forEach = new ArrayList<DownloadEvent>();
                logs.forEach("ann", "generic", "other", java.time.LocalDate.of(2026, 3, 17), forEach::add);
                assertThat(forEach).isEqualTo(events.stream().filter(event -> event.pkg().equals("other")).toList());
                assertThat(created).doesNotExist();
                assertThat(logs.list("ann", "generic", "new")).isEmpty();
            }
        }
    }

    @Test
    void leavesOutAnIndexEntryStillBeingAppended() throws Exception {
        var events = new ArrayList<DownloadEvent>();
        for (int i = 0; i < 10; i++) {
            events.add(event(i, "tool", START + i));
        }
        try (var log = new SegmentLog(dir.resolve("segments"), 1 << 20);
             var logs = new DownloadLogs(log, dir.resolve("logs"))) {
            log.appendEvents(events);
            logs.catchUp();
            // given: the first bytes of one more entry
            Files.write(dir.resolve("logs/ann/generic/tool/downloads-17-03-2026.idx"), new byte[] {0, 0, 0},
                    StandardOpenOption.APPEND);
            // then: the whole entries count
            var read = new ArrayList<DownloadEvent>();
            logs.forEach("ann", "generic", "tool", java.time.LocalDate.of(2026, 3, 17), read::add);
            assertThat(read).isEqualTo(events);
            assertFiles(logs, events, "tool", "17-03-2026", 0);
        }
    }

    @Test
    void derivesTheFilesOfAnEarlierLayoutAgainFromTheLog() throws Exception {
        var events = new ArrayList<DownloadEvent>();
        for (int i = 0; i < 50; i++) {
            events.add(event(i, "tool", START + i));
        }
        // given: files as the first layout wrote them, with its checkpoint past every event
        var root = dir.resolve("logs");
        Files.createDirectories(root.resolve("ann/generic/tool"));
        Files.write(root.resolve("ann/generic/tool/downloads-17-03-2026.log.gz"), new byte[] {1, 2, 3});
        try (var log = new SegmentLog(dir.resolve("segments"), 1 << 20)) {
            log.appendEvents(events);
            Files.writeString(root.resolve("checkpoint"), String.valueOf(log.end()));
            // when
            try (var logs = new DownloadLogs(log, root)) {
                assertThat(logs.catchUp()).isEqualTo(50);
                // then
                assertFiles(logs, events, "tool", "17-03-2026", 0);
            }
            try (var logs = new DownloadLogs(log, root)) {
                assertThat(logs.catchUp()).isZero();
            }
        }
    }
}
