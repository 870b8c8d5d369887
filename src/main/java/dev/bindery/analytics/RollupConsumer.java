package dev.bindery.analytics;

import dev.bindery.analytics.AnalyticsStore.Count;
import dev.bindery.analytics.AnalyticsStore.Key;
import dev.bindery.analytics.AnalyticsStore.Rollup;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the download log from its checkpoint and adds every event to the rollups: minute, day
 * and month buckets of downloads per version, per country and OS, per network (ASN) and per
 * client. Each batch is aggregated in memory and written with its checkpoint in one transaction,
 * so a crash anywhere replays at most the uncommitted batch and never counts an event twice.
 * Minute buckets older than 48 hours are pruned as it goes.
 */
public final class RollupConsumer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RollupConsumer.class);
    private static final int BATCH = 20_000;
    private static final int MAX_EVENTS = 2_000_000;
    /** Distinct counters one step aggregates at most: bounds its memory whatever the events hold. */
    private static final int MAX_COUNTERS = 200_000;
    /** Distinct kinds of event ({@link Alike}) gathered before they are spread over the counters. */
    private static final int MAX_ALIKE = 50_000;
    private static final long MINUTES_KEPT = 48 * 60 * 60 * 1000L;
    private static final long PRUNE_EVERY = 10 * 60 * 1000L;

    private final SegmentLog log;
    private final AnalyticsStore store;
    private final String name;
    private final Clock clock;
    private final FollowerThread follower;
    private volatile long position;
    private long lastPrune;

    /** @param name this follower's checkpoint name; unique per node, since each node has its own log */
    public RollupConsumer(SegmentLog log, AnalyticsStore store, String name, Clock clock) {
        this.log = log;
        this.store = store;
        this.name = name;
        this.clock = clock;
        this.position = store.checkpoint(name).orElse(0L);
        this.follower = new FollowerThread("analytics-rollup", this::step, () -> position);
    }

    /** Starts following the log on a thread of its own. */
    public RollupConsumer start() {
        follower.start();
        return this;
    }

    /**
     * Forgets every rollup and checkpoint and rolls the whole log up again, on the calling thread.
     * For {@code bindery analytics rebuild}, with the server stopped.
     *
     * @return the number of events rolled up
     */
    public static long rebuild(SegmentLog log, AnalyticsStore store, String name, Clock clock) throws IOException {
        store.clear();
        var consumer = new RollupConsumer(log, store, name, clock);
        long events = 0;
        int batch;
        while ((batch = consumer.step()) > 0) {
            events += batch;
        }
        return events;
    }

    /** Wakes the follower: the log has grown. Cheap; called by the writer after each append. */
    public void signal() {
        follower.signal();
    }

    /** The log offset up to which events are in the rollups. */
    public long position() {
        return position;
    }

    /** Waits until the rollups hold everything appended to the log so far; for tests and rebuilds. */
    public boolean awaitCaughtUp(long timeoutMillis) throws InterruptedException {
        return follower.awaitCaughtUp(log::end, timeoutMillis);
    }

    /**
     * Rolls up what the log holds beyond the checkpoint, at most {@value #MAX_EVENTS} events (fewer
     * once {@value #MAX_COUNTERS} distinct counters are reached): read in
     * batches and aggregated in memory, so that one transaction adds each counter once however many
     * events it counts. Returns how many events it rolled up (0: nothing new).
     */
    int step() throws IOException {
        prune();
        var counts = new HashMap<Key, Count>();
        // Events alike in every dimension are counted together first: one map lookup per event
        // instead of one per counter it adds to.
        var alike = new HashMap<Alike, Count>();
        long next = position;
        int events = 0;
        while (events < MAX_EVENTS && counts.size() < MAX_COUNTERS) {
            // Only what the rollups count by: no addresses, agents or paths decoded for nothing.
            var entries = log.read(next, BATCH, EventCodec.Fields.ROLLUP);
            if (entries.isEmpty()) {
                break;
            }
            for (var entry : entries) {
                var event = entry.event();
                if (event.pkg() != null && event.version() != null) {
                    var count = alike.computeIfAbsent(Alike.of(event), key -> new Count());
                    count.downloads++;
                    count.bytes += event.bytesSent();
                }
            }
            if (alike.size() >= MAX_ALIKE) {
                addAll(counts, alike);
            }
            events += entries.size();
            next = entries.get(entries.size() - 1).next();
        }
        addAll(counts, alike);
        if (events == 0) {
            return 0;
        }
        long checkpoint = next;
        long started = System.nanoTime();
        store.jdbi().useTransaction(handle -> store.add(handle, counts, name, checkpoint));
        LOG.debug("Rolled up {} events into {} counters in {} ms", events, counts.size(),
                (System.nanoTime() - started) / 1_000_000);
        position = checkpoint;
        return events;
    }

    private void prune() {
        long now = clock.millis();
        if (now - lastPrune >= PRUNE_EVERY) {
            store.pruneMinutes(Buckets.minute(now - MINUTES_KEPT));
            lastPrune = now;
        }
    }

    /** What an event adds to the rollups besides its bytes: its minute and every dimension counted. */
    record Alike(long minute, String subject, String repo, String pkg, String version, String country, String os,
                 long asn, String organization, String client) {

        static Alike of(DownloadEvent event) {
            return new Alike(Buckets.minute(event.timeMillis()), event.subject(), event.repo(), event.pkg(),
                    event.version(), known(event.country()), known(event.os()), event.asn() == null ? 0L : event.asn(),
                    known(event.organization()), known(event.client()));
        }

        /** Mixed, not the record's sum of hashes times 31, which collides for names a character apart. */
        @Override
        public int hashCode() {
            // Spelled out: a loop over an array of the components allocated one per lookup.
            long hash = mix(minute);
            hash = mix(hash ^ Objects.hashCode(subject));
            hash = mix(hash ^ Objects.hashCode(repo));
            hash = mix(hash ^ Objects.hashCode(pkg));
            hash = mix(hash ^ Objects.hashCode(version));
            hash = mix(hash ^ Objects.hashCode(country));
            hash = mix(hash ^ Objects.hashCode(os));
            hash = mix(hash ^ Objects.hashCode(organization));
            hash = mix(hash ^ Objects.hashCode(client));
            hash = mix(hash ^ asn);
            return (int) (hash ^ (hash >>> 32));
        }

        private static long mix(long value) {
            long z = (value + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
            return z ^ (z >>> 31);
        }
    }

    /** Adds the gathered events to the counters and forgets them. */
    private static void addAll(Map<Key, Count> counts, Map<Alike, Count> alike) {
        for (var entry : alike.entrySet()) {
            add(counts, entry.getKey(), entry.getValue());
        }
        alike.clear();
    }

    private static void add(Map<Key, Count> counts, Alike event, Count events) {
        long time = event.minute();
        char[] resolutions = {Buckets.MINUTES, Buckets.DAYS, Buckets.MONTHS};
        long[] buckets = {time, Buckets.day(time), Buckets.month(time)};
        var countryOs = List.<Object>of(event.country(), event.os());
        var org = List.<Object>of(event.asn(), event.organization());
        var client = List.<Object>of(event.client());
        for (int i = 0; i < resolutions.length; i++) {
            count(counts, event, Rollup.VERSION, resolutions[i], buckets[i], List.of(), events, events.bytes);
            count(counts, event, Rollup.COUNTRY_OS, resolutions[i], buckets[i], countryOs, events, 0);
            // Networks and clients are many and asked for over days, not minutes: no minute buckets.
            if (resolutions[i] != Buckets.MINUTES) {
                count(counts, event, Rollup.ORG, resolutions[i], buckets[i], org, events, 0);
                count(counts, event, Rollup.CLIENT, resolutions[i], buckets[i], client, events, 0);
            }
        }
    }

    private static void count(Map<Key, Count> counts, Alike event, Rollup rollup, char res, long bucket,
                              List<Object> dimensions, Count events, long bytes) {
        var count = counts.computeIfAbsent(new Key(rollup, res, bucket, event.subject(), event.repo(), event.pkg(),
                event.version(), dimensions), key -> new Count());
        count.downloads += events.downloads;
        count.bytes += bytes;
    }

    private static String known(String value) {
        return value == null || value.isBlank() ? "unknown" : value;
    }

    @Override
    public void close() {
        follower.close();
    }
}
