package dev.bindery.access;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bintray's API allowance: calls on resources that do not belong to the caller (or to their
 * organizations) count against a daily and a monthly limit per caller (user name, or client IP for
 * anonymous calls). Counts live in memory, per node, and reset at UTC day and month boundaries.
 * Thread-safe.
 */
public final class RateLimiter {

    private static final int MAX_TRACKED = 100_000;

    private final int dailyLimit;
    private final int monthlyLimit;
    private final Clock clock;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    /** What is left after a call; {@code limit} is the limit of whichever window binds first. */
    public record Allowance(int limit, int remaining, boolean exceeded) {
    }

    private static final class Counter {
        LocalDate day;
        int dayCount;
        int monthKey;
        int monthCount;
    }

    public RateLimiter(int dailyLimit, int monthlyLimit, Clock clock) {
        this.dailyLimit = dailyLimit;
        this.monthlyLimit = monthlyLimit;
        this.clock = clock;
    }

    /** Counts one call by {@code who} unless its allowance is already spent; says what remains. */
    public Allowance charge(String who) {
        var today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        int month = today.getYear() * 12 + today.getMonthValue();
        if (counters.size() >= MAX_TRACKED) {
            counters.values().removeIf(counter -> counter.monthKey != month);
        }
        var counter = counters.computeIfAbsent(who, key -> new Counter());
        synchronized (counter) {
            if (!today.equals(counter.day)) {
                counter.day = today;
                counter.dayCount = 0;
            }
            if (counter.monthKey != month) {
                counter.monthKey = month;
                counter.monthCount = 0;
            }
            boolean exceeded = counter.dayCount >= dailyLimit || counter.monthCount >= monthlyLimit;
            if (!exceeded) {
                counter.dayCount++;
                counter.monthCount++;
            }
            int dayLeft = dailyLimit - counter.dayCount;
            int monthLeft = monthlyLimit - counter.monthCount;
            return dayLeft <= monthLeft
                    ? new Allowance(dailyLimit, Math.max(0, dayLeft), exceeded)
                    : new Allowance(monthlyLimit, Math.max(0, monthLeft), exceeded);
        }
    }
}
