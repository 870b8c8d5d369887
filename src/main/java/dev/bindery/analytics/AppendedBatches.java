package dev.bindery.analytics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The batches the writer appended lately that one follower has yet to take (see {@link Appended}),
 * at most {@code maxEvents} events: past that the oldest are let go, and the follower reads them
 * from the log instead. So memory stays bounded however far a follower falls behind, and nothing is
 * lost, since the log holds everything. The writer offers, the follower takes; thread-safe.
 */
public final class AppendedBatches {

    /** Events of batches [{@code from}, {@code to}) of {@code batch}; {@code next} is where the record after them starts. */
    public record Slice(Appended batch, int from, int to, long next) {
    }

    /**
     * Events a follower keeps at hand by default: about half a second of downloads at the ingest
     * target of 200,000 a second, and several seconds at what one node serves of small files.
     */
    public static final int AT_HAND = 100_000;

    private final int maxEvents;
    private final ArrayDeque<Appended> batches = new ArrayDeque<>();
    private int events;
    private long taken;

    public AppendedBatches(int maxEvents) {
        this.maxEvents = maxEvents;
    }

    /**
     * Keeps a batch for the follower, letting the oldest go when that holds too many events; null
     * (a batch the writer did not hand over) keeps nothing.
     */
    public synchronized void offer(Appended batch) {
        if (batch == null) {
            return;
        }
        batches.addLast(batch);
        events += batch.size();
        while (events > maxEvents) {
            events -= batches.removeFirst().size();
        }
    }

    /**
     * The events whose records start at {@code position} and follow on from there, up to
     * {@code max}, in log order; empty when the event at {@code position} is not at hand (the
     * follower then reads the log). Lets go of every batch that ends at or before {@code position}:
     * the follower has those.
     */
    public synchronized List<Slice> take(long position, int max) {
        while (!batches.isEmpty() && batches.peekFirst().end() <= position) {
            events -= batches.removeFirst().size();
        }
        var slices = new ArrayList<Slice>(2);
        long at = position;
        int count = 0;
        for (var batch : batches) {
            int from = count < max ? batch.indexOf(at) : -1;
            if (from < 0) {
                break;
            }
            int to = (int) Math.min(batch.size(), (long) from + max - count);
            at = batch.next(to - 1);
            slices.add(new Slice(batch, from, to, at));
            count += to - from;
        }
        taken += count;
        return slices;
    }

    /** Events taken from memory so far, rather than read from the log. */
    public synchronized long taken() {
        return taken;
    }
}
