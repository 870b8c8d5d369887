package dev.bindery.events;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox of domain events: changes append their events in the transaction that makes them, and
 * readers (the firehose, webhooks, thresholds) read them back by position.
 *
 * <p>Positions ({@link StoredEvent#seq}) are global (one sequence for all nodes sharing the
 * database), gap-free and in commit order: when a reader has seen seq N, every event with a smaller
 * seq has committed, so asking for {@code after(N)} later never misses one. Appending serializes
 * the appending transactions from the moment they reserve their numbers until they commit.
 *
 * <p>Events are kept for {@link #retention} (never less than {@link #REPLAY_WINDOW}, the Stream API's
 * reconnect window), counted from when they entered the outbox; {@link #purge} removes older ones.
 *
 * <p>Failed authentications ({@link #loginFailed}) are throttled: one event per credential per
 * {@value #FAILURE_QUIET_MILLIS} ms, and at most {@value #MAX_FAILURES_PER_SECOND} a second in all.
 * Thread-safe.
 */
public final class EventService {

    /** What the Stream API replays on reconnect: the outbox keeps at least this much. */
    public static final Duration REPLAY_WINDOW = Duration.ofSeconds(120);
    static final long FAILURE_QUIET_MILLIS = 1_000;
    static final int MAX_FAILURES_PER_SECOND = 100;
    private static final int MAX_TRACKED_FAILURES = 10_000;
    private static final int PURGE_CHUNK = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(EventService.class);

    private final EventStore store;
    private final Clock clock;
    private final Duration retention;
    /** Credential fingerprint to when (nano time) its last failure was recorded. */
    private final ConcurrentHashMap<String, Long> recentFailures = new ConcurrentHashMap<>();
    private final AtomicLong failureSecond = new AtomicLong();
    private final AtomicLong failuresThisSecond = new AtomicLong();

    /** @param retention how long events are kept; raised to {@link #REPLAY_WINDOW} if shorter */
    public EventService(EventStore store, Clock clock, Duration retention) {
        this.store = store;
        this.clock = clock;
        this.retention = retention == null || retention.compareTo(REPLAY_WINDOW) < 0 ? REPLAY_WINDOW : retention;
    }

    /** The database, for tests that append inside transactions of their own. */
    Jdbi jdbi() {
        return store.jdbi();
    }

    public Duration retention() {
        return retention;
    }

    /**
     * Appends {@code events}, in order, to the outbox in the caller's transaction: they commit or roll
     * back with the change they describe. Call it as the transaction's last statement: from here to
     * the commit, other appending transactions wait (that is what keeps the sequence gap-free).
     */
    public void append(Handle handle, List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        long first = store.reserve(handle, events.size());
        // The time is read with the counter locked, so recording times follow the sequence.
        store.insert(handle, first, events, clock.instant());
    }

    /**
     * {@link #append}s {@code events} of one type and without threshold details (downloads) packed:
     * one row per owner and {@link EventStore#MAX_PACKED} events, instead of one per event. Each
     * owner's events keep their order and get consecutive positions, the owners in the order of their
     * first event; so across owners, positions within one call may not follow the events' order.
     */
    public void appendPacked(Handle handle, List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        var byOwner = new LinkedHashMap<String, List<Event>>();
        for (var event : events) {
            byOwner.computeIfAbsent(event.owner(), owner -> new ArrayList<>()).add(event);
        }
        long seq = store.reserve(handle, events.size());
        var recorded = clock.instant();
        for (var owned : byOwner.values()) {
            for (int from = 0; from < owned.size(); from += EventStore.MAX_PACKED) {
                var row = owned.subList(from, Math.min(owned.size(), from + EventStore.MAX_PACKED));
                store.insertPacked(handle, seq, row, recorded);
                seq += row.size();
            }
        }
    }

    /** Appends one event in a transaction of its own (for events that are the whole change, like a log-in). */
    public void record(Event event) {
        store.jdbi().useTransaction(handle -> append(handle, List.of(event)));
    }

    /** A user logged in to the web UI. */
    public void loginSucceeded(String user, String ipAddress) {
        record(Event.login(EventType.LOGIN_SUCCESS, clock.instant(), user, user, ipAddress));
    }

    /**
     * A presented credential was wrong: records a {@code login_failure} unless the same credential
     * failed within the last second or too many failed this second. Never throws: a failure to
     * record is logged.
     *
     * @param fingerprint a hash identifying the credential (never the secret itself)
     * @param presentedAs the user name or {@code key@subject} it claimed, or null (a bearer token)
     * @param ipAddress   the client's address, or null
     */
    public void loginFailed(String fingerprint, String presentedAs, String ipAddress) {
        long now = System.nanoTime();
        var last = recentFailures.get(fingerprint);
        if (last != null && now - last < FAILURE_QUIET_MILLIS * 1_000_000) {
            return;
        }
        if (!withinFailureBudget()) {
            return;
        }
        if (recentFailures.size() >= MAX_TRACKED_FAILURES) {
            recentFailures.clear();
        }
        recentFailures.put(fingerprint, now);
        var owner = presentedAs == null ? null : presentedAs.substring(presentedAs.lastIndexOf('@') + 1);
        try {
            record(Event.login(EventType.LOGIN_FAILURE, clock.instant(), presentedAs, owner, ipAddress));
        } catch (RuntimeException e) {
            LOG.warn("Recording a failed authentication failed: {}", e.getMessage());
        }
    }

    private boolean withinFailureBudget() {
        long second = System.nanoTime() / 1_000_000_000;
        if (failureSecond.getAndSet(second) != second) {
            failuresThisSecond.set(0);
        }
        return failuresThisSecond.incrementAndGet() <= MAX_FAILURES_PER_SECOND;
    }

    /** Up to {@code limit} events after position {@code seq}, in order. */
    public List<StoredEvent> after(long seq, int limit) {
        return store.after(seq, limit, null);
    }

    /**
     * What a reader of one event type found after position {@code seq}: the events of that type, and
     * the position up to which it looked (the next reading starts after it).
     */
    public record Scan(List<StoredEvent> events, long scannedTo) {
    }

    /**
     * Up to {@code limit} events of {@code type} after position {@code seq}, looking at most
     * {@code window} positions ahead and no further than the last committed event: a reader of rare
     * events (webhooks read only published versions) moves past thousands of downloads without
     * reading them.
     */
    public Scan scan(long seq, EventType type, long window, int limit) {
        long upTo = Math.min(store.latestSeq(), seq + window);
        if (upTo <= seq) {
            return new Scan(List.of(), seq);
        }
        var found = store.ofType(seq, upTo, type, limit);
        return new Scan(found, found.size() == limit ? found.getLast().seq() : upTo);
    }

    /** Up to {@code limit} events after position {@code seq} whose resource {@code owner} owns, in order. */
    public List<StoredEvent> after(long seq, int limit, String owner) {
        return store.after(seq, limit, owner);
    }

    /** The position of the last committed event, 0 before the first: a new reader starts after it. */
    public long latestSeq() {
        return store.latestSeq();
    }

    /**
     * The oldest position still kept, if any event is: a reader resuming after a position below
     * {@code firstSeq() - 1} has missed events that retention removed.
     */
    public Optional<Long> firstSeq() {
        return store.firstSeq();
    }

    /** Removes events recorded more than {@link #retention} ago; returns how many. */
    public int purge() {
        return store.deleteRecordedBefore(clock.instant().minus(retention), PURGE_CHUNK);
    }

    /** {@link #purge}, logging instead of throwing: for the scheduler. */
    public void purgeQuietly() {
        try {
            int removed = purge();
            if (removed > 0) {
                LOG.debug("Removed {} events older than {}", removed, retention);
            }
        } catch (RuntimeException e) {
            LOG.warn("Removing old events failed: {}", e.getMessage());
        }
    }
}
