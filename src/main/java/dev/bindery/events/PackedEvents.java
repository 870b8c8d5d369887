package dev.bindery.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

/**
 * The bytes of a packed outbox row: consecutive events of one type and one owner, without threshold
 * details (downloads). A row per event cost an insert, two index entries and a share of the commit
 * per download, about a fifth of the server's CPU at 25,000 downloads a second; a packed row costs
 * one of each per batch.
 *
 * <p>Layout: a version byte, the event count, then per event its time (zig-zag delta from the
 * previous one, as a varint) and its subject, repository, package, version, path and address. A text
 * field is a varint: 0 for null, {@code k} for the k-th distinct string of this row seen so far, or
 * one more than the number seen for a new string, whose UTF-8 length and bytes follow. A batch repeats
 * its few repositories, packages and clients, so most fields take one byte.
 *
 * <p>Pure functions; thread-safe.
 */
final class PackedEvents {

    private static final byte VERSION = 1;
    /** The fewest bytes an event takes: its time and six text fields, a byte each at least. */
    private static final int EVENT_MIN_BYTES = 7;

    private PackedEvents() {
    }

    /** Packs {@code events}: one type, one owner, no threshold. */
    static byte[] pack(List<Event> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("Nothing to pack");
        }
        var out = new Output(events.size() * 16 + 64);
        out.bytes[out.size++] = VERSION;
        out.varint(events.size());
        var seen = new HashMap<String, Integer>();
        long previous = 0;
        var first = events.get(0);
        for (var event : events) {
            if (event.type() != first.type() || !Objects.equals(event.owner(), first.owner())
                    || event.threshold() != null) {
                throw new IllegalArgumentException("Only events of one type and owner, without details, pack");
            }
            long time = event.time().toEpochMilli();
            long delta = time - previous;
            out.varint((delta << 1) ^ (delta >> 63));
            previous = time;
            out.text(event.subject(), seen);
            out.text(event.repo(), seen);
            out.text(event.pkg(), seen);
            out.text(event.version(), seen);
            out.text(event.path(), seen);
            out.text(event.ipAddress(), seen);
        }
        return Arrays.copyOf(out.bytes, out.size);
    }

    /**
     * Unpacks a row's events.
     *
     * @throws IllegalArgumentException when the bytes are not a packed row of a known version
     */
    static List<Event> unpack(byte[] bytes, EventType type, String owner) {
        var in = new Input(bytes);
        try {
            if (in.bytes[in.at++] != VERSION) {
                throw new IllegalArgumentException("Unknown packed events version " + bytes[0]);
            }
            int count = Math.toIntExact(in.varint());
            if (count < 0 || count > bytes.length / EVENT_MIN_BYTES) {
                throw new IllegalArgumentException("Packed events claim " + count + " events in " + bytes.length
                        + " bytes");
            }
            var seen = new ArrayList<String>();
            var events = new ArrayList<Event>(count);
            long time = 0;
            for (int i = 0; i < count; i++) {
                long zigzag = in.varint();
                time += (zigzag >>> 1) ^ -(zigzag & 1);
                events.add(new Event(type, Instant.ofEpochMilli(time), in.text(seen), owner, in.text(seen),
                        in.text(seen), in.text(seen), in.text(seen), in.text(seen)));
            }
            if (in.at != bytes.length) {
                throw new IllegalArgumentException("Packed events have " + (bytes.length - in.at) + " bytes too many");
            }
            return events;
        } catch (ArrayIndexOutOfBoundsException | ArithmeticException e) {
            throw new IllegalArgumentException("Truncated packed events", e);
        }
    }

    private static final class Output {
        byte[] bytes;
        int size;

        Output(int capacity) {
            bytes = new byte[capacity];
        }

        void varint(long value) {
            ensure(10);
            while ((value & ~0x7FL) != 0) {
                bytes[size++] = (byte) ((value & 0x7F) | 0x80);
                value >>>= 7;
            }
            bytes[size++] = (byte) value;
        }

        void text(String value, HashMap<String, Integer> seen) {
            if (value == null) {
                varint(0);
                return;
            }
            Integer index = seen.get(value);
            if (index != null) {
                varint(index + 1);
                return;
            }
            int known = seen.size();
            seen.put(value, known);
            varint(known + 1L);
            var utf8 = value.getBytes(StandardCharsets.UTF_8);
            varint(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, bytes, size, utf8.length);
            size += utf8.length;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }
    }

    private static final class Input {
        final byte[] bytes;
        int at;

        Input(byte[] bytes) {
            this.bytes = bytes;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = bytes[at++];
                value |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("Malformed varint in packed events");
        }

        String text(List<String> seen) {
            long code = varint();
            if (code == 0) {
                return null;
            }
            if (code <= seen.size()) {
                return seen.get((int) code - 1);
            }
            if (code != seen.size() + 1L) {
                throw new IllegalArgumentException("Packed events refer to string " + code + " of " + seen.size());
            }
            int length = Math.toIntExact(varint());
            if (length < 0 || length > bytes.length - at) {
                throw new IllegalArgumentException("Truncated packed events");
            }
            var value = new String(bytes, at, length, StandardCharsets.UTF_8);
            at += length;
            seen.add(value);
            return value;
        }
    }
}
