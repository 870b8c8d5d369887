package dev.bindery.analytics;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that keeps a follower of the download log up to date: it runs the follower's step
 * while there is something new, waits for a signal (or a second) when there is not, and retries a
 * failed step after a second, logging where it failed. Shared by every follower so they behave
 * alike on errors and shutdown.
 *
 * <p>Steps start at most every {@value #MIN_INTERVAL_MILLIS} ms. A step has a fixed cost (a
 * transaction, a gzip member per file) whatever it carries; under steady downloads the writer
 * appends many times a second, and stepping after each append spent more CPU on that fixed cost
 * than the downloads themselves. Waiting lets each step carry a larger batch.
 *
 * <p>Under heavy load the wait grows with the step: the next step starts
 * {@value #LOAD_FACTOR} times the last one's duration after it began (at most
 * {@value #MAX_INTERVAL_MILLIS} ms), so a follower whose steps have become expensive (many distinct
 * rollup counters, many files) spends at most about a third of a core, and each step carries more
 * events per counter written. Past the first {@value #MIN_INTERVAL_MILLIS} ms that wait ends as soon as
 * the log goes quiet for {@value #QUIET_MILLIS} ms, so a burst is followed up at once when it ends.
 */
public final class FollowerThread implements AutoCloseable {

    /** One unit of a follower's work; returns how many events it handled (0: nothing new). */
    public interface Step {
        int step() throws IOException;
    }

    static final long MIN_INTERVAL_MILLIS = 1_000;
    static final long MAX_INTERVAL_MILLIS = 5_000;
    static final long LOAD_FACTOR = 3;
    static final long QUIET_MILLIS = 200;
    private static final Logger LOG = LoggerFactory.getLogger(FollowerThread.class);

    private final String name;
    private final Step step;
    private final LongSupplier position;
    private final Semaphore appended = new Semaphore(0);
    private volatile boolean running = true;
    private Thread thread;

    public FollowerThread(String name, Step step, LongSupplier position) {
        this.name = name;
        this.step = step;
        this.position = position;
    }

    /**
     * Runs {@code batch} until it finds nothing new or {@code max} events are done, and returns how
     * many it handled: a step that takes one batch can follow no faster than a batch a second, since
     * steps start at most that often.
     */
    public static int inBatches(int max, Step batch) throws IOException {
        int events = 0;
        int handled;
        while (events < max && (handled = batch.step()) > 0) {
            events += handled;
        }
        return events;
    }

    public void start() {
        thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** The log has grown. Cheap; called by the writer after each append. */
    public void signal() {
        appended.release();
    }

    /** Waits until the follower's position reaches {@code end} as it grows; false on timeout. For tests and rebuilds. */
    public boolean awaitCaughtUp(LongSupplier end, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (position.getAsLong() < end.getAsLong()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private void run() {
        while (running) {
            try {
                long started = System.nanoTime();
                if (step.step() == 0) {
                    appended.tryAcquire(1, TimeUnit.SECONDS);
                    appended.drainPermits();
                } else {
                    long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
                    if (elapsedMillis < MIN_INTERVAL_MILLIS) {
                        Thread.sleep(MIN_INTERVAL_MILLIS - elapsedMillis);
                    }
                    long interval = Math.min(MAX_INTERVAL_MILLIS, LOAD_FACTOR * elapsedMillis);
                    awaitBusyInterval(started + interval * 1_000_000);
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.error("{} failed at log offset {}; retrying", name, position.getAsLong(), e);
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Waits until {@code deadline} (nano time) while the log keeps growing; returns when it goes quiet. */
    private void awaitBusyInterval(long deadline) throws InterruptedException {
        appended.drainPermits();
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            if (!appended.tryAcquire(Math.min(remaining, QUIET_MILLIS * 1_000_000), TimeUnit.NANOSECONDS)) {
                return;
            }
            appended.drainPermits();
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
