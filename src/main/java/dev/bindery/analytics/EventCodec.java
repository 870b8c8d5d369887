package dev.bindery.analytics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary form of a {@link DownloadEvent} in the segment log: a version byte, then each field
 * in declaration order; strings as a length (-1 for null) and UTF-8 bytes, optional numbers behind
 * a presence byte. Compact and several times faster than JSON, which matters at 200,000 events/s.
 *
 * <p>Encoding goes straight into a reused {@link Output} and decoding reuses the strings it has
 * already made from the same bytes ({@link Strings}): at that rate, a few hundred bytes of garbage
 * per event on each side kept the collector as busy as the pipeline itself.
 */
final class EventCodec {

    private static final byte VERSION = 1;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** The string fields, in the order they are encoded (after time, status and bytes sent). */
    private static final int STRINGS = 18;
    /** Bytes of an optional number: presence byte and value. */
    private static final int OPTIONAL_BYTES = 9;

    private EventCodec() {
    }

    /** A growing byte array that events are encoded into, one after another. Not thread-safe. */
    static final class Output {
        byte[] bytes;
        int size;

        Output(int capacity) {
            bytes = new byte[capacity];
        }

        void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        void putByte(int value) {
            ensure(1);
            bytes[size++] = (byte) value;
        }

        void putInt(int value) {
            ensure(4);
            INT.set(bytes, size, value);
            size += 4;
        }

        void putIntAt(int at, int value) {
            INT.set(bytes, at, value);
        }

        void putLong(long value) {
            ensure(8);
            LONG.set(bytes, size, value);
            size += 8;
        }

        /** Length and UTF-8 bytes; ASCII (nearly every field) is copied without an intermediate array. */
        void putString(String value) {
            if (value == null) {
                putInt(-1);
                return;
            }
            int length = value.length();
            ensure(4 + length);
            int start = size;
            for (int i = 0; i < length; i++) {
                char c = value.charAt(i);
                if (c >= 0x80) {
                    var utf8 = value.getBytes(StandardCharsets.UTF_8);
                    size = start;
                    putInt(utf8.length);
                    ensure(utf8.length);
                    System.arraycopy(utf8, 0, bytes, size, utf8.length);
                    size += utf8.length;
                    return;
                }
                bytes[start + 4 + i] = (byte) c;
            }
            INT.set(bytes, start, length);
            size = start + 4 + length;
        }
    }

    static byte[] encode(DownloadEvent event) {
        var out = new Output(256);
        encode(event, out);
        return Arrays.copyOf(out.bytes, out.size);
    }

    /** Appends the event's encoding to {@code out}. */
    static void encode(DownloadEvent event, Output out) {
        encode(event, null, null, out);
    }

    /**
     * Appends the encoding of the event as enriched with {@code place} and {@code client}, which
     * replace its own enrichment fields; null keeps the event's own. The writer encodes captured
     * events this way instead of making an enriched copy of each.
     */
    static void encode(DownloadEvent event, GeoInfo place, ClientInfo client, Output out) {
        out.putByte(VERSION);
        out.putLong(event.timeMillis());
        out.putInt(event.status());
        out.putLong(event.bytesSent());
        out.putString(event.ip());
        out.putString(event.user());
        out.putString(event.subject());
        out.putString(event.repo());
        out.putString(event.pkg());
        out.putString(event.version());
        out.putString(event.path());
        out.putString(event.method());
        out.putString(event.range());
        out.putString(event.userAgent());
        out.putString(event.referrer());
        if (place == null) {
            out.putString(event.country());
            out.putString(event.region());
            out.putString(event.city());
            out.putString(event.postalCode());
            out.putString(event.organization());
        } else {
            out.putString(place.country());
            out.putString(place.region());
            out.putString(place.city());
            out.putString(place.postalCode());
            out.putString(place.organization());
        }
        out.putString(client == null ? event.os() : client.os());
        out.putString(client == null ? event.client() : client.client());
        putOptional(out, place == null ? event.latitude() : place.latitude());
        putOptional(out, place == null ? event.longitude() : place.longitude());
        putOptional(out, place == null ? event.asn() : place.asn());
    }

