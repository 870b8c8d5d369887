package dev.bindery.analytics;

import dev.bindery.analytics.AnalyticsStore.Count;
import dev.bindery.analytics.AnalyticsStore.Key;
import dev.bindery.analytics.AnalyticsStore.Rollup;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntUnaryOperator;

/**
 * What one rollup step counts, gathered without an object per event.
 *
 * <p>At 200,000 events/s the per-event work is what matters: an event used to make an aggregation
 * key of ten fields and then ten counter keys, each a record with a list of dimensions, and most
 * of them were new (a version, country, OS and client together rarely repeat within a step). Here
 * an event's values become small dense ids ({@link Ids}: the package version, each rollup's
 * dimensions, the minute), its counters are numbers packed from those ids, and counting is an
 * increment in a primitive table ({@link Counters}). Only the counters themselves become objects,
 * once per step, in {@link #counters}: days and months are added up there from the minutes.
 *
 * <p>Not thread-safe; one per step.
 */
final class RollupCounts {

    /**
     * Bits of each id in a packed counter: minute, package version, dimensions. Ids are given out
     * one per new value, so a step of fewer than 2^21 events can never run out of them.
     */
    private static final int ID_BITS = 21;
    static final int MAX_EVENTS = 1 << ID_BITS;
    private static final long ID_MASK = (1L << ID_BITS) - 1;
    private static final Rollup[] ROLLUPS = Rollup.values();

    private final Ids versions = new Ids();
    private final Ids[] dimensions = new Ids[ROLLUPS.length];
    private final Counters[] minutes = new Counters[ROLLUPS.length];
    private final Ids minuteIds = new Ids();
    private long lastMinute = Long.MIN_VALUE;
    private int lastMinuteId;
    private int events;

    RollupCounts() {
        for (int i = 0; i < ROLLUPS.length; i++) {
            dimensions[i] = new Ids();
            minutes[i] = new Counters();
        }
    }

    /** Events counted so far (those without a package or version are skipped, not counted). */
    int events() {
        return events;
    }

    /** Distinct per-minute counters so far; {@link #counters} makes at most three counters of each. */
    int minuteCounters() {
        int total = 0;
        for (var counters : minutes) {
            total += counters.size;
        }
        return total;
    }

    /** Counts one event; events without a package and version count nowhere. */
    void add(EventCodec.RollupFields event) {
        if (events >= MAX_EVENTS - 1) {
            throw new IllegalStateException("A rollup step counts fewer than " + MAX_EVENTS + " events");
        }
        if (event.pkg == null || event.version == null) {
            return;
        }
        events++;
        long minute = Buckets.minute(event.timeMillis);
        if (minute != lastMinute) {
            // Events come in time order, so this is nearly always the minute of the one before.
            lastMinuteId = minuteIds.id(minute, null, null, null, null);
            lastMinute = minute;
        }
        long versionAndMinute = (long) lastMinuteId << (2 * ID_BITS)
                | (long) versions.id(0, event.subject, event.repo, event.pkg, event.version) << ID_BITS;
        minutes[Rollup.VERSION.ordinal()].add(versionAndMinute, event.bytesSent);
        count(Rollup.COUNTRY_OS, versionAndMinute, 0, known(event.country), known(event.os));
        count(Rollup.ORG, versionAndMinute, event.asn, known(event.organization), null);
        count(Rollup.CLIENT, versionAndMinute, 0, known(event.client), null);
    }

    private void count(Rollup rollup, long versionAndMinute, long number, String first, String second) {
        int dimension = dimensions[rollup.ordinal()].id(number, first, second, null, null);
        minutes[rollup.ordinal()].add(versionAndMinute | dimension, 0);
    }

    /**
     * Every counter this step adds to: minutes (for the rollups that keep them), days and months.
     * Bytes are kept by the version rollup only.
     */
    Map<Key, Count> counters() {
        var counts = new HashMap<Key, Count>();
        var days = new long[minuteIds.size];
        var months = new long[minuteIds.size];
        for (int id = 0; id < minuteIds.size; id++) {
            long minute = minuteIds.number(id);
            days[id] = Buckets.day(minute);
            months[id] = Buckets.month(minute);
        }
        for (var rollup : ROLLUPS) {
            var gathered = minutes[rollup.ordinal()];
            // The version rollup has no dimensions: all its counters have dimension id 0.
            var dimensionLists = new List<?>[Math.max(1, dimensions[rollup.ordinal()].size)];
            for (int i = 0; i < gathered.size; i++) {
                long packed = gathered.keys[i];
                int minuteId = (int) (packed >>> (2 * ID_BITS));
                int version = (int) (packed >>> ID_BITS & ID_MASK);
                int dimension = (int) (packed & ID_MASK);
                var values = dimensionLists[dimension];
                if (values == null) {
                    values = dimensionValues(rollup, dimension);
                    dimensionLists[dimension] = values;
                }
                long downloads = gathered.downloads[i];
                long bytes = gathered.bytes[i];
                // Networks and clients are many and asked for over days, not minutes: no minute buckets.
                if (rollup == Rollup.VERSION || rollup == Rollup.COUNTRY_OS) {
                    add(counts, rollup, Buckets.MINUTES, minuteIds.number(minuteId), version, values,
                            downloads, bytes);
                }
                add(counts, rollup, Buckets.DAYS, days[minuteId], version, values, downloads, bytes);
                add(counts, rollup, Buckets.MONTHS, months[minuteId], version, values, downloads, bytes);
            }
        }
        return counts;
    }

