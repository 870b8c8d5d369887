package dev.bindery.analytics;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live download feed: enriched download events handed to whoever watches a subject, a
 * repository or a package, as they are appended to the log. Each watcher has a bounded queue; a
 * watcher that does not keep up misses events (counted) rather than holding anything up.
 * Thread-safe.
 */
public final class LiveFeed {

    private static final int QUEUE = 1_000;

    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

    /** What a watcher wants: a subject, optionally narrowed to a repository and a package. */
    public record Filter(String subject, String repo, String pkg) {
        boolean matches(DownloadEvent event) {
            return subject.equals(event.subject())
                    && (repo == null || repo.equals(event.repo()))
                    && (pkg == null || pkg.equals(event.pkg()));
        }
    }

    /** One watcher's events. Close it when the watcher goes. */
    public final class Subscription implements AutoCloseable {
        private final Filter filter;
        private final BlockingQueue<DownloadEvent> events = new ArrayBlockingQueue<>(QUEUE);
        private final AtomicLong missed = new AtomicLong();
        private volatile boolean closed;

        private Subscription(Filter filter) {
            this.filter = filter;
        }

        /** The next event, or null when none came within the timeout or the feed closed. */
        public DownloadEvent next(long timeout, TimeUnit unit) throws InterruptedException {
            return closed ? null : events.poll(timeout, unit);
        }

        /** Whether the watcher or the whole feed (server stopping) closed it. */
        public boolean isClosed() {
            return closed;
        }

        /** Events dropped because this watcher was too slow. */
        public long missed() {
            return missed.get();
        }

        @Override
        public void close() {
            closed = true;
            subscriptions.remove(this);
        }
    }

    public Subscription subscribe(Filter filter) {
        var subscription = new Subscription(filter);
        subscriptions.add(subscription);
        return subscription;
    }

    /** Ends every subscription, so streams end when the server stops. */
    public void closeAll() {
        subscriptions.forEach(Subscription::close);
    }

    /** Whether anyone watches: if not, there is nothing to publish. */
    boolean watched() {
        return !subscriptions.isEmpty();
    }

    /** Hands freshly appended events to the watchers they concern; never blocks. */
    void publish(List<DownloadEvent> appended) {
        for (var subscription : subscriptions) {
            for (var event : appended) {
                if (subscription.filter.matches(event) && !subscription.events.offer(event)) {
                    subscription.missed.incrementAndGet();
                }
            }
        }
    }
}
