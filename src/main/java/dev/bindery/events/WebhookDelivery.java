package dev.bindery.events;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's single webhook delivery worker: reads {@code version_published} events from the outbox
 * after the durable checkpoint, and calls each active hook of the event's package.
 *
 * <p>A batch of events is claimed by moving the checkpoint with its row locked
 * ({@link WebhookStore#advance}): on nodes sharing the database exactly one node delivers an event.
 * Claiming comes before calling, so a node stopping mid-batch loses those calls (at most once).
 * Each call runs on its own virtual thread, at most {@value #MAX_IN_FLIGHT} at once, through
 * {@link WebhookSink.Retrying} (a few attempts, exponential backoff) and {@link WebhookSink.Http}
 * (a per-call timeout): a slow receiver delays only its own calls, and publishing only writes the
 * outbox event. A delivery that still fails counts towards the hook's {@code failure_count};
 * {@value WebhookService#MAX_FAILURES} in a row deactivate it, a success resets it. Thread-safe.
 */
public final class WebhookDelivery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);
    static final int MAX_IN_FLIGHT = 256;
    private static final int BATCH = 500;
    private static final Duration POLL = Duration.ofMillis(200);

    private final EventService events;
    private final WebhookStore store;
    private final WebhookService hooks;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile WebhookSink sink;
    private volatile Thread worker;
    private volatile boolean stopped;

    /** Delivers with 3 attempts, backoff from 1 s, and a 5 s timeout per call. */
    public WebhookDelivery(EventService events, WebhookStore store, WebhookService hooks) {
        this.events = events;
        this.store = store;
        this.hooks = hooks;
        retries(3, Duration.ofSeconds(1), Duration.ofSeconds(5));
    }

    /** Sets the attempts per delivery, the first backoff (doubling after each) and the per-call timeout. */
    public WebhookDelivery retries(int attempts, Duration backoff, Duration timeout) {
        this.sink = new WebhookSink.Retrying(new WebhookSink.Http(timeout, hooks::refusal), attempts, backoff);
        return this;
    }

    /** A second worker over the same database and hooks, as another node would run one: for tests. */
    WebhookDelivery anotherNode() {
        var other = new WebhookDelivery(events, store, hooks);
        other.sink = sink;
        return other;
    }

    public WebhookDelivery start() {
        worker = Thread.ofPlatform().daemon().name("bindery-webhooks").start(this::run);
        return this;
    }

    /** Deliveries that succeeded, and that failed after their retries, since start. */
    public long delivered() {
        return delivered.get();
    }

    public long failed() {
        return failed.get();
    }

    /**
     * Waits until the delivery checkpoint has passed every event in the outbox so far (their calls
     * dispatched); false on timeout. For tests.
     */
    public boolean awaitCaughtUp(long timeoutMillis) throws InterruptedException {
        long target = events.latestSeq();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (store.checkpoint() < target) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private void run() {
        while (!stopped) {
            try {
                if (!pollOnce()) {
                    Thread.sleep(POLL);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Webhook delivery: reading the outbox failed: {}", e.toString());
                try {
                    Thread.sleep(POLL.multipliedBy(5));
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Claims and dispatches one batch; false when there was nothing new. */
    boolean pollOnce() throws InterruptedException {
        // The checkpoint row stays locked while the batch is read, so another node waits and then
        // reads after this batch (an optimistic UPDATE ... WHERE last_seq = :seen is not re-checked
        // after a lock wait on H2).
        var claimed = new java.util.concurrent.atomic.AtomicReference<java.util.List<StoredEvent>>(
                java.util.List.of());
        store.advance(seen -> {
            var read = events.after(seen, BATCH);
            claimed.set(read);
            return read.isEmpty() ? seen : read.getLast().seq();
        });
        var batch = claimed.get();
        if (batch.isEmpty()) {
            return false;
        }
        for (var stored : batch) {
            var event = stored.event();
            if (event.type() != EventType.VERSION_PUBLISHED || event.repo() == null || event.pkg() == null) {
                continue;
            }
            for (var hook : store.active(event.owner(), event.repo(), event.pkg())) {
                inFlight.acquire();
                try {
                    calls.execute(() -> {
                        try {
                            deliver(hook, event);
                        } finally {
                            inFlight.release();
                        }
                    });
                } catch (RuntimeException e) {
                    inFlight.release();
                    throw e;
                }
            }
        }
        return true;
    }

    private void deliver(Webhook hook, Event event) {
        try {
            sink.send(hooks.call(hook, event.version(), event.time()));
            store.succeeded(hook);
            delivered.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            failed.incrementAndGet();
            LOG.info("Webhook of {}/{}/{} for version {} failed: {}", hook.owner(), hook.repo(), hook.pkg(),
                    event.version(), e.toString());
            try {
                store.failed(hook, WebhookService.MAX_FAILURES);
            } catch (RuntimeException counting) {
                LOG.warn("Counting a webhook failure failed: {}", counting.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopped = true;
        var thread = worker;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        calls.shutdownNow();
    }
}
