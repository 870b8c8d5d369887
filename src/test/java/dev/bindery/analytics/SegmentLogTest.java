package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentLogTest {

    @TempDir
    Path dir;

    static DownloadEvent event(int n) {
        return event(n, "curl/8.5.0");
    }

    static DownloadEvent event(int n, String userAgent) {
        return new DownloadEvent(1_700_000_000_000L + n, "10.0.0." + (n % 250), "anonymous", "alice", "generic",
                "tool", "1." + n, "tool-1." + n + ".zip", "GET", 200, 1000L + n, n % 2 == 0 ? null : "bytes=0-9",
                userAgent, null, "DE", "Berlin", "Berlin", "10115", 52.52, 13.4, 3320L, "Deutsche Telekom AG",
                "Linux", "curl");
    }

    private static List<byte[]> encoded(int from, int to) {
        var payloads = new ArrayList<byte[]>();
        for (int i = from; i < to; i++) {
            payloads.add(EventCodec.encode(event(i)));
        }
        return payloads;
    }

    @Test
    void readsBackWhatWasAppendedWithOffsets() throws Exception {
        try (var log = new SegmentLog(dir, 1 << 20)) {
            log.append(encoded(0, 10));
            var entries = log.read(0, 100);
            assertThat(entries).hasSize(10);
            assertThat(entries.get(3).event()).isEqualTo(event(3));
            assertThat(entries.get(0).offset()).isZero();
            assertThat(entries.get(9).next()).isEqualTo(log.end());
            // reading from a checkpoint resumes exactly there
            var rest = log.read(entries.get(4).next(), 100);
            assertThat(rest).hasSize(5);
            assertThat(rest.get(0).event()).isEqualTo(event(5));
            assertThat(log.read(log.end(), 100)).isEmpty();
        }
    }

    @Test
    void rollsOverToNewSegmentsAndReadsAcrossThem() throws Exception {
        try (var log = new SegmentLog(dir, 2_000)) {
            for (int i = 0; i < 50; i++) {
                log.append(encoded(i * 4, i * 4 + 4));
            }
            try (var files = Files.list(dir)) {
                assertThat(files.count()).isGreaterThan(5);
            }
            var all = new ArrayList<SegmentLog.Entry>();
            long position = 0;
            while (position < log.end()) {
                var batch = log.read(position, 7);
                all.addAll(batch);
                position = batch.get(batch.size() - 1).next();
            }
            assertThat(all).hasSize(200);
            for (int i = 0; i < 200; i++) {
                assertThat(all.get(i).event()).isEqualTo(event(i));
            }
        }
    }

    @Test
    void reopensWhereItLeftOffAndCutsATornRecord() throws Exception {
        long end;
        try (var log = new SegmentLog(dir, 1 << 20)) {
            log.append(encoded(0, 3));
            end = log.end();
        }
        // a crash mid-write leaves half a record behind
        var segment = dir.resolve(String.format("%020d.seg", 0));
        try (var channel = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 1, 0, 9, 9, 9}));
        }
        try (var log = new SegmentLog(dir, 1 << 20)) {
            assertThat(log.end()).isEqualTo(end);
            log.append(encoded(3, 5));
            var entries = log.read(0, 100);
            assertThat(entries).extracting(SegmentLog.Entry::event)
                    .containsExactly(event(0), event(1), event(2), event(3), event(4));
        }
    }

    @Test
    void encodesEventsInPlaceAcrossSegmentsAndDecodesRepeatedStringsExactly() throws Exception {
        // given: more events than fit one segment, with repeated, unicode and over-long strings
        var events = new ArrayList<DownloadEvent>();
        for (int i = 0; i < 3_000; i++) {
            var agent = i % 3 == 0 ? "Wget/1.21 ünïcode" : i % 3 == 1 ? "x".repeat(100 + i % 7) : null;
            var user = i % 4 == 0 ? null : "anonymous:cb-" + i % 4;
            events.add(DownloadEvent.captured(i, "10.0." + (i % 5) + "." + (i % 7), user, "alice", "generic",
                    "tool" + (i % 11), "1." + (i % 13), "dir/ñ-" + i + ".zip", "GET", 200, i, null, agent, null)
                    .enriched(new GeoInfo(i % 2 == 0 ? "DE" : "FR", null, null, null, 1.5, null, (long) i % 3, "Org " + i % 3),
                            new ClientInfo("Linux", "curl")));
        }
        try (var log = new SegmentLog(dir, 64 * 1024)) {
            // when: encoded straight into the log in batches (a segment rolls between writes), then
            // read back whole, as the rollups read it and in brief, as the outbox does
            for (int i = 0; i < events.size(); i += 300) {
                log.appendEvents(events.subList(i, i + 300));
            }
            var all = log.read(0, 10_000);
            var briefs = log.readBriefs(0, 10_000);
            var rollup = new ArrayList<String>();
            var fields = new EventCodec.RollupFields();
            int scanned = log.scan(0, 10_000, (offset, next, payload, strings) -> {
                EventCodec.decodeRollup(payload, strings, fields);
                rollup.add(fields.timeMillis + " " + fields.bytesSent + " " + fields.subject + "/" + fields.repo + "/"
                        + fields.pkg + "/" + fields.version + " " + fields.country + " " + fields.organization + " "
                        + fields.asn + " " + fields.os + " " + fields.client);
            });
            // then: every field comes back, in order, over more than one segment
            try (var files = Files.list(dir)) {
                assertThat(files.filter(f -> f.toString().endsWith(".seg")).count()).isGreaterThan(1);
            }
            assertThat(all).extracting(SegmentLog.Entry::event).containsExactlyElementsOf(events);
            assertThat(scanned).isEqualTo(events.size());
            // and the rollups' reading gets exactly their fields of each event
            assertThat(rollup).containsExactlyElementsOf(events.stream().map(event -> event.timeMillis() + " "
                    + event.bytesSent() + " " + event.subject() + "/" + event.repo() + "/" + event.pkg() + "/"
                    + event.version() + " " + event.country() + " " + event.organization() + " " + event.asn() + " "
                    + event.os() + " " + event.client()).toList());
            // and the outbox's reading gets exactly its fields, at the same offsets
            assertThat(briefs).containsExactlyElementsOf(all.stream().map(entry -> {
                var event = entry.event();
                return new SegmentLog.Brief(entry.offset(), entry.next(), event.timeMillis(), event.ip(),
                        event.user(), event.subject(), event.repo(), event.pkg(), event.version(), event.path());
            }).toList());
        }
    }

    @Test
    void appendsCapturedEventsWithTheirEnrichmentAsTheEnrichedEventsThemselves() throws Exception {
        // given: captured events and what enrichment found for each, unknowns and nulls among them
        var captured = new ArrayList<DownloadEvent>();
        var places = new GeoInfo[4];
        var clients = new ClientInfo[4];
        for (int i = 0; i < 4; i++) {
            captured.add(DownloadEvent.captured(i, "10.0.0." + i, "anonymous", "alice", "generic", "tool", "1." + i,
                    "f", "GET", 200, i, null, i == 2 ? null : "curl/8." + i, null));
            places[i] = i == 1 ? GeoInfo.UNKNOWN
                    : new GeoInfo("DE", "Berlin", "Berlin", "10115", 52.5 + i, i == 3 ? null : 13.4, 3320L + i, "DTAG");
            clients[i] = i == 2 ? ClientInfo.UNKNOWN : new ClientInfo("Linux", "curl");
        }
        try (var log = new SegmentLog(dir, 1 << 20)) {
            // when: appended with the enrichment beside them, not as enriched copies
            log.appendEvents(captured, places, clients);
            // then: the log holds exactly what enriching each event would have made
            var expected = new ArrayList<DownloadEvent>();
            for (int i = 0; i < 4; i++) {
                expected.add(captured.get(i).enriched(places[i], clients[i]));
            }
            assertThat(log.read(0, 10)).extracting(SegmentLog.Entry::event).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void readsRecordsAtGivenOffsetsDenseAndSparseAcrossSegments() throws Exception {
        // given: 20,000 events over many segments, one in 1,000 of them now and then very large
        var events = new ArrayList<DownloadEvent>();
        for (int i = 0; i < 20_000; i++) {
            events.add(event(i, i % 1_000 == 7 ? "y".repeat(40_000) : "curl/8.5.0"));
        }
        try (var log = new SegmentLog(dir, 1 << 20)) {
            log.appendEvents(events);
            var offsets = new ArrayList<Long>();
            assertThat(log.scan(0, Integer.MAX_VALUE, (offset, next, payload, strings) -> offsets.add(offset)))
                    .isEqualTo(events.size());
            try (var files = Files.list(dir)) {
                assertThat(files.count()).isGreaterThan(3);
            }
            var random = new java.util.Random(42);
            // when: every event, runs of neighbours, and events thousands of records apart
            for (int stride : new int[] {1, 2, 3, 97, 1_000, 4_999}) {
                var wanted = new ArrayList<Integer>();
                for (int i = random.nextInt(stride); i < events.size(); i += stride) {
                    wanted.add(i);
                }
                var at = wanted.stream().mapToLong(offsets::get).toArray();
                var read = new ArrayList<DownloadEvent>();
                log.readAt(at, at.length, (offset, next, payload, strings) -> read.add(EventCodec.decode(payload, strings)));
                // then: exactly those, in order
                assertThat(read).as("stride " + stride).isEqualTo(wanted.stream().map(events::get).toList());
            }
        }
    }

    @Test
    void refusesOffsetsThatAreNoRecordStartOutOfOrderOrBeyondTheLog() throws Exception {
        try (var log = new SegmentLog(dir, 1 << 20)) {
            log.append(encoded(0, 10));
            var offsets = new ArrayList<Long>();
            log.scan(0, 10, (offset, next, payload, strings) -> offsets.add(offset));
            SegmentLog.RecordVisitor ignore = (offset, next, payload, strings) -> { };
            for (long[] bad : new long[][] {{offsets.get(3) + 1}, {offsets.get(3) + 12}, {offsets.get(4), offsets.get(2)},
                {offsets.get(4), offsets.get(4)}, {log.end()}, {-8}}) {
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> log.readAt(bad, bad.length, ignore)))
                        .as(java.util.Arrays.toString(bad)).isInstanceOf(java.io.IOException.class);
            }
        }
    }

    @Test
    void encodesNullsAndUnicode() {
        var event = DownloadEvent.captured(5, "::1", "bob:cb-1", "bob", "r", "p", "v", "dir/ü ñ.txt", "GET", 206, 10,
                "bytes=0-9", null, "https://example.com/");
        var decoded = EventCodec.decode(java.nio.ByteBuffer.wrap(EventCodec.encode(event)));
        assertThat(decoded).isEqualTo(event);
    }
}
