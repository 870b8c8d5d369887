package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batches a follower takes from memory instead of the log: only where they continue from the
 * follower's position, never more than asked, within their bound, and with the same fields the log
 * gives back.
 */
class AppendedBatchesTest {

    @TempDir
    Path dir;

    private static DownloadEvent event(int i) {
        return DownloadEvent.captured(1_700_000_000_000L + i, "192.0.2." + (i % 250), "anonymous", "ann", "generic",
                "tool", "1." + (i % 3), "tool-" + i + ".zip", "GET", 200, 100 + i, null, "curl/8.5.0", null);
    }

    /** A batch of {@code count} events whose records start at {@code start}, {@code length} bytes each. */
    private static Appended batch(int first, int count, long start, int length) {
        var events = new ArrayList<DownloadEvent>();
        var offsets = new long[count];
        for (int i = 0; i < count; i++) {
            events.add(event(first + i));
            offsets[i] = start + (long) i * length;
        }
        var places = new GeoInfo[count];
        Arrays.fill(places, GeoInfo.UNKNOWN);
        var clients = new ClientInfo[count];
        Arrays.fill(clients, ClientInfo.UNKNOWN);
        return new Appended(events, places, clients, offsets, start + (long) count * length, s -> s);
    }

    /** What one take handed over: each event's path, and where the record after the last starts. */
    private record Taken(List<String> paths, long next) {
    }

    private static Taken take(AppendedBatches batches, long position, int max) {
        var paths = new ArrayList<String>();
        var next = new long[] {-1};
        int count = batches.take(position, max, (batch, i) -> {
            paths.add(batch.path(i));
            next[0] = batch.next(i);
        });
        assertThat(count).isEqualTo(paths.size());
        return new Taken(paths, next[0]);
    }

    @Test
    void takesWhatContinuesFromThePositionAcrossBatchesUpToTheMax() {
        var batches = new AppendedBatches(1_000);
        batches.offer(batch(0, 10, 0, 100));
        batches.offer(batch(10, 10, 1_000, 100));
        batches.offer(batch(20, 10, 2_000, 100));

        // from the start, across the first batch into the second, stopping at the max
        var taken = take(batches, 0, 15);
        assertThat(taken.paths()).hasSize(15).first().isEqualTo("tool-0.zip");
        assertThat(taken.paths().get(14)).isEqualTo("tool-14.zip");
        assertThat(taken.next()).isEqualTo(1_500);

        // on from inside the second batch, to the end of what is at hand
        taken = take(batches, 1_500, 1_000);
        assertThat(taken.paths()).hasSize(15).first().isEqualTo("tool-15.zip");
        assertThat(taken.next()).isEqualTo(3_000);
        assertThat(batches.taken()).isEqualTo(30);

        // past everything: nothing at hand, and the batches are let go
        assertThat(take(batches, 3_000, 1_000).paths()).isEmpty();
        assertThat(take(batches, 0, 1_000).paths()).isEmpty();
    }

    @Test
    void takesNothingWhereThePositionIsNotARecordAtHand() {
        var batches = new AppendedBatches(1_000);
        batches.offer(batch(10, 10, 1_000, 100));
        // before the batch (the follower must read the log up to it), and inside a record
        assertThat(take(batches, 900, 100).paths()).isEmpty();
        assertThat(take(batches, 1_050, 100).paths()).isEmpty();
        // a gap between two batches (one the writer did not hand over) ends what is taken at it
        batches.offer(batch(30, 10, 3_000, 100));
        assertThat(take(batches, 1_000, 100).paths()).hasSize(10).last().isEqualTo("tool-19.zip");
        assertThat(take(batches, 3_000, 100).paths()).hasSize(10).first().isEqualTo("tool-30.zip");
        assertThat(batches.taken()).isEqualTo(20);
    }

    @Test
    void keepsAtMostItsBoundLettingTheOldestGo() {
        var batches = new AppendedBatches(25);
        batches.offer(batch(0, 10, 0, 100));
        batches.offer(batch(10, 10, 1_000, 100));
        batches.offer(batch(20, 10, 2_000, 100));
        // the first batch was let go: its events are read from the log
        assertThat(take(batches, 0, 100).paths()).isEmpty();
        assertThat(take(batches, 1_000, 100).paths()).hasSize(20);
        // one batch larger than the bound is not kept at all
        batches.offer(batch(30, 26, 3_000, 100));
        assertThat(take(batches, 3_000, 100).paths()).isEmpty();
    }

