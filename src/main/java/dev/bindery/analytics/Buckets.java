package dev.bindery.analytics;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Time buckets of the rollups (minutes, days, months; UTC) and the plan that answers a time range
 * from them, following Bintray's rule: "For the past twenty four hours, time resolution is minutes.
 * If the provided date is earlier than the past twenty four hours, the provided time will be set
 * to beginning of the provided date." Minute buckets are kept for 48 hours, so the last 24 hours
 * and the rest of the day they start in are always answered by minutes.
 */
final class Buckets {

    static final long MINUTE = 60_000;
    static final long DAY = 86_400_000;
    static final char MINUTES = 'm';
    static final char DAYS = 'd';
    static final char MONTHS = 'M';

    private Buckets() {
    }

    static long minute(long millis) {
        return Math.floorDiv(millis, MINUTE) * MINUTE;
    }

    static long day(long millis) {
        return Math.floorDiv(millis, DAY) * DAY;
    }

    static long month(long millis) {
        var date = LocalDate.ofEpochDay(Math.floorDiv(millis, DAY)).withDayOfMonth(1);
        return date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    private static long nextMonth(long monthStart) {
        return LocalDate.ofEpochDay(Math.floorDiv(monthStart, DAY)).plusMonths(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    /** Rows of one resolution with bucket starts in {@code [from, to)}. */
    record Interval(char res, long from, long to) {
    }

    /**
     * The range a query really covers, and the buckets that answer it.
     *
     * @param from       start, inclusive: to the minute inside the last 24 hours, else to the day
     * @param to         end, exclusive
     * @param totals     intervals for sums over the range, using months where whole months fit
     * @param daily      intervals for per-day answers (days and minutes only)
     */
    record Plan(long from, long to, List<Interval> totals, List<Interval> daily) {

        /** The totals for rollups without minute buckets: the recent part widened to whole days. */
        List<Interval> totalsInDays() {
            return totals.stream()
                    .map(interval -> interval.res() != MINUTES ? interval
                            : new Interval(DAYS, day(interval.from()), day(interval.to() - 1) + DAY))
                    .toList();
        }
    }

    static Plan plan(Instant requestedFrom, Instant requestedTo, Instant now) {
        long current = now.toEpochMilli();
        long lastDay = current - DAY;
        long recent = day(lastDay);
        long fromMillis = requestedFrom.toEpochMilli();
        long toMillis = requestedTo.toEpochMilli();
        long from = fromMillis >= lastDay ? minute(fromMillis) : day(fromMillis);
        long to = toMillis >= recent ? minute(toMillis) + MINUTE : day(toMillis) + DAY;
        to = Math.min(to, minute(current) + MINUTE);
        var totals = new ArrayList<Interval>();
        var daily = new ArrayList<Interval>();
        if (from >= to) {
            return new Plan(from, Math.max(from, to), totals, daily);
        }
        if (to > recent) {
            var minutes = new Interval(MINUTES, Math.max(from, recent), to);
            totals.add(minutes);
            daily.add(minutes);
        }
        long olderEnd = Math.min(to, recent);
        if (from < olderEnd) {
            daily.add(new Interval(DAYS, from, olderEnd));
            long firstMonth = month(from) == from ? from : nextMonth(month(from));
            long lastMonthEnd = month(olderEnd);
            if (firstMonth < lastMonthEnd) {
                totals.add(new Interval(DAYS, from, firstMonth));
                totals.add(new Interval(MONTHS, firstMonth, lastMonthEnd));
                totals.add(new Interval(DAYS, lastMonthEnd, olderEnd));
            } else {
                totals.add(new Interval(DAYS, from, olderEnd));
            }
        }
        totals.removeIf(interval -> interval.from() >= interval.to());
        return new Plan(from, to, totals, daily);
    }
}
