package dev.bindery.analytics;

import java.nio.charset.StandardCharsets;

/**
 * The strings the analytics writer met lately, each with its UTF-8 bytes: a direct-mapped table,
 * where a string takes the slot of its hash and pushes out whatever was there. Nearly every field of
 * a download repeats one a download before it had (the file, the user, the client's address and
 * agent), so the writer copies the bytes it encoded last time instead of encoding every character
 * again, and what the followers keep of a batch points at one instance of each string instead of
 * one per download, which is all the collector has to copy while they keep it. Strings longer than
 * {@value #MAX_CHARS} characters are not kept. Not thread-safe: the writer's alone.
 */
final class StringTable {

    /** A string and its UTF-8 bytes. */
    record Entry(String value, byte[] utf8) {
    }

    static final int MAX_CHARS = 512;
    private final Entry[] entries;
    private final int mask;

    /** @param slots a power of two */
    StringTable(int slots) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("Slots must be a power of two: " + slots);
        }
        this.entries = new Entry[slots];
        this.mask = slots - 1;
    }

    /** The entry of a string equal to {@code value}, kept from before or made now; null for a long string. */
    Entry entry(String value) {
        if (value.length() > MAX_CHARS) {
            return null;
        }
        int hash = value.hashCode();
        int slot = (hash ^ (hash >>> 16)) & mask;
        var entry = entries[slot];
        if (entry != null && (entry.value == value || entry.value.equals(value))) {
            return entry;
        }
        entry = new Entry(value, value.getBytes(StandardCharsets.UTF_8));
        entries[slot] = entry;
        return entry;
    }

    /** The instance of {@code value} this table keeps, or {@code value} itself (also for null). */
    String canonical(String value) {
        if (value == null) {
            return null;
        }
        var entry = entry(value);
        return entry == null ? value : entry.value;
    }
}