    @Test
    void aBatchNeedsAnOffsetAndEnrichmentPerEvent() {
        var events = List.of(event(0), event(1));
        var places = new GeoInfo[] {GeoInfo.UNKNOWN, GeoInfo.UNKNOWN};
        var clients = new ClientInfo[] {ClientInfo.UNKNOWN, ClientInfo.UNKNOWN};
        assertThatThrownBy(() -> new Appended(events, places, clients, new long[] {0}, 100, s -> s))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Appended(events, places, clients, new long[] {0, 100}, 100, s -> s))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theOffsetsOfAnAppendAreWhereTheLogHasEachRecord() throws Exception {
        // given: a log whose segments roll within the batch, writes of more than one chunk, and one
        // event too large for a record in the middle
        var random = new Random(7);
        var events = new ArrayList<DownloadEvent>();
        for (int i = 0; i < 12_000; i++) {
            var agent = i == 6_000 ? "x".repeat(1 << 21) : "agent-" + "y".repeat(random.nextInt(300));
            events.add(DownloadEvent.captured(1_700_000_000_000L + i, "192.0.2.1", "anonymous", "ann", "generic",
                    "tool", "1.0", "tool-" + i + ".zip", "GET", 200, i, null, agent, null));
        }
        try (var log = new SegmentLog(dir, 512 * 1024)) {
            log.appendEvents(events.subList(0, 5));
            var offsets = new long[events.size()];
            long end = log.appendEvents(events, null, null, offsets);
            // then: the left-out event has none, and every other one's record is at its offset
            assertThat(offsets[6_000]).isEqualTo(-1);
            assertThat(end).isEqualTo(log.end());
            var read = log.read(offsets[0], events.size());
            assertThat(read).hasSize(events.size() - 1);
            int at = 0;
            for (int i = 0; i < events.size(); i++) {
                if (i == 6_000) {
                    continue;
                }
                assertThat(read.get(at).offset()).as("event %d", i).isEqualTo(offsets[i]);
                assertThat(read.get(at).event().path()).isEqualTo(events.get(i).path());
                at++;
            }
        }
    }

    @Test
    void aBatchNeedsAnEnrichmentForEveryEvent() {
        var events = List.of(event(0), event(1));
        var offsets = new long[] {0, 100};
        assertThatThrownBy(() -> new Appended(events, new GeoInfo[] {GeoInfo.UNKNOWN, null},
                new ClientInfo[] {ClientInfo.UNKNOWN, ClientInfo.UNKNOWN}, offsets, 200, s -> s))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Appended(events, new GeoInfo[] {GeoInfo.UNKNOWN, GeoInfo.UNKNOWN},
                new ClientInfo[] {null, ClientInfo.UNKNOWN}, offsets, 200, s -> s))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsTheInstanceOfEachStringItIsGiven() {
        // the writer hands over the instances its string table keeps: equal strings of different
        // downloads become one, and the fields no follower needs are not kept at all
        var table = new StringTable(64);
        var first = DownloadEvent.captured(1L, new String("192.0.2.1"), "anonymous", "ann", "generic", "tool", "1.0",
                new String("tool.zip"), "GET", 200, 1, null, "curl/8.5.0", null);
        var second = DownloadEvent.captured(2L, new String("192.0.2.1"), "anonymous", "ann", "generic", "tool", "1.0",
                new String("tool.zip"), "GET", 200, 1, null, "curl/8.5.0", null);
        var batch = new Appended(List.of(first, second), new GeoInfo[] {GeoInfo.UNKNOWN, GeoInfo.UNKNOWN},
                new ClientInfo[] {ClientInfo.UNKNOWN, ClientInfo.UNKNOWN}, new long[] {0, 100}, 200, table::canonical);
        assertThat(batch.ip(1)).isEqualTo("192.0.2.1").isSameAs(batch.ip(0)).isNotSameAs(second.ip());
        assertThat(batch.path(1)).isEqualTo("tool.zip").isSameAs(batch.path(0));
        assertThat(batch.timeMillis(1)).isEqualTo(2L);
    }

    @Test
    void rollupFieldsAreWhatTheLogGivesBack() {
        var random = new Random(11);
        String[] texts = {null, "unknown", "DE", "Example Net", "Linux", "Maven", "ü-net"};
        var fromLog = new EventCodec.RollupFields();
        var atHand = new EventCodec.RollupFields();
        var out = new EventCodec.Output(1024);
        for (int i = 0; i < 2_000; i++) {
            var event = DownloadEvent.captured(random.nextLong(), "10.0.0.1", "anonymous", "ann", "generic",
                    pick(random, texts), pick(random, texts), "f", "GET", 200, random.nextLong(), null, "ua", null);
            // the writer always has an enrichment, if only an unknown one
            var place = random.nextInt(3) == 0 ? GeoInfo.UNKNOWN : new GeoInfo(pick(random, texts), "r", "c", "p",
                    1.5, null, random.nextBoolean() ? null : (long) random.nextInt(70_000), pick(random, texts));
            var client = random.nextInt(3) == 0 ? ClientInfo.UNKNOWN
                    : new ClientInfo(pick(random, texts, 1), pick(random, texts, 1));
            out.size = 0;
            EventCodec.encode(event, place, client, out);
            EventCodec.decodeRollup(ByteBuffer.wrap(out.bytes, 0, out.size), new EventCodec.Strings(), fromLog);
            var batch = new Appended(List.of(event), new GeoInfo[] {place}, new ClientInfo[] {client},
                    new long[] {0}, out.size, s -> s);
            batch.rollupFields(0, atHand);
            assertThat(atHand).as("event %d", i).usingRecursiveComparison().isEqualTo(fromLog);
        }
    }

    private static String pick(Random random, String[] values) {
        return pick(random, values, 0);
    }

    /** One of {@code values} from index {@code from} on. */
    private static String pick(Random random, String[] values, int from) {
        return values[from + random.nextInt(values.length - from)];
    }
}
