package dev.bindery.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A message digest computed on its own thread while the caller goes on reading, writing and
 * hashing: with two cores an upload's three checksums cost little more than the slowest one.
 * Buffers circulate between the two threads, so nothing is copied and memory stays bounded at
 * {@code buffers} buffers. Single-use, for one caller thread; {@link #close} stops the worker even
 * when the caller failed midway.
 */
final class ParallelDigest implements AutoCloseable {

    private static final int BUFFER_SIZE = 256 * 1024;
    private static final byte[] END = new byte[0];

    private record Chunk(byte[] buffer, int length) {
    }

    private final MessageDigest digest;
    private final BlockingQueue<byte[]> free;
    private final BlockingQueue<Chunk> filled;
    private final Thread worker;
    private volatile byte[] result;

    ParallelDigest(String algorithm, int buffers) {
        try {
            this.digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without " + algorithm, e);
        }
        this.free = new ArrayBlockingQueue<>(buffers);
        this.filled = new ArrayBlockingQueue<>(buffers + 1);
        for (int i = 0; i < buffers; i++) {
            free.add(new byte[BUFFER_SIZE]);
        }
        this.worker = Thread.ofVirtual().name("digest-" + algorithm).start(this::work);
    }

    private void work() {
        try {
            while (true) {
                var chunk = filled.take();
                if (chunk.buffer() == END) {
                    result = digest.digest();
                    return;
                }
                digest.update(chunk.buffer(), 0, chunk.length());
                free.put(chunk.buffer());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A buffer to fill; it belongs to the caller until handed to {@link #update}. */
    byte[] nextBuffer() {
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while hashing", e);
        }
    }

    /**
     * Hands over the first {@code length} bytes of {@code buffer} for hashing. The caller may still
     * read the buffer (to hash or write it) until it asks for the next one; the worker only reads it.
     */
    void update(byte[] buffer, int length) {
        filled.add(new Chunk(buffer, length));
    }

    /** The digest of everything handed over; waits for the worker to finish. */
    byte[] digest() {
        filled.add(new Chunk(END, 0));
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while hashing", e);
        }
        return result;
    }

    @Override
    public void close() {
        worker.interrupt();
    }
}
