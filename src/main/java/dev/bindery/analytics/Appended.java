package dev.bindery.analytics;

import java.util.Arrays;
import java.util.List;

/**
 * A batch of download events as the writer appended it to the log: the captured events, what
 * enrichment found for each, and where each one's record starts. A follower that keeps up takes
 * its events from here ({@link AppendedBatches}) instead of reading back and decoding what was
 * just written, which was about a third of each follower's work; the log stays the source of
 * truth, read whenever a batch is not at hand: after a restart, in a rebuild, or when a follower
 * fell behind. Never changed once made.
 */
public final class Appended {

    private final List<DownloadEvent> events;
    private final GeoInfo[] places;
    private final ClientInfo[] clients;
    private final long[] offsets;
    private final long end;

    /**
     * @param offsets where each event's record starts, ascending; every event is in the log
     * @param end     where the record after the batch starts
     */
    Appended(List<DownloadEvent> events, GeoInfo[] places, ClientInfo[] clients, long[] offsets, long end) {
        if (events.size() != places.length || events.size() != clients.length || events.size() != offsets.length
                || events.isEmpty() || offsets[offsets.length - 1] >= end) {
            throw new IllegalArgumentException("An appended batch needs an enrichment and an offset per event");
        }
        this.events = events;
        this.places = places;
        this.clients = clients;
        this.offsets = offsets;
        this.end = end;
    }

    public int size() {
        return offsets.length;
    }

    /** The event as captured; its enrichment is {@link #place} and {@link #client}. */
    public DownloadEvent event(int index) {
        return events.get(index);
    }

    public GeoInfo place(int index) {
        return places[index];
    }

    public ClientInfo client(int index) {
        return clients[index];
    }

    /** Where the event's record starts in the log. */
    public long offset(int index) {
        return offsets[index];
    }

    /** Where the record after the event's starts. */
    public long next(int index) {
        return index + 1 < offsets.length ? offsets[index + 1] : end;
    }

    /** Where the first event's record starts. */
    public long start() {
        return offsets[0];
    }

    /** Where the record after the batch starts. */
    public long end() {
        return end;
    }

    /** The index of the event whose record starts at {@code offset}, or -1 if none does. */
    int indexOf(long offset) {
        int index = Arrays.binarySearch(offsets, offset);
        return index >= 0 ? index : -1;
    }
}