    private List<Object> dimensionValues(Rollup rollup, int id) {
        var ids = dimensions[rollup.ordinal()];
        return switch (rollup) {
            case VERSION -> List.of();
            case COUNTRY_OS -> List.of(ids.value(id, 0), ids.value(id, 1));
            case ORG -> List.of(ids.number(id), ids.value(id, 0));
            case CLIENT -> List.of(ids.value(id, 0));
        };
    }

    @SuppressWarnings("unchecked")
    private void add(Map<Key, Count> counts, Rollup rollup, char res, long bucket, int version, List<?> values,
                     long downloads, long bytes) {
        var key = new Key(rollup, res, bucket, (String) versions.value(version, 0), (String) versions.value(version, 1),
                (String) versions.value(version, 2), (String) versions.value(version, 3), (List<Object>) values);
        var count = counts.computeIfAbsent(key, k -> new Count());
        count.downloads += downloads;
        count.bytes += bytes;
    }

    private static String known(String value) {
        return value == null || value.isBlank() ? "unknown" : value;
    }

    private static int mix(long value) {
        long z = (value + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        z ^= z >>> 31;
        return (int) (z ^ (z >>> 32));
    }

    /**
     * The slots of an open-addressing table ({@code length}, a power of two) for entries 0 to
     * {@code size - 1}: per slot, the entry + 1 whose hash leads there first, or 0 when empty.
     */
    private static int[] slots(int length, int size, IntUnaryOperator hashOf) {
        var slots = new int[length];
        int mask = length - 1;
        for (int entry = 0; entry < size; entry++) {
            int slot = hashOf.applyAsInt(entry) & mask;
            while (slots[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = entry + 1;
        }
        return slots;
    }

    /**
     * Dense ids (0, 1, 2...) for tuples of a number and up to four values, compared by {@code equals};
     * a lookup of a known tuple allocates nothing. Open addressing over the values' own hash codes,
     * which strings cache. Unused places of a tuple are 0 or null.
     */
    static final class Ids {
        private long[] numbers = new long[64];
        private Object[] values = new Object[4 * 64];
        private int[] hashes = new int[64];
        /** Per slot: id + 1, or 0 when empty. Kept at most half full. */
        private int[] slots = new int[128];
        int size;

        int id(long number, Object a, Object b, Object c, Object d) {
            int hash = mix(mix(mix(mix(mix(number) ^ Objects.hashCode(a)) ^ Objects.hashCode(b))
                    ^ Objects.hashCode(c)) ^ Objects.hashCode(d));
            int mask = slots.length - 1;
            for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
                int entry = slots[slot] - 1;
                if (entry < 0) {
                    return insert(slot, hash, number, a, b, c, d);
                }
                int at = 4 * entry;
                if (hashes[entry] == hash && numbers[entry] == number && Objects.equals(values[at], a)
                        && Objects.equals(values[at + 1], b) && Objects.equals(values[at + 2], c)
                        && Objects.equals(values[at + 3], d)) {
                    return entry;
                }
            }
        }

        /** The number of the tuple with this id. */
        long number(int id) {
            return numbers[id];
        }

        /** Value {@code place} (0 to 3) of the tuple with this id. */
        Object value(int id, int place) {
            return values[4 * id + place];
        }

        private int insert(int slot, int hash, long number, Object a, Object b, Object c, Object d) {
            int id = size++;
            if (id == hashes.length) {
                hashes = Arrays.copyOf(hashes, 2 * id);
                numbers = Arrays.copyOf(numbers, 2 * id);
                values = Arrays.copyOf(values, 8 * id);
            }
            hashes[id] = hash;
            numbers[id] = number;
            values[4 * id] = a;
            values[4 * id + 1] = b;
            values[4 * id + 2] = c;
            values[4 * id + 3] = d;
            slots[slot] = id + 1;
            if (2 * size > slots.length) {
                slots = slots(2 * slots.length, size, entry -> hashes[entry]);
            }
            return id;
        }
    }

    /** Downloads and bytes by packed counter, in a primitive open-addressing table. */
    static final class Counters {
        private long[] keys = new long[64];
        private long[] downloads = new long[64];
        private long[] bytes = new long[64];
        /** Per slot: index + 1, or 0 when empty. Kept at most half full. */
        private int[] slots = new int[128];
        int size;

        void add(long key, long sent) {
            int mask = slots.length - 1;
            for (int slot = mix(key) & mask; ; slot = (slot + 1) & mask) {
                int entry = slots[slot] - 1;
                if (entry < 0) {
                    entry = insert(slot, key);
                } else if (keys[entry] != key) {
                    continue;
                }
                downloads[entry]++;
                bytes[entry] += sent;
                return;
            }
        }

        private int insert(int slot, long key) {
            int entry = size++;
            if (entry == keys.length) {
                keys = Arrays.copyOf(keys, 2 * entry);
                downloads = Arrays.copyOf(downloads, 2 * entry);
                bytes = Arrays.copyOf(bytes, 2 * entry);
            }
            keys[entry] = key;
            slots[slot] = entry + 1;
            if (2 * size > slots.length) {
                slots = slots(2 * slots.length, size, i -> mix(keys[i]));
            }
            return entry;
        }
    }
}
