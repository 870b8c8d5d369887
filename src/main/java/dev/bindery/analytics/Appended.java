package dev.bindery.analytics;

import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A batch of download events as the writer appended it to the log: the captured events, what
 * enrichment found for each, and where each one's record starts. A follower that keeps up takes
 * its events from here ({@link AppendedBatches}) instead of reading back and decoding what was
 * just written, which was about a third of each follower's work; the log stays the source of
 * truth, read whenever a batch is not at hand: after a restart, in a rebuild, or when a follower
 * fell behind. Never changed once made.
 */
public final class Appended {

    private final long[] times;
    private final long[] bytesSent;
    private final String[] ips;
    private final String[] users;
    private final String[] subjects;
    private final String[] repos;
    private final String[] pkgs;
    private final String[] versions;
    private final String[] paths;
    private final GeoInfo[] places;
    private final ClientInfo[] clients;
    private final long[] offsets;
    private final long end;

    /**
     * Keeps what the followers use of each event, a column per field rather than the event
     * objects: a batch stays until every follower took it, about a second, and the collector copies
     * whatever lives that long, so it should be a few arrays of shared strings, not several objects
     * per download (the agent and referrer no follower needs, the address of each download).
     *
     * @param offsets where each event's record starts, ascending; every event is in the log
     * @param end     where the record after the batch starts
     * @param strings the instance to keep of each string (the writer's {@link SegmentLog#canonical})
     */
    Appended(List<DownloadEvent> events, GeoInfo[] places, ClientInfo[] clients, long[] offsets, long end,
             UnaryOperator<String> strings) {
        int size = events.size();
        if (size != places.length || size != clients.length || size != offsets.length || size == 0
                || offsets[offsets.length - 1] >= end) {
            throw new IllegalArgumentException("An appended batch needs an enrichment and an offset per event");
        }
        times = new long[size];
        bytesSent = new long[size];
        ips = new String[size];
        users = new String[size];
        subjects = new String[size];
        repos = new String[size];
        pkgs = new String[size];
        versions = new String[size];
        paths = new String[size];
        for (int i = 0; i < size; i++) {
            if (places[i] == null || clients[i] == null) {
                throw new IllegalArgumentException("Event " + i + " of an appended batch has no enrichment");
            }
            var event = events.get(i);
            times[i] = event.timeMillis();
            bytesSent[i] = event.bytesSent();
            ips[i] = strings.apply(event.ip());
            users[i] = strings.apply(event.user());
            subjects[i] = strings.apply(event.subject());
            repos[i] = strings.apply(event.repo());
            pkgs[i] = strings.apply(event.pkg());
            versions[i] = strings.apply(event.version());
            paths[i] = strings.apply(event.path());
        }
        this.places = places;
        this.clients = clients;
        this.offsets = offsets;
        this.end = end;
    }

    public int size() {
        return offsets.length;
    }

    public long timeMillis(int index) {
        return times[index];
    }

    public String ip(int index) {
        return ips[index];
    }

    public String user(int index) {
        return users[index];
    }

    public String subject(int index) {
        return subjects[index];
    }

    public String repo(int index) {
        return repos[index];
    }

    public String pkg(int index) {
        return pkgs[index];
    }

    public String version(int index) {
        return versions[index];
    }

    public String path(int index) {
        return paths[index];
    }

    /** What the rollups count event {@code index} by: what {@link EventCodec#decodeRollup} reads of its record. */
    void rollupFields(int index, EventCodec.RollupFields into) {
        var place = places[index];
        var client = clients[index];
        into.timeMillis = times[index];
        into.bytesSent = bytesSent[index];
        into.subject = subjects[index];
        into.repo = repos[index];
        into.pkg = pkgs[index];
        into.version = versions[index];
        into.country = place.country();
        into.organization = place.organization();
        into.os = client.os();
        into.client = client.client();
        Long asn = place.asn();
        into.asn = asn == null ? 0 : asn;
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
