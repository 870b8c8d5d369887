package dev.bindery.analytics;

import java.io.IOException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the download log from its checkpoint and adds every event to the rollups: minute, day
 * and month buckets of downloads per version, per country and OS, per network (ASN) and per
 * client. Each batch is aggregated in memory and written with its checkpoint in one transaction,
 * so a crash anywhere replays at most the uncommitted batch and never counts an event twice.
 * Minute buckets older than 48 hours are pruned as it goes.
 */
public final class RollupConsumer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RollupConsumer.class);
    private static final int BATCH = 20_000;
    private static final int MAX_EVENTS = 2_000_000;
    /** Distinct counters one step aggregates at most: bounds its memory whatever the events hold. */
    private static final int MAX_COUNTERS = 200_000;
    /** Counters each per-minute count becomes at most: its minute, day and month. */
    private static final int RESOLUTIONS = 3;
    private static final long MINUTES_KEPT = 48 * 60 * 60 * 1000L;
    private static final long PRUNE_EVERY = 10 * 60 * 1000L;

    private final SegmentLog log;
    private final AnalyticsStore store;
    private final String name;
    private final Clock clock;
    private final FollowerThread follower;
    private final AppendedBatches appended = new AppendedBatches(AppendedBatches.AT_HAND);
    private volatile long position;
    private long lastPrune;

    /** @param name this follower's checkpoint name; unique per node, since each node has its own log */
    public RollupConsumer(SegmentLog log, AnalyticsStore store, String name, Clock clock) {
        this.log = log;
        this.store = store;
        this.name = name;
        this.clock = clock;
        this.position = store.checkpoint(name).orElse(0L);
        this.follower = new FollowerThread("analytics-rollup", this::step, () -> position);
    }

    /** Starts following the log on a thread of its own. */
    public RollupConsumer start() {
        follower.start();
        return this;
    }

    /**
     * Forgets every rollup and checkpoint and rolls the whole log up again, on the calling thread.
     * For {@code bindery analytics rebuild}, with the server stopped.
     *
     * @return the number of events rolled up
     */
    public static long rebuild(SegmentLog log, AnalyticsStore store, String name, Clock clock) throws IOException {
        store.clear();
        var consumer = new RollupConsumer(log, store, name, clock);
        long events = 0;
        int batch;
        while ((batch = consumer.step()) > 0) {
            events += batch;
        }
        return events;
    }

    /** Wakes the follower: the log has grown. Cheap; called by the writer after each append. */
    public void signal() {
        follower.signal();
    }

    /**
     * Keeps a batch the writer appended, to roll up without reading it back from the log (null: it
     * must be read), and wakes the follower. Cheap; called by the writer after each append.
     */
    public void appended(Appended batch) {
        appended.offer(batch);
        follower.signal();
    }

    /** Events rolled up from batches at hand rather than read from the log; for tests. */
    public long takenAtHand() {
        return appended.taken();
    }

    /** The log offset up to which events are in the rollups. */
    public long position() {
        return position;
    }

    /** Waits until the rollups hold everything appended to the log so far; for tests and rebuilds. */
    public boolean awaitCaughtUp(long timeoutMillis) throws InterruptedException {
        return follower.awaitCaughtUp(log::end, timeoutMillis);
    }

    /**
     * Rolls up what the log holds beyond the checkpoint, at most {@value #MAX_EVENTS} events (fewer
     * once {@value #MAX_COUNTERS} distinct counters are reached): taken from the batches at hand
     * where they continue from the checkpoint, read from the log where not, and aggregated in
     * memory, so that one transaction adds each counter once however many events it counts.
     * Returns how many events it rolled up (0: nothing new).
     */
    int step() throws IOException {
        prune();
        var counts = new RollupCounts();
        int events = 0;
        var fields = new EventCodec.RollupFields();
        var reached = new long[] {position};
        while (events < MAX_EVENTS && RESOLUTIONS * counts.minuteCounters() < MAX_COUNTERS) {
            int max = Math.min(BATCH, MAX_EVENTS - events);
            int read = appended.take(reached[0], max, (batch, i) -> {
                batch.rollupFields(i, fields);
                counts.add(fields);
                reached[0] = batch.next(i);
            });
            if (read == 0) {
                // Only what the rollups count by, into one reused object: no addresses, agents or
                // paths decoded for nothing, and no event object per event.
                read = log.scan(reached[0], max, (offset, after, payload, strings) -> {
                    EventCodec.decodeRollup(payload, strings, fields);
                    counts.add(fields);
                    reached[0] = after;
                });
            }
            if (read == 0) {
                break;
            }
            events += read;
        }
        long next = reached[0];
        if (events == 0) {
            return 0;
        }
        var counters = counts.counters();
        long checkpoint = next;
        long started = System.nanoTime();
        store.jdbi().useTransaction(handle -> store.add(handle, counters, name, checkpoint));
        LOG.debug("Rolled up {} events into {} counters in {} ms", events, counters.size(),
                (System.nanoTime() - started) / 1_000_000);
        position = checkpoint;
        return events;
    }

    private void prune() {
        long now = clock.millis();
        if (now - lastPrune >= PRUNE_EVERY) {
            store.pruneMinutes(Buckets.minute(now - MINUTES_KEPT));
            lastPrune = now;
        }
    }

    @Override
    public void close() {
        follower.close();
    }
}
