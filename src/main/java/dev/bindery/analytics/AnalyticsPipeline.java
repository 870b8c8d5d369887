package dev.bindery.analytics;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Download events from capture to the segment log, then to whatever follows the log.
 *
 * <p>The download path calls {@link #record}, which only offers the event to a bounded in-memory
 * queue and never blocks. A single writer thread drains the queue at least every
 * {@value #BATCH_MILLIS} ms (an event waits at most about {@value #GATHER_MILLIS} ms for the batch
 * it goes in), enriches the events, appends them to the {@link SegmentLog} in one write and wakes
 * the followers. When the writer falls behind and the queue is full, events are
 * counted as dropped and logged, never silently lost and never slowing a download. Closing drains
 * the queue first: a graceful stop loses nothing.
 */
public final class AnalyticsPipeline implements AutoCloseable {

    static final long BATCH_MILLIS = 100;
    static final long GATHER_MILLIS = 50;
    private static final int MAX_BATCH = 50_000;
    private static final long SYNC_MILLIS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(AnalyticsPipeline.class);

    private final SegmentLog log;
    private final Enrichment enrichment;
    private final LiveFeed liveFeed = new LiveFeed();
    private final BlockingQueue<DownloadEvent> queue;
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final List<Consumer<Appended>> followers = new CopyOnWriteArrayList<>();
    private final Thread writer;
    private volatile boolean running = true;
    private long lastSync = System.currentTimeMillis();
    private long lastDropReport;

    public AnalyticsPipeline(SegmentLog log, Enrichment enrichment, int queueCapacity) {
        this.log = log;
        this.enrichment = enrichment;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.writer = Thread.ofPlatform().name("analytics-writer").daemon().start(this::writeLoop);
    }

    /** Offers a captured download; never blocks. Returns false if it had to be dropped. */
    public boolean record(DownloadEvent event) {
        if (queue.offer(event)) {
            recorded.incrementAndGet();
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    /** Events accepted since start. */
    public long recorded() {
        return recorded.get();
    }

    /** Events appended to the log since start. */
    public long written() {
        return written.get();
    }

    /** Events that found the queue full since start. */
    public long dropped() {
        return dropped.get();
    }

    public SegmentLog log() {
        return log;
    }

    /**
     * Hands {@code follower} every batch appended, or null for one it must read from the log (on
     * the writer thread: it must only keep the batch and signal).
     */
    public void onAppend(Consumer<Appended> follower) {
        followers.add(follower);
    }

    private void writeLoop() {
        var batch = new ArrayList<DownloadEvent>();
        while (running || !queue.isEmpty()) {
            try {
                var first = queue.poll(BATCH_MILLIS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    gather();
                    queue.drainTo(batch, MAX_BATCH - 1);
                    append(batch);
                    batch.clear();
                }
                maintain();
            } catch (InterruptedException e) {
                running = false;
            } catch (IOException | RuntimeException e) {
                LOG.error("Cannot append {} download events to the analytics log", batch.size(), e);
                batch.clear();
            }
        }
    }

    /**
     * Lets a batch gather for {@value #GATHER_MILLIS} ms after its first event, unless a full batch
     * is already waiting. Appending whatever had arrived the moment the writer woke meant, under
     * steady downloads, a write, a wake-up of every follower and a wake-up of this thread for every
     * few events, which cost more than the events themselves. Each append still has a fixed cost
     * (two wake-ups, a write, a batch for the followers): 50 ms rather than 20 halves it, and the
     * events stay inside the {@value #BATCH_MILLIS} ms a crash may lose.
     */
    private void gather() {
        if (!running || queue.size() >= MAX_BATCH - 1) {
            return;
        }
        try {
            Thread.sleep(GATHER_MILLIS);
        } catch (InterruptedException e) {
            running = false;
        }
    }

    /**
     * Enriches and appends a batch. The enrichment goes straight into the encoding: an enriched
     * copy of each event is made only when someone watches the live feed.
     */
    private void append(List<DownloadEvent> batch) throws IOException {
        var places = new GeoInfo[batch.size()];
        var clients = new ClientInfo[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            places[i] = enrichment.place(batch.get(i));
            clients[i] = enrichment.client(batch.get(i));
        }
        var offsets = new long[batch.size()];
        long end = log.appendEvents(batch, places, clients, offsets);
        written.addAndGet(batch.size());
        // A batch with an event the log left out is not handed over: the followers read it from the log.
        var appended = allAppended(offsets) ? new Appended(batch, places, clients, offsets, end, log::canonical) : null;
        for (var follower : followers) {
            follower.accept(appended);
        }
        if (liveFeed.watched()) {
            var enriched = new ArrayList<DownloadEvent>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                enriched.add(batch.get(i).enriched(places[i], clients[i]));
            }
            liveFeed.publish(enriched);
        }
    }

    private static boolean allAppended(long[] offsets) {
        for (long offset : offsets) {
            if (offset < 0) {
                return false;
            }
        }
        return true;
    }

    /** The live feed of what this node's log receives. */
    public LiveFeed liveFeed() {
        return liveFeed;
    }

    private void maintain() throws IOException {
        long now = System.currentTimeMillis();
        if (now - lastSync >= SYNC_MILLIS) {
            log.sync();
            lastSync = now;
        }
        long lost = dropped.get();
        if (lost > lastDropReport) {
            LOG.warn("Analytics fell behind: {} download events dropped so far (queue full)", lost);
            lastDropReport = lost;
        }
    }

    /** Writes everything still queued, then closes the log. Stop the web server first. */
    @Override
    public void close() throws IOException {
        running = false;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.close();
    }
}
