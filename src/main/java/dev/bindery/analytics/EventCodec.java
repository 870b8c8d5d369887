package dev.bindery.analytics;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The binary form of a {@link DownloadEvent} in the segment log: a version byte, then each field
 * in declaration order; strings as a length (-1 for null) and UTF-8 bytes, optional numbers behind
 * a presence byte. Compact and several times faster than JSON, which matters at 200,000 events/s.
 */
final class EventCodec {

    private static final byte VERSION = 1;

    private EventCodec() {
    }

    static byte[] encode(DownloadEvent event) {
        var strings = new byte[][] {
                utf8(event.ip()), utf8(event.user()), utf8(event.subject()), utf8(event.repo()), utf8(event.pkg()),
                utf8(event.version()), utf8(event.path()), utf8(event.method()), utf8(event.range()),
                utf8(event.userAgent()), utf8(event.referrer()), utf8(event.country()), utf8(event.region()),
                utf8(event.city()), utf8(event.postalCode()), utf8(event.organization()), utf8(event.os()),
                utf8(event.client())};
        int size = 1 + 8 + 4 + 8 + 3 * 9;
        for (var bytes : strings) {
            size += 4 + (bytes == null ? 0 : bytes.length);
        }
        var buffer = ByteBuffer.allocate(size);
        buffer.put(VERSION).putLong(event.timeMillis()).putInt(event.status()).putLong(event.bytesSent());
        for (var bytes : strings) {
            if (bytes == null) {
                buffer.putInt(-1);
            } else {
                buffer.putInt(bytes.length).put(bytes);
            }
        }
        putOptional(buffer, event.latitude() == null ? null : Double.doubleToRawLongBits(event.latitude()));
        putOptional(buffer, event.longitude() == null ? null : Double.doubleToRawLongBits(event.longitude()));
        putOptional(buffer, event.asn());
        return java.util.Arrays.copyOf(buffer.array(), buffer.position());
    }

    /**
     * Reads one event.
     *
     * @throws IllegalArgumentException when the bytes are not an event of a known version
     */
    static DownloadEvent decode(ByteBuffer buffer) {
        try {
            byte version = buffer.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("Unknown event version " + version);
            }
            long time = buffer.getLong();
            int status = buffer.getInt();
            long bytesSent = buffer.getLong();
            var s = new String[18];
            for (int i = 0; i < s.length; i++) {
                s[i] = string(buffer);
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

    private static byte[] utf8(String value) {
        return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0) {
            return null;
        }
        var bytes = new byte[length];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void putOptional(ByteBuffer buffer, Long value) {
        if (value == null) {
            buffer.put((byte) 0).putLong(0);
        } else {
            buffer.put((byte) 1).putLong(value);
        }
    }

    private static Long optional(ByteBuffer buffer) {
        boolean present = buffer.get() == 1;
        long value = buffer.getLong();
        return present ? value : null;
    }
}
