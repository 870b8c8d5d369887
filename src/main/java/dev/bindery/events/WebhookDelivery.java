package dev.bindery.events;

import dev.bindery.events.WebhookStore.HookKey;
import dev.bindery.events.WebhookStore.PendingCall;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's webhook delivery worker: turns {@code version_published} events of the outbox into
 * durable pending calls ({@code webhooks_delivery}) and makes them.
 *
 * <p><b>Claiming.</b> The worker thread claims a batch of events by moving the single checkpoint row
 * with its row locked, and in the same transaction records one row per (event, active hook of its
 * package), held by this node under a lease ({@link WebhookStore#claimBatch}): on nodes sharing the
 * database exactly one node records an event's calls. A row is deleted when its call succeeded or
 * finally failed. The worker renews its leases; rows nobody holds (released on {@link #close}, or left
 * by a node that died, once its lease passed) are taken over by any node with a conditional UPDATE,
 * so two nodes never work on a row while its lease holds. Delivery is <b>at least once</b>: a call is
 * repeated if its node dies (or is cut off from the database past its lease) after the receiver
 * answered but before the row was deleted, and a retry after a timeout may reach a receiver that got
 * the first attempt late.
 *
 * <p><b>Calling.</b> Each hook has its own FIFO queue of at most {@value #QUEUE_PER_HOOK} calls and
 * makes at most {@value #PER_HOOK} at a time, on virtual threads; its calls start in event order (with
 * several in flight, or after a retry, they may arrive slightly out of order). Across hooks at most
 * {@value #MAX_IN_FLIGHT} HTTP requests run at once; a call holds one of those slots only while its
 * request runs, not during the backoff before a retry (the retry is scheduled). So a dead receiver
 * occupies at most {@value #PER_HOOK} slots, and neither other hooks nor the reading of the outbox
 * wait for it. When a hook's queue is full its new rows are released and taken back, in order, as
 * the queue drains. Publishing only writes the outbox event.
 *
 * <p><b>Failures.</b> A call is tried a few times with exponential backoff and a timeout per attempt
 * ({@link #retries}); one that still fails counts towards the hook's {@code failure_count},
 * {@value WebhookService#MAX_FAILURES} in a row deactivate it (its queued calls are then dropped,
 * counted and logged), a success resets it. All database work of the calls (deleting rows, counting
 * failures, recording retries) is batched on the worker thread, so at most one connection serves
 * deliveries. Thread-safe.
 */
public final class WebhookDelivery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);
    /** HTTP requests in flight at once, over all hooks. */
    static final int MAX_IN_FLIGHT = 256;
    /** Calls of one hook in progress at once (in flight or waiting to retry). */
    static final int PER_HOOK = 4;
    /** Calls of one hook queued in memory; more wait in the table. */
    static final int QUEUE_PER_HOOK = 500;
    private static final int BATCH = 500;
    /** How far past its checkpoint one claim looks for published versions among other events. */
    private static final long SCAN_WINDOW = 100_000;
    private static final long POLL_MILLIS = 200;
    /** How often rows nobody holds are looked for. */
    private static final long SCAN_MILLIS = 1_000;
    private static final long MIN_LEASE_MILLIS = 60_000;
    /** Leases are given up this long before they pass, for clocks of nodes that disagree a little. */
    private static final long CLOCK_MARGIN_MILLIS = 10_000;
    /** How long {@link #close} lets calls in flight finish. */
    private static final Duration GRACE = Duration.ofSeconds(2);

    private final EventService events;
    private final WebhookStore store;
    private final WebhookService hooks;
    private final String node;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("bindery-webhook-retries").factory());
    private final Semaphore requestSlots = new Semaphore(MAX_IN_FLIGHT, true);
    /** Hook lanes; guards every lane's fields and {@link #closing}. */
    private final Map<HookKey, Lane> lanes = new HashMap<>();
    /** Outcomes of calls, applied to the database by the worker thread. */
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    /** Rows this node holds but gave up: released by the worker thread. */
    private final ConcurrentLinkedQueue<PendingCall> toRelease = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requesting = new AtomicInteger();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Object wakeup = new Object();
    /** Worker thread only: outcomes applied, rows to delete and to update, kept until written. */
    private final List<PendingCall> toFinish = new ArrayList<>();
    private final List<PendingCall> toRetry = new ArrayList<>();
    /** Worker thread only: the failure counts of hooks that have failures, as the database has them. */
    private final Map<HookKey, Integer> failureCounts = new HashMap<>();
    private volatile Settings settings;
    /** Until when every row this node holds is surely its own (the last renewal's lease). */
    private volatile long leaseValidUntil;
    /** Bumped when leases may have passed: work claimed before is given up. */
    private volatile long generation;
    private volatile Thread worker;
    private volatile boolean stopped;
    private boolean closing;

    private record Settings(int attempts, Duration backoff, Duration timeout, WebhookSink sink) {
        long leaseMillis() {
            return Math.max(MIN_LEASE_MILLIS, 4 * timeout.toMillis());
        }
    }

    /** The calls of one hook on this node. Fields guarded by {@link #lanes}, except as noted. */
    private static final class Lane {
        final HookKey key;
        volatile Webhook hook;
        final ArrayDeque<Item> queue = new ArrayDeque<>();
        int running;
        /** Some of the hook's rows wait in the table: newer ones go there too, to keep the order. */
        boolean spilled;
        volatile boolean deactivated;

        Lane(Webhook hook) {
            this.key = HookKey.of(hook);
            this.hook = hook;
        }
    }

    /** A pending call in memory. */
    private static final class Item {
        final Lane lane;
        final long generation;
        volatile PendingCall call;
        volatile Webhook hook;
        volatile WebhookSink.Call request;

        Item(Lane lane, PendingCall call, long generation) {
            this.lane = lane;
            this.call = call;
            this.generation = generation;
        }
    }

    private enum Kind { SUCCEEDED, FAILED, RETRY, DROPPED }

    private record Outcome(Kind kind, Lane lane, Webhook hook, PendingCall call) {
    }

    /** Delivers with 3 attempts, backoff from 1 s, and a 5 s timeout per call, as node {@code node}. */
    public WebhookDelivery(EventService events, WebhookStore store, WebhookService hooks, String node) {
        this.events = events;
        this.store = store;
        this.hooks = hooks;
        this.node = node;
        retries(3, Duration.ofSeconds(1), Duration.ofSeconds(5));
    }

    /** Sets the attempts per delivery, the first backoff (doubling after each) and the per-call timeout. */
    public WebhookDelivery retries(int attempts, Duration backoff, Duration timeout) {
        this.settings = new Settings(attempts, backoff, timeout, new WebhookSink.Http(timeout, hooks::refusal));
        return this;
    }

    /** A second worker over the same database and hooks, as another node would run one: for tests. */
    WebhookDelivery anotherNode() {
        var other = new WebhookDelivery(events, store, hooks, node + "/" + UUID.randomUUID());
        other.settings = settings;
        return other;
    }

    /** This node's id in {@code webhooks_delivery.claimed_by}. */
    String node() {
        return node;
    }

    public WebhookDelivery start() {
        worker = Thread.ofPlatform().daemon().name("bindery-webhooks").start(this::run);
        return this;
    }

    /** Deliveries that succeeded, that failed after their retries, and that were dropped, since start. */
    public long delivered() {
        return delivered.get();
    }

    public long failed() {
        return failed.get();
    }

    /** Queued calls dropped because their hook was deactivated or deleted. */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Waits until the delivery checkpoint has passed every event in the outbox so far (their calls
     * recorded); false on timeout. For tests.
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

    // --- the worker thread -----------------------------------------------------------------------

    private void run() {
        boolean started = false;
        long nextRenewal = 0;
        long nextScan = 0;
        while (!stopped) {
            try {
                if (!started) {
                    // Rows held under this id by a previous run of this node (it died): nothing of them
                    // is in memory, so they are free for anyone now rather than after their lease.
                    int left = store.releaseAll(node);
                    if (left > 0) {
                        LOG.info("Webhook delivery: released {} calls left by this node's previous run", left);
                    }
                    started = true;
                }
                long now = System.currentTimeMillis();
                if (now >= nextRenewal) {
                    keepLeases(now);
                    nextRenewal = now + settings.leaseMillis() / 6;
                }
                applyOutcomes();
                boolean more = claimOnce();
                if (System.currentTimeMillis() >= nextScan) {
                    takeOver();
                    nextScan = System.currentTimeMillis() + SCAN_MILLIS;
                }
                applyOutcomes();
                if (!more) {
                    pause(POLL_MILLIS);
                }
            } catch (RuntimeException e) {
                LOG.warn("Webhook delivery: the database failed: {}", e.toString());
                pause(POLL_MILLIS * 5);
            }
        }
    }

    private void pause(long millis) {
        synchronized (wakeup) {
            if (!stopped) {
                try {
                    wakeup.wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopped = true;
                }
            }
        }
    }

    /** Renews this node's leases; if they may have passed meanwhile, gives up the work claimed before. */
    private void keepLeases(long now) {
        if (leaseValidUntil != 0 && now > leaseValidUntil - CLOCK_MARGIN_MILLIS) {
            // Renewals failed for long: another node may hold some of these rows by now.
            generation++;
            var given = new ArrayList<Item>();
            synchronized (lanes) {
                for (var lane : lanes.values()) {
                    given.addAll(lane.queue);
                    lane.spilled |= !lane.queue.isEmpty();
                    lane.queue.clear();
                }
            }
            given.forEach(item -> toRelease.add(item.call));
            LOG.warn("Webhook delivery: leases could not be renewed in time; gave up {} queued calls", given.size());
        }
        releaseGivenUp();
        long lease = now + settings.leaseMillis();
        store.renew(node, now, lease);
        leaseValidUntil = lease;
    }

    private void releaseGivenUp() {
        if (toRelease.isEmpty()) {
            return;
        }
        var rows = new ArrayList<PendingCall>(toRelease);
        store.release(node, rows);
        toRelease.removeAll(rows);
    }

    /** Claims and queues one batch; false when there was nothing new. */
    private boolean claimOnce() {
        long now = System.currentTimeMillis();
        var claimed = store.claimBatch(seen -> events.scan(seen, EventType.VERSION_PUBLISHED, SCAN_WINDOW, BATCH),
                (batch, active) -> plan(batch, active, now),
                node, now + settings.leaseMillis());
        if (claimed == null) {
            return false;
        }
        var refused = new ArrayList<PendingCall>();
        synchronized (lanes) {
            for (var hook : claimed.hooks()) {
                var lane = lanes.computeIfAbsent(HookKey.of(hook), key -> new Lane(hook));
                lane.hook = hook;
                lane.deactivated = false;
                knowFailures(hook);
            }
            for (var call : claimed.calls()) {
                if (!offer(lanes.get(call.hook()), call, false)) {
                    refused.add(call);
                }
            }
        }
        toRelease.addAll(refused);
        releaseGivenUp();
        return true;
    }

    /** The calls of a batch of events: one per version_published event and active hook of its package. */
    private static List<PendingCall> plan(List<StoredEvent> batch, List<Webhook> active, long now) {
        var byKey = new HashMap<HookKey, Webhook>();
        active.forEach(hook -> byKey.put(HookKey.of(hook), hook));
        var planned = new ArrayList<PendingCall>();
        for (var stored : batch) {
            var event = stored.event();
            if (event.type() != EventType.VERSION_PUBLISHED || event.repo() == null || event.pkg() == null
                    || event.version() == null) {
                continue;
            }
            var key = new HookKey(event.owner(), event.repo(), event.pkg());
            if (byKey.containsKey(key)) {
                planned.add(new PendingCall(stored.seq(), key, event.version(), event.time().toEpochMilli(), 0, now));
            }
        }
        return planned;
    }

    /** Takes over rows nobody holds, for hooks whose queue has room, in event order per hook. */
    private void takeOver() {
        long now = System.currentTimeMillis();
        var free = store.takeable(now);
        synchronized (lanes) {
            for (var lane : lanes.values()) {
                if (!free.containsKey(lane.key)) {
                    lane.spilled = false;
                }
            }
        }
        for (var key : free.keySet()) {
            var hook = store.find(key.owner(), key.repo(), key.pkg()).filter(Webhook::active);
            if (hook.isEmpty()) {
                int removed = store.dropTakeable(key, now);
                dropped.addAndGet(removed);
                if (removed > 0) {
                    LOG.info("Webhook of {} is inactive or deleted: dropped {} pending calls", key, removed);
                }
                continue;
            }
            Lane lane;
            int room;
            synchronized (lanes) {
                lane = lanes.computeIfAbsent(key, k -> new Lane(hook.get()));
                lane.hook = hook.get();
                lane.deactivated = false;
                knowFailures(hook.get());
                room = QUEUE_PER_HOOK - lane.queue.size();
            }
            if (room <= 0) {
                continue;
            }
            var rows = store.takeable(key, now, room);
            long lease = now + settings.leaseMillis();
            var taken = new ArrayList<PendingCall>();
            for (var row : rows) {
                if (store.take(row, node, now, lease)) {
                    taken.add(row);
                }
            }
            synchronized (lanes) {
                // the lane may have gone idle and been removed meanwhile
                lane = lanes.computeIfAbsent(key, k -> new Lane(hook.get()));
                for (var row : taken) {
                    if (!offer(lane, row, true)) {
                        toRelease.add(row);
                    }
                }
                if (rows.size() < room) {
                    lane.spilled = false;
                }
            }
        }
    }

    /** Applies the calls' outcomes: counts failures, resets counts, deletes and updates rows. */
    private void applyOutcomes() {
        Outcome outcome;
        while ((outcome = outcomes.peek()) != null) {
            apply(outcome);
            outcomes.poll();
        }
        if (!toFinish.isEmpty()) {
            store.finish(toFinish);
            toFinish.clear();
        }
        if (!toRetry.isEmpty()) {
            store.retryLater(toRetry);
            toRetry.clear();
        }
        releaseGivenUp();
    }

    private void apply(Outcome outcome) {
        var lane = outcome.lane();
        switch (outcome.kind()) {
            case SUCCEEDED -> {
                // Most deliveries succeed against a hook without failures: no UPDATE for those.
                if (failureCounts.containsKey(lane.key)) {
                    store.succeeded(outcome.hook());
                    failureCounts.remove(lane.key);
                }
                toFinish.add(outcome.call());
            }
            case FAILED -> {
                int count = store.failed(outcome.hook(), WebhookService.MAX_FAILURES);
                toFinish.add(outcome.call());
                if (count >= 0 && count < WebhookService.MAX_FAILURES) {
                    failureCounts.put(lane.key, count);
                } else {
                    var now = store.find(lane.key.owner(), lane.key.repo(), lane.key.pkg());
                    if (now.isPresent() && now.get().active()) {
                        // Counted nothing because the hook was registered again (new URL): keep going.
                        lane.hook = now.get();
                        knowFailures(now.get());
                    } else {
                        lane.deactivated = true;
                        failureCounts.remove(lane.key);
                        deactivate(lane.key, count);
                    }
                }
            }
            case RETRY -> toRetry.add(outcome.call());
            case DROPPED -> toFinish.add(outcome.call());
        }
    }

    private void knowFailures(Webhook hook) {
        if (hook.failureCount() > 0) {
            failureCounts.put(HookKey.of(hook), hook.failureCount());
        } else {
            failureCounts.remove(HookKey.of(hook));
        }
    }

    /** The hook is inactive now: drops its queued calls (the rows are deleted). */
    private void deactivate(HookKey key, int failures) {
        var drop = new ArrayList<PendingCall>();
        synchronized (lanes) {
            var lane = lanes.get(key);
            if (lane != null) {
                lane.deactivated = true;
                lane.spilled = false;
                lane.queue.forEach(item -> drop.add(item.call));
                lane.queue.clear();
            }
        }
        toFinish.addAll(drop);
        int left = store.dropTakeable(key, System.currentTimeMillis());
        dropped.addAndGet(drop.size() + left);
        if (failures >= WebhookService.MAX_FAILURES) {
            LOG.warn("Webhook of {} deactivated after {} consecutive failures: dropped {} queued calls", key,
                    failures, drop.size() + left);
        } else {
            LOG.info("Webhook of {} is no longer active: dropped {} queued calls", key, drop.size() + left);
        }
    }

    // --- lanes and calls (any thread) ----------------------------------------------------------

    /** Queues a held row on its hook's lane; false if the lane is full (or must keep the order). */
    private boolean offer(Lane lane, PendingCall call, boolean fromTable) {
        if ((lane.spilled && !fromTable) || lane.queue.size() >= QUEUE_PER_HOOK) {
            lane.spilled = true;
            return false;
        }
        lane.queue.add(new Item(lane, call, generation));
        pump(lane);
        return true;
    }

    /** Starts queued calls while the lane has room. Holds {@link #lanes}. */
    private void pump(Lane lane) {
        while (!closing && lane.running < PER_HOOK && !lane.queue.isEmpty()) {
            var item = lane.queue.poll();
            lane.running++;
            schedule(item);
        }
    }

    private void schedule(Item item) {
        long delay = item.call.nextAttempt() - System.currentTimeMillis();
        try {
            if (delay > 0) {
                timer.schedule(() -> startAttempt(item), delay, TimeUnit.MILLISECONDS);
            } else {
                startAttempt(item);
            }
        } catch (RejectedExecutionException e) {
            // closing: the row is released
        }
    }

    private void startAttempt(Item item) {
        try {
            calls.execute(() -> attempt(item));
        } catch (RejectedExecutionException e) {
            // closing: the row is released
        }
    }

    /** One attempt of a call, on its virtual thread; the lane's slot is held until the call is done. */
    private void attempt(Item item) {
        var settings = this.settings;
        var lane = item.lane;
        if (stopped) {
            return; // closing: the row is released
        }
        if (lane.deactivated) {
            dropped.incrementAndGet();
            done(item, Kind.DROPPED);
            return;
        }
        if (item.generation != generation
                || System.currentTimeMillis() + settings.timeout().toMillis() > leaseValidUntil - CLOCK_MARGIN_MILLIS) {
            // This node may not hold the row any more: leave it to whoever takes it.
            toRelease.add(item.call);
            leave(item);
            return;
        }
        var call = item.call;
        try {
            if (item.request == null) {
                item.hook = lane.hook;
                item.request = hooks.call(item.hook, call.version(), java.time.Instant.ofEpochMilli(call.released()));
            }
            requestSlots.acquire();
            requesting.incrementAndGet();
            try {
                settings.sink().send(item.request);
            } finally {
                requesting.decrementAndGet();
                requestSlots.release();
            }
            delivered.incrementAndGet();
            done(item, Kind.SUCCEEDED);
        } catch (InterruptedException e) {
            // closing: the row is released
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            int attempts = call.attempts() + 1;
            if (e instanceof WebhookSink.Refused || attempts >= settings.attempts()) {
                failed.incrementAndGet();
                LOG.info("Webhook of {} for version {} failed: {}", lane.key, call.version(), e.toString());
                done(item, Kind.FAILED);
                return;
            }
            long wait = settings.backoff().toMillis() << Math.min(attempts - 1, 20);
            item.call = call.retry(attempts, System.currentTimeMillis() + wait);
            outcomes.add(new Outcome(Kind.RETRY, lane, item.hook, item.call));
            // The request slot is free while waiting; the lane's slot stays taken, keeping the order.
            schedule(item);
        }
    }

    private void done(Item item, Kind kind) {
        outcomes.add(new Outcome(kind, item.lane, item.hook == null ? item.lane.hook : item.hook, item.call));
        leave(item);
    }

    /** The item no longer takes a slot of its lane. */
    private void leave(Item item) {
        synchronized (lanes) {
            item.lane.running--;
            pump(item.lane);
            if (item.lane.running == 0 && item.lane.queue.isEmpty() && !item.lane.spilled
                    && lanes.get(item.lane.key) == item.lane) {
                lanes.remove(item.lane.key);
            }
        }
    }

    /**
     * Stops: no new claims or attempts, calls in flight get {@link #GRACE} to finish, then the rest is
     * interrupted; outcomes are written and every row this node still holds is released for any node
     * (or this one after a restart) to take at once.
     */
    @Override
    public void close() {
        stopped = true;
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
        var thread = worker;
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lanes) {
            closing = true;
        }
        timer.shutdownNow();
        long deadline = System.nanoTime() + GRACE.toNanos();
        while (requesting.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        calls.shutdownNow();
        if (thread != null && thread.isAlive()) {
            LOG.warn("Webhook delivery: the worker did not stop; its leases will pass");
            return;
        }
        try {
            applyOutcomes();
        } catch (RuntimeException e) {
            LOG.warn("Webhook delivery: writing the last outcomes failed: {}", e.toString());
        }
        try {
            int released = store.releaseAll(node);
            if (released > 0) {
                LOG.info("Webhook delivery: released {} pending calls for other nodes or the next start", released);
            }
        } catch (RuntimeException e) {
            LOG.warn("Webhook delivery: releasing pending calls failed (their lease will pass): {}", e.toString());
        }
    }
}
