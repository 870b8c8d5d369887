package dev.bindery.access;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sliding-window rate limits for expensive calls: each key (a user, a client address) may make at
 * most {@code limit} calls within any {@code length} of time, for each of its windows. A call is
 * granted only if every key it charges is within every window, and then counts against all of them
 * at once; a refused call counts against nothing. Counts live in memory, per node. Thread-safe.
 */
public final class SlidingWindowLimiter {

    private static final int MAX_TRACKED = 100_000;
    private static final Duration IDLE = Duration.ofDays(1);

    /** At most {@code limit} calls within any {@code length}. */
    public record Window(int limit, Duration length) {
    }

    /** One key a call counts against, with its windows; {@code label} names the key in refusals. */
    public record Charge(String key, String label, List<Window> windows) {
    }

    /** Why a call was refused: the key, the window it would exceed, and when it may try again. */
    public record Refusal(Charge charge, Window window, Duration retryAfter) {
    }

    private final Clock clock;
    private final Map<String, ArrayDeque<Long>> calls = new HashMap<>();

    public SlidingWindowLimiter(Clock clock) {
        this.clock = clock;
    }

    /** Counts one call against every charge, or none if any window is full; empty means granted. */
    public synchronized Optional<Refusal> acquire(List<Charge> charges) {
        long now = clock.millis();
        for (var charge : charges) {
            var times = calls.get(charge.key());
            if (times == null) {
                continue;
            }
            long longest = longest(charge);
            while (!times.isEmpty() && times.peekFirst() <= now - longest) {
                times.pollFirst();
            }
            for (var window : charge.windows()) {
                long since = now - window.length().toMillis();
                // Times are in order, so the calls inside the window are the newest ones.
                int inside = 0;
                long oldestInside = now;
                for (var iterator = times.descendingIterator(); iterator.hasNext(); ) {
                    long time = iterator.next();
                    if (time <= since) {
                        break;
                    }
                    inside++;
                    oldestInside = time;
                }
                if (inside >= window.limit()) {
                    return Optional.of(new Refusal(charge, window,
                            Duration.ofMillis(Math.max(1, oldestInside + window.length().toMillis() - now))));
                }
            }
        }
        if (calls.size() >= MAX_TRACKED) {
            // Keys idle for a day hold nothing any sensible window still needs.
            calls.values().removeIf(times -> times.isEmpty() || times.peekLast() <= now - IDLE.toMillis());
        }
        for (var charge : charges) {
            calls.computeIfAbsent(charge.key(), key -> new ArrayDeque<>()).addLast(now);
        }
        return Optional.empty();
    }

    private static long longest(Charge charge) {
        return charge.windows().stream().mapToLong(window -> window.length().toMillis()).max().orElse(0);
    }
}
