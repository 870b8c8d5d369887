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

    /** What {@link #take} hands each event to: the batch it is in and its index there. */
    public interface Visitor {
        void visit(Appended batch, int index);
    }

    /** Events [{@code from}, {@code to}) of {@code batch}. */
    private record Slice(Appended batch, int from, int to) {
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
     * Hands {@code visitor}, in log order, the events whose records start at {@code position} and
     * follow on from there, up to {@code max}; returns how many (0 when the event at
     * {@code position} is not at hand, and the follower reads the log). Lets go of every batch that
     * ends at or before {@code position}: the follower has those. The visitor runs outside the lock,
     * so the writer never waits for it.
     */
    public int take(long position, int max, Visitor visitor) {
        int count = 0;
        for (var slice : slices(position, max)) {
            for (int i = slice.from(); i < slice.to(); i++) {
                visitor.visit(slice.batch(), i);
            }
            count += slice.to() - slice.from();
        }
        return count;
    }

    private synchronized List<Slice> slices(long position, int max) {
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
            slices.add(new Slice(batch, from, to));
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
