package dev.bindery.events;

import dev.bindery.BinderyException;
import dev.bindery.access.AccessService;
import dev.bindery.subject.Caller;
import dev.bindery.subject.SubjectService;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Stream API (events firehose): per-subject streams of outbox events, with reconnect ids and a
 * connection limit.
 *
 * <p>A reconnect id names a stream position held here, in memory: the seq of the last event the
 * stream wrote. While a connection serves it, the position is live; once the connection ends it is
 * kept for {@link #holdWindow} (120 s) and still takes one of the subject's {@value #MAX_CONNECTIONS}
 * slots ("events are saved on the old connection"). Presenting the id within that window resumes
 * after the last event written, without gaps or duplicates; an unknown or expired id (or one of
 * another subject) starts a new stream from now. An id presented while its old connection is still
 * open takes the position over: the old connection ends at its next event or keep-alive.
 *
 * <p>New events are found by one watcher thread polling {@link EventService#latestSeq} every
 * {@value #POLL_MILLIS} ms while any stream is open (events of other nodes sharing the database
 * included), which wakes the waiting streams. Thread-safe.
 */
public final class StreamService implements AutoCloseable {

    /** Bintray's limit of concurrent connections per subject. */
    public static final int MAX_CONNECTIONS = 3;
    static final long POLL_MILLIS = 100;
    private static final int BATCH = 500;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger LOG = LoggerFactory.getLogger(StreamService.class);

    private final EventService events;
    private final SubjectService subjects;
    private final AccessService access;
    private final ConcurrentHashMap<String, Position> positions = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final AtomicInteger open = new AtomicInteger();
    private final Thread watcher;
    private volatile boolean closed;
    private volatile long latest;
    private volatile Duration keepAlive = Duration.ofSeconds(30);
    private volatile Duration holdWindow = EventService.REPLAY_WINDOW;

    public StreamService(EventService events, SubjectService subjects, AccessService access) {
        this.events = events;
        this.subjects = subjects;
        this.access = access;
        this.watcher = Thread.ofPlatform().daemon().name("bindery-stream-watcher").start(this::watch);
    }

    /** How often an idle stream sends an empty line; 30 s as Bintray. */
    public Duration keepAlive() {
        return keepAlive;
    }

    /** For tests: a shorter keep-alive interval. */
    void keepAlive(Duration interval) {
        this.keepAlive = interval;
    }

    /** For tests: how long a dropped stream's position (and slot) is kept; never above the outbox's retention. */
    void holdWindow(Duration window) {
        this.holdWindow = window;
    }

    /** For tests: how many streams of {@code subject} a connection is serving right now. */
    int liveStreams(String subject) {
        return (int) positions.values().stream().filter(position -> position.subject.equals(subject))
                .filter(position -> position.owner != null).count();
    }

    /**
     * Opens a stream of {@code subject}'s events for a subject admin, resuming {@code reconnectId}'s
     * position when it is known, of that subject and not expired. Fails with 401/403 for other
     * callers, 404 for an unknown subject, 429 when the subject's slots are taken.
     */
    public Stream open(Caller caller, String subject, String reconnectId) {
        if (caller.isAnonymous()) {
            throw caller.refusal("");
        }
        var owner = subjects.subject(subject);
        access.requireSubjectAdmin(caller, owner, "read the event stream of '" + subject + "'");
        var stream = new Stream();
        synchronized (positions) {
            expire();
            var position = reconnectId == null ? null : positions.get(reconnectId);
            if (position == null || !position.subject.equals(subject)) {
                long held = positions.values().stream().filter(each -> each.subject.equals(subject)).count();
                if (held >= MAX_CONNECTIONS) {
                    throw BinderyException.tooManyRequests("Subject '" + subject + "' already has "
                            + MAX_CONNECTIONS + " event streams; a dropped stream keeps its slot for "
                            + holdWindow.toSeconds() + " seconds unless reconnected with its reconnect id");
                }
                position = new Position(newId(), subject, events.latestSeq());
                positions.put(position.id, position);
            }
            // Taking over: a connection still serving this id sees it is no longer the owner and ends.
            position.owner = stream;
            stream.position = position;
        }
        open.incrementAndGet();
        return stream;
    }

    private void expire() {
        long now = System.nanoTime();
        positions.values().removeIf(position -> position.owner == null
                && now - position.releasedNanos > holdWindow.toNanos());
    }

    private static String newId() {
        var bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private void watch() {
        while (!closed) {
            try {
                if (open.get() > 0) {
                    long seq = events.latestSeq();
                    if (seq != latest) {
                        latest = seq;
                        lock.lock();
                        try {
                            arrived.signalAll();
                        } finally {
                            lock.unlock();
                        }
                    }
                }
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Watching the outbox failed: {}", e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        watcher.interrupt();
        lock.lock();
        try {
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A stream position and who serves it. */
    private static final class Position {
        final String id;
        final String subject;
        /** The seq of the last event written to a client. */
        volatile long lastSeq;
        /** The connection serving it, null once dropped. */
        volatile Stream owner;
        volatile long releasedNanos;

        Position(String id, String subject, long lastSeq) {
            this.id = id;
            this.subject = subject;
            this.lastSeq = lastSeq;
        }
    }

    /**
     * One connection's view of a position: {@link #next} waits for events, {@link #delivered} moves the
     * position on once they are written, {@link #close} releases the connection (the position stays
     * for the hold window). Used by one thread.
     */
    public final class Stream implements AutoCloseable {
        private Position position;
        private boolean released;

        /** The reconnect id for the response header. */
        public String reconnectId() {
            return position.id;
        }

        /** Whether this connection still serves its position (false once taken over or the service stops). */
        public boolean active() {
            return position.owner == this && !closed;
        }

        /**
         * The next events after the position, waiting up to {@code timeout} for some; empty on time-out
         * or when the stream is no longer {@link #active}.
         */
        public List<StoredEvent> next(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (active()) {
                long seen = latest;
                var batch = events.after(position.lastSeq, BATCH, position.subject);
                if (!batch.isEmpty()) {
                    return batch;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return List.of();
                }
                lock.lock();
                try {
                    if (latest == seen && active()) {
                        arrived.await(left, TimeUnit.NANOSECONDS);
                    }
                } finally {
                    lock.unlock();
                }
            }
            return List.of();
        }

        /** Records that events up to {@code seq} reached the client. */
        public void delivered(long seq) {
            // Under the lock of take-overs, so an old connection never moves a taken-over position.
            synchronized (positions) {
                if (active()) {
                    position.lastSeq = seq;
                }
            }
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            open.decrementAndGet();
            synchronized (positions) {
                if (position.owner == this) {
                    position.releasedNanos = System.nanoTime();
                    position.owner = null;
                }
            }
        }
    }
}
