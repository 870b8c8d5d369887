package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static String gunzip(Path file) throws IOException {
        try (var in = new GZIPInputStream(Files.newInputStream(file))) {
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
            // when
            log.appendEvents(first);
            assertThat(logs.catchUp()).isEqualTo(first.size());
            log.appendEvents(second);
            assertThat(logs.catchUp()).isEqualTo(second.size());
            // then: each file holds exactly its events' lines, in log order, the CSV header once
            var all = new ArrayList<DownloadEvent>(first.subList(0, 4_000));
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
    }
}
