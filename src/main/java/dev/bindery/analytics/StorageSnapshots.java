package dev.bindery.analytics;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the storage history of the usage reports: {@link #snapshot} records what every package
 * stores today (one GROUP BY over {@code content_file}), replacing an earlier snapshot of the same
 * UTC day, so the last snapshot of a month is at most one scheduling period old. Bindery runs it at
 * startup and then on its scheduler. Thread-safe; snapshots of one node never overlap.
 */
public final class StorageSnapshots {

    private static final Logger LOG = LoggerFactory.getLogger(StorageSnapshots.class);

    private final UsageStore store;
    private final Clock clock;

    public StorageSnapshots(UsageStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Takes today's snapshot now; answers the number of packages in it. */
    public synchronized int snapshot() {
        long now = clock.millis();
        return store.snapshot(Buckets.day(now), now);
    }

    /** {@link #snapshot} for the scheduler: a failure is logged, and the next run tries again. */
    public void snapshotQuietly() {
        try {
            snapshot();
        } catch (RuntimeException e) {
            // Another node may be writing the same day; its snapshot is as good as ours.
            LOG.warn("Storage snapshot failed: {}", e.toString());
        }
    }
}
