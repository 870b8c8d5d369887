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
 */
final class FollowerThread implements AutoCloseable {

    /** One unit of a follower's work; returns how many events it handled (0: nothing new). */
    interface Step {
        int step() throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(FollowerThread.class);

    private final String name;
    private final Step step;
    private final LongSupplier position;
    private final Semaphore appended = new Semaphore(0);
    private volatile boolean running = true;
    private Thread thread;

    FollowerThread(String name, Step step, LongSupplier position) {
        this.name = name;
        this.step = step;
        this.position = position;
    }

    void start() {
        thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** The log has grown. Cheap; called by the writer after each append. */
    void signal() {
        appended.release();
    }

    private void run() {
        while (running) {
            try {
                if (step.step() == 0) {
                    appended.tryAcquire(1, TimeUnit.SECONDS);
                    appended.drainPermits();
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