    /**
     * Reads one event.
     *
     * @throws IllegalArgumentException when the bytes are not an event of a known version
     */
    static DownloadEvent decode(ByteBuffer buffer) {
        return decode(buffer, null);
    }

    /** Reads one event, taking its strings from {@code strings} when it has them (null: always new ones). */
    static DownloadEvent decode(ByteBuffer buffer, Strings strings) {
        try {
            checkVersion(buffer);
            long time = buffer.getLong();
            int status = buffer.getInt();
            long bytesSent = buffer.getLong();
            var s = new String[STRINGS];
            for (int i = 0; i < s.length; i++) {
                s[i] = string(buffer, strings);
            }
            Long latitude = optional(buffer);
            Long longitude = optional(buffer);
            Long asn = optional(buffer);
            return new DownloadEvent(time, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], status, bytesSent, s[8],
                    s[9], s[10], s[11], s[12], s[13], s[14],
                    latitude == null ? null : Double.longBitsToDouble(latitude),
                    longitude == null ? null : Double.longBitsToDouble(longitude), asn, s[15], s[16], s[17]);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("Truncated event", e);
        }
    }

    /**
     * What the rollups count an event by, read into one reused object: at hundreds of thousands of
     * events a second, a whole {@link DownloadEvent} per event was the largest part of the rollups'
     * garbage. Text fields are null when the event had none; {@code asn} is 0 when unknown.
     */
    static final class RollupFields {
        long timeMillis;
        long bytesSent;
        String subject;
        String repo;
        String pkg;
        String version;
        String country;
        String organization;
        String os;
        String client;
        long asn;
    }

    /**
     * Reads one event's {@link RollupFields} into {@code into}, skipping the rest.
     *
     * @throws IllegalArgumentException when the bytes are not an event of a known version
     */
    static void decodeRollup(ByteBuffer buffer, Strings strings, RollupFields into) {
        try {
            checkVersion(buffer);
            into.timeMillis = buffer.getLong();
            buffer.getInt();
            into.bytesSent = buffer.getLong();
            skipStrings(buffer, 2); // ip, user
            into.subject = string(buffer, strings);
            into.repo = string(buffer, strings);
            into.pkg = string(buffer, strings);
            into.version = string(buffer, strings);
            skipStrings(buffer, 5); // path, method, range, User-Agent, referrer
            into.country = string(buffer, strings);
            skipStrings(buffer, 3); // region, city, postal code
            into.organization = string(buffer, strings);
            into.os = string(buffer, strings);
            into.client = string(buffer, strings);
            buffer.position(buffer.position() + 2 * OPTIONAL_BYTES); // latitude, longitude
            boolean asnPresent = buffer.get() == 1;
            long asn = buffer.getLong();
            into.asn = asnPresent ? asn : 0;
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("Truncated event", e);
        }
    }

    /**
     * Sets {@code into} to what {@link #decodeRollup} reads back from the encoding of
     * {@code event} as enriched with {@code place} and {@code client} (null keeps the event's own
     * fields, as {@link #encode(DownloadEvent, GeoInfo, ClientInfo, Output)} does): the rollups of a
     * batch still at hand, without encoding and decoding it.
     */
    static void rollupFields(DownloadEvent event, GeoInfo place, ClientInfo client, RollupFields into) {
        into.timeMillis = event.timeMillis();
        into.bytesSent = event.bytesSent();
        into.subject = event.subject();
        into.repo = event.repo();
        into.pkg = event.pkg();
        into.version = event.version();
        into.country = place == null ? event.country() : place.country();
        into.organization = place == null ? event.organization() : place.organization();
        into.os = client == null ? event.os() : client.os();
        into.client = client == null ? event.client() : client.client();
        Long asn = place == null ? event.asn() : place.asn();
        into.asn = asn == null ? 0 : asn;
    }

    /**
     * Reads the fields of a {@link SegmentLog.Brief} from the start of an event, leaving the rest unread.
     *
     * @throws IllegalArgumentException when the bytes are not an event of a known version
     */
    static SegmentLog.Brief decodeBrief(long offset, long next, ByteBuffer buffer, Strings strings) {
        try {
            checkVersion(buffer);
            long time = buffer.getLong();
            buffer.getInt(); // status
            buffer.getLong(); // bytes sent
            return new SegmentLog.Brief(offset, next, time, string(buffer, strings), string(buffer, strings),
                    string(buffer, strings), string(buffer, strings), string(buffer, strings),
                    string(buffer, strings), string(buffer, strings));
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("Truncated event", e);
        }
    }

    /**
     * Where an event goes among the daily log files: its time and package, read into one reused
     * object. {@code pkg} is null for a download outside any package (a repository's index files).
     */
    static final class PackageFields {
        long timeMillis;
        String subject;
        String repo;
        String pkg;
    }

    /**
     * Reads one event's {@link PackageFields} into {@code into}, leaving the rest unread.
     *
     * @throws IllegalArgumentException when the bytes are not an event of a known version
     */
    static void decodePackage(ByteBuffer buffer, Strings strings, PackageFields into) {
        try {
            checkVersion(buffer);
            into.timeMillis = buffer.getLong();
            buffer.position(buffer.position() + 4 + 8); // status, bytes sent
            skipStrings(buffer, 2); // ip, user
            into.subject = string(buffer, strings);
            into.repo = string(buffer, strings);
            into.pkg = string(buffer, strings);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("Truncated event", e);
        }
    }

    private static void checkVersion(ByteBuffer buffer) {
        byte version = buffer.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("Unknown event version " + version);
        }
    }

    private static void skipStrings(ByteBuffer buffer, int count) {
        for (int i = 0; i < count; i++) {
            int length = buffer.getInt();
            if (length > 0) {
                buffer.position(buffer.position() + length);
            }
        }
    }

    private static String string(ByteBuffer buffer, Strings strings) {
        int length = buffer.getInt();
        if (length < 0) {
            return null;
        }
        if (strings != null && buffer.hasArray()) {
            int at = buffer.position();
            buffer.position(at + length);
            return strings.get(buffer.array(), buffer.arrayOffset() + at, length);
        }
        var bytes = new byte[length];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * The strings one reader has decoded lately, by their bytes: a download log repeats the same
     * subjects, packages, versions, countries, clients and agents over and over, so most fields come
     * back as a string made before. A small direct-mapped table; a collision just makes a new string.
     * Not thread-safe: one per reading thread or read.
     */
    static final class Strings {
        private static final int SLOTS = 4096;
        /** Longer values (User-Agents, paths) cost more to hash and compare than to copy. */
        private static final int MAX_LENGTH = 64;
        private final byte[][] keys = new byte[SLOTS][];
        private final String[] values = new String[SLOTS];

        String get(byte[] source, int offset, int length) {
            if (length > MAX_LENGTH) {
                return new String(source, offset, length, StandardCharsets.UTF_8);
            }
            int hash = length;
            for (int i = offset; i < offset + length; i++) {
                hash = 31 * hash + source[i];
            }
            int slot = (hash ^ (hash >>> 12)) & (SLOTS - 1);
            var key = keys[slot];
            if (key != null && Arrays.equals(key, 0, key.length, source, offset, offset + length)) {
                return values[slot];
            }
            var value = new String(source, offset, length, StandardCharsets.UTF_8);
            keys[slot] = Arrays.copyOfRange(source, offset, offset + length);
            values[slot] = value;
            return value;
        }
    }

    /** An optional number: a presence byte, then the value (0 when absent); {@value #OPTIONAL_BYTES} bytes. */
    private static void putOptional(Output out, boolean present, long value) {
        out.putByte(present ? 1 : 0);
        out.putLong(present ? value : 0);
    }

    private static void putOptional(Output out, Long value) {
        putOptional(out, value != null, value == null ? 0 : value);
    }

    private static void putOptional(Output out, Double value) {
        putOptional(out, value != null, value == null ? 0 : Double.doubleToRawLongBits(value));
    }

    private static Long optional(ByteBuffer buffer) {
        boolean present = buffer.get() == 1;
        long value = buffer.getLong();
        return present ? value : null;
    }
}
