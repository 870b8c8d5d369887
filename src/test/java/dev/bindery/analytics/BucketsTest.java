package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.analytics.Buckets.Interval;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BucketsTest {

    private static long ms(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void bucketsStartAtTheMinuteDayAndMonth() {
        long t = ms("2026-03-17T13:45:12.345Z");
        assertThat(Buckets.minute(t)).isEqualTo(ms("2026-03-17T13:45:00Z"));
        assertThat(Buckets.day(t)).isEqualTo(ms("2026-03-17T00:00:00Z"));
        assertThat(Buckets.month(t)).isEqualTo(ms("2026-03-01T00:00:00Z"));
    }

    @Test
    void answersTheLast24HoursToTheMinute() {
        var now = Instant.parse("2026-03-17T13:45:30Z");
        var plan = Buckets.plan(Instant.parse("2026-03-17T10:15:40Z"), now, now);
        assertThat(plan.from()).isEqualTo(ms("2026-03-17T10:15:00Z"));
        assertThat(plan.to()).isEqualTo(ms("2026-03-17T13:46:00Z"));
        assertThat(plan.totals()).containsExactly(new Interval('m', plan.from(), plan.to()));
    }

    @Test
    void setsOlderStartsToTheBeginningOfTheirDay() {
        var now = Instant.parse("2026-03-17T13:45:30Z");
        var plan = Buckets.plan(Instant.parse("2026-03-10T18:00:00Z"), now, now);
        assertThat(plan.from()).isEqualTo(ms("2026-03-10T00:00:00Z"));
        // days up to the day the last 24 hours begin in, minutes from there
        assertThat(plan.totals()).containsExactlyInAnyOrder(
                new Interval('m', ms("2026-03-16T00:00:00Z"), ms("2026-03-17T13:46:00Z")),
                new Interval('d', ms("2026-03-10T00:00:00Z"), ms("2026-03-16T00:00:00Z")));
        assertThat(plan.daily()).containsExactlyInAnyOrderElementsOf(plan.totals());
    }

    @Test
    void usesWholeMonthsForLongRanges() {
        var now = Instant.parse("2026-03-17T13:45:30Z");
        var plan = Buckets.plan(Instant.parse("2024-03-17T00:00:00Z"), Instant.parse("2025-12-20T12:00:00Z"), now);
        assertThat(plan.totals()).containsExactly(
                new Interval('d', ms("2024-03-17T00:00:00Z"), ms("2024-04-01T00:00:00Z")),
                new Interval('M', ms("2024-04-01T00:00:00Z"), ms("2025-12-01T00:00:00Z")),
                new Interval('d', ms("2025-12-01T00:00:00Z"), ms("2025-12-21T00:00:00Z")));
        assertThat(plan.daily()).containsExactly(
                new Interval('d', ms("2024-03-17T00:00:00Z"), ms("2025-12-21T00:00:00Z")));
    }

    @Test
    void rangesInTheFutureAreEmpty() {
        var now = Instant.parse("2026-03-17T13:45:30Z");
        var plan = Buckets.plan(Instant.parse("2026-04-01T00:00:00Z"), Instant.parse("2026-05-01T00:00:00Z"), now);
        assertThat(plan.totals()).isEmpty();
        assertThat(plan.daily()).isEmpty();
    }
}
