package dev.bindery.events;

import dev.bindery.analytics.Appended;
import dev.bindery.analytics.AppendedBatches;
import dev.bindery.analytics.FollowerThread;
import dev.bindery.analytics.SegmentLog;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows this node's download log from its checkpoint and appends a {@code download} event per
 * logged download to the outbox, in batches packed into a row per owner (see
 * {@link EventService#appendPacked}), each batch with its checkpoint in one transaction: a
 * crash or restart anywhere replays at most the uncommitted batch, and no download enters the
 * outbox twice. The download path itself never touches the database for this.
 *
 * <p>A node's first follower starts at the end of its log: downloads from before the outbox existed
 * are history, not news. The checkpoint moves only from where this follower left it, so a second
 * follower of the same log (a misconfigured copy of the data directory) cannot add the same
 * downloads again.
 */
public final class DownloadEventFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DownloadEventFollower.class);
    static final int BATCH = EventStore.MAX_PACKED;
    /**
     * Downloads one step appends at most, a transaction of {@value #BATCH} at a time. Steps start at
     * most once a second (see {@link FollowerThread}): one batch per step capped the outbox at 5,000
     * downloads a second, and above that its download events fell further behind for as long as the
     * load lasted.
     */
    static final int MAX_EVENTS = 500_000;

    private final SegmentLog log;
    private final EventStore store;
    private final EventService events;
    private final String name;
    private final FollowerThread follower;
    private final AppendedBatches appended = new AppendedBatches(AppendedBatches.AT_HAND);
    private final FilePaths paths = new FilePaths();
    private volatile long position;

    /** @param name this follower's checkpoint name; unique per node, since each node has its own log */
    public DownloadEventFollower(SegmentLog log, EventStore store, EventService events, String name) {
        this.log = log;
        this.store = store;
        this.events = events;
        this.name = name;
        this.position = store.checkpoint(name).orElseGet(() -> store.createCheckpoint(name, log.end()));
        this.follower = new FollowerThread("events-downloads", this::step, () -> position);
    }

    /** Starts following the log on a thread of its own. */
    public DownloadEventFollower start() {
        follower.start();
        return this;
    }

    /** Wakes the follower: the log has grown. Cheap; called by the writer after each append. */
    public void signal() {
        follower.signal();
    }

    /**
     * Keeps a batch the writer appended, to put in the outbox without reading it back from the log
     * (null: it must be read), and wakes the follower. Cheap; called by the writer after each append.
     */
    public void appended(Appended batch) {
        appended.offer(batch);
        follower.signal();
    }

    /** Downloads put in the outbox from batches at hand rather than read from the log; for tests. */
    public long takenAtHand() {
        return appended.taken();
    }

    /** The log offset up to which downloads are in the outbox. */
    public long position() {
        return position;
    }

    /** Waits until the outbox holds every download appended to the log so far; for tests. */
    public boolean awaitCaughtUp(long timeoutMillis) throws InterruptedException {
        return follower.awaitCaughtUp(log::end, timeoutMillis);
    }

    /**
     * Appends what the log holds beyond the checkpoint, up to {@value #MAX_EVENTS} downloads, in
     * batches each committed with its checkpoint; returns how many (0: nothing new).
     */
    int step() throws IOException {
        return FollowerThread.inBatches(MAX_EVENTS, this::appendBatch);
    }

    /**
     * Appends the next batch of logged downloads with the checkpoint, taken from the batches at hand
     * where they continue from the checkpoint, read from the log where not; returns how many (0:
     * nothing new).
     */
    private int appendBatch() throws IOException {
        long from = position;
        var batch = new ArrayList<Event>();
        var reached = new long[] {from};
        appended.take(from, BATCH, (at, i) -> {
            batch.add(downloaded(at.timeMillis(i), at.user(i), at.subject(i), at.repo(i), at.pkg(i), at.version(i),
                    at.path(i), at.ip(i)));
            reached[0] = at.next(i);
        });
        long next = reached[0];
        if (batch.isEmpty()) {
            var briefs = log.readBriefs(from, BATCH);
            if (briefs.isEmpty()) {
                return 0;
            }
            for (var brief : briefs) {
                batch.add(downloaded(brief.timeMillis(), brief.user(), brief.subject(), brief.repo(), brief.pkg(),
                        brief.version(), brief.path(), brief.ip()));
            }
            next = briefs.get(briefs.size() - 1).next();
        }
        long checkpoint = next;
        boolean moved = store.jdbi().inTransaction(handle -> {
            if (!store.moveCheckpoint(handle, name, from, checkpoint)) {
                return false;
            }
            events.appendPacked(handle, batch);
            return true;
        });
        if (!moved) {
            long stored = store.checkpoint(name).orElse(from);
            LOG.warn("The outbox checkpoint '{}' was moved elsewhere (to {}, expected {}); following on from there",
                    name, stored, from);
            position = stored;
            return 0;
        }
        position = checkpoint;
        return batch.size();
    }

    private Event downloaded(long timeMillis, String user, String owner, String repo, String pkg, String version,
                             String filePath, String ip) {
        return new Event(EventType.DOWNLOAD, Instant.ofEpochMilli(timeMillis), user, owner, repo, pkg, version,
                paths.of(owner, repo, filePath), ip);
    }

    /**
     * The {@link Event#path}s made lately, by the instances of the strings they were made of: the
     * batches at hand hold one instance of each string (see {@code StringTable}), so a file
     * downloaded again finds its path here instead of joining it again, and the packing that
     * follows finds the hash of the same instance already computed. Follower thread only.
     */
    private static final class FilePaths {
        private static final int SLOTS = 1024;
        private final String[][] entries = new String[SLOTS][];

        String of(String owner, String repo, String filePath) {
            int hash = filePath.hashCode();
            int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
            var entry = entries[slot];
            if (entry != null && entry[0] == owner && entry[1] == repo && entry[2] == filePath) {
                return entry[3];
            }
            var path = Event.path(owner, repo, filePath);
            entries[slot] = new String[] {owner, repo, filePath, path};
            return path;
        }
    }

    @Override
    public void close() {
        follower.close();
    }
}
