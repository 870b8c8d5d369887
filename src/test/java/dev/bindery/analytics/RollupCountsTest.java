package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.analytics.AnalyticsStore.Count;
import dev.bindery.analytics.AnalyticsStore.Key;
import dev.bindery.analytics.AnalyticsStore.Rollup;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The packed counting of a rollup step against the plainest way to count the same events. */
class RollupCountsTest {

    private static final String[] SUBJECTS = {"ann", "bob"};
    private static final String[] PACKAGES = {"tool", "lib", "tool2"};
    private static final String[] VERSIONS = {"1.0", "1.1", "2.0", "1.0.1"};
    private static final String[] COUNTRIES = {"DE", "FR", "US", null, "", " "};
    private static final String[] OS = {"Linux", "Windows", null};
    private static final String[] ORGS = {"Example Net", "Other ISP", null};
    private static final Long[] ASNS = {64500L, 64501L, null, 3_000_000_000L};
    private static final String[] CLIENTS = {"curl", "Maven", "apt", null};

    @Test
    void countsWhatCountingEachEventInTurnCounts() {
        var random = new Random(42);
        // A month boundary, days and minutes around it, and events a little out of time order.
        long start = Instant.parse("2026-02-28T23:50:00Z").toEpochMilli();
        var counts = new RollupCounts();
        var expected = new HashMap<Key, Count>();
        int counted = 0;
        for (int i = 0; i < 50_000; i++) {
            long time = start + (long) random.nextInt(30 * 60) * 1000 - (random.nextInt(20) == 0 ? 86_400_000L : 0);
            // Equal values as distinct String objects: ids must go by equality, not identity.
            var event = new DownloadEvent(time, "10.0.0.1", "anonymous", copy(pick(random, SUBJECTS)), "generic",
                    random.nextInt(500) == 0 ? null : copy(pick(random, PACKAGES)),
                    random.nextInt(500) == 0 ? null : copy(pick(random, VERSIONS)), "f", "GET", 200,
                    random.nextInt(5000), null, "ua", null, copy(pick(random, COUNTRIES)), null, null, null, null,
                    null, pick(random, ASNS), copy(pick(random, ORGS)), copy(pick(random, OS)),
                    copy(pick(random, CLIENTS)));
            counts.add(throughTheLog(event));
            if (event.pkg() != null && event.version() != null) {
                counted++;
                countEachInTurn(expected, event);
            }
        }
        assertThat(counts.events()).isEqualTo(counted);
        var actual = counts.counters();
        assertThat(differences(flatten(actual), flatten(expected))).isEmpty();
        // The spread of the test data reaches every kind of counter.
        assertThat(actual.keySet()).extracting(Key::res).contains(Buckets.MINUTES, Buckets.DAYS, Buckets.MONTHS);
        assertThat(actual.keySet()).extracting(Key::bucket).contains(Instant.parse("2026-02-01T00:00:00Z")
                .toEpochMilli(), Instant.parse("2026-03-01T00:00:00Z").toEpochMilli());
    }

    @Test
    void anEmptyStepCountsNothing() {
        var counts = new RollupCounts();
        counts.add(throughTheLog(DownloadEvent.captured(0, "10.0.0.1", "anonymous", "ann", "generic", null, null, "f",
                "GET", 200, 1, null, null, null)));
        assertThat(counts.events()).isZero();
        assertThat(counts.minuteCounters()).isZero();
        assertThat(counts.counters()).isEmpty();
    }

    @Test
    void idsGrowPastTheirFirstTablesAndStayDense() {
        var ids = new RollupCounts.Ids();
        for (int i = 0; i < 10_000; i++) {
            assertThat(ids.id(i % 7, "v" + i, null, null, "d")).isEqualTo(i);
        }
        for (int i = 0; i < 10_000; i++) {
            assertThat(ids.id(i % 7, new String("v" + i), null, null, "d")).isEqualTo(i);
            assertThat(ids.value(i, 0)).isEqualTo("v" + i);
            assertThat(ids.number(i)).isEqualTo(i % 7);
        }
        assertThat(ids.id(2, "v1", null, null, "d")).isEqualTo(10_000);
        assertThat(ids.id(1, "v1", null, null, null)).isEqualTo(10_001);
        assertThat(ids.size).isEqualTo(10_002);
    }

    /** The fields the rollups read of the event, after encoding it as the log holds it. */
    private static EventCodec.RollupFields throughTheLog(DownloadEvent event) {
        var fields = new EventCodec.RollupFields();
        EventCodec.decodeRollup(ByteBuffer.wrap(EventCodec.encode(event)), new EventCodec.Strings(), fields);
        return fields;
    }

    /** The counters of one event, one at a time, as the rollups were first written. */
    private static void countEachInTurn(Map<Key, Count> counts, DownloadEvent event) {
        long minute = Buckets.minute(event.timeMillis());
        char[] resolutions = {Buckets.MINUTES, Buckets.DAYS, Buckets.MONTHS};
        long[] buckets = {minute, Buckets.day(minute), Buckets.month(minute)};
        for (int i = 0; i < 3; i++) {
            add(counts, event, Rollup.VERSION, resolutions[i], buckets[i], List.of(), event.bytesSent());
            add(counts, event, Rollup.COUNTRY_OS, resolutions[i], buckets[i],
                    List.of(known(event.country()), known(event.os())), 0);
            if (resolutions[i] != Buckets.MINUTES) {
                add(counts, event, Rollup.ORG, resolutions[i], buckets[i],
                        List.of(event.asn() == null ? 0L : event.asn(), known(event.organization())), 0);
                add(counts, event, Rollup.CLIENT, resolutions[i], buckets[i], List.of(known(event.client())), 0);
            }
        }
    }

    private static void add(Map<Key, Count> counts, DownloadEvent event, Rollup rollup, char res, long bucket,
                            List<Object> dimensions, long bytes) {
        var count = counts.computeIfAbsent(new Key(rollup, res, bucket, event.subject(), event.repo(), event.pkg(),
                event.version(), dimensions), key -> new Count());
        count.downloads++;
        count.bytes += bytes;
    }

    private static Map<Key, List<Long>> flatten(Map<Key, Count> counts) {
        var flat = new HashMap<Key, List<Long>>();
        counts.forEach((key, count) -> flat.put(key, List.of(count.downloads, count.bytes)));
        assertThat(new ArrayList<>(flat.values())).allSatisfy(value -> assertThat(value.get(0)).isPositive());
        return flat;
    }

    /** The counters that differ, as "key: actual != expected" (a readable failure, not two whole maps). */
    private static List<String> differences(Map<Key, List<Long>> actual, Map<Key, List<Long>> expected) {
        var keys = new java.util.HashSet<>(actual.keySet());
        keys.addAll(expected.keySet());
        return keys.stream().filter(key -> !java.util.Objects.equals(actual.get(key), expected.get(key)))
                .limit(10).map(key -> key + ": " + actual.get(key) + " != " + expected.get(key)).toList();
    }

    private static String known(String value) {
        return value == null || value.isBlank() ? "unknown" : value;
    }

    private static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }

    private static String copy(String value) {
        return value == null ? null : new String(value);
    }
}
