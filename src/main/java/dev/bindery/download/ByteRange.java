package dev.bindery.download;

import java.util.Optional;

/**
 * One satisfiable byte range of a file of known size, from a {@code Range} header. Only single
 * ranges are served; a multi-range request gets the whole file (RFC 9110 lets a server ignore
 * Range).
 *
 * @param start first byte, inclusive
 * @param end   last byte, inclusive
 */
public record ByteRange(long start, long end) {

    /** Thrown when the header is well-formed but no byte of it lies in the file: answer 416. */
    public static final class UnsatisfiableException extends Exception {
        public UnsatisfiableException() {
            super(null, null, false, false);
        }
    }

    public long length() {
        return end - start + 1;
    }

    /**
     * Parses {@code header} against a file of {@code size} bytes.
     *
     * @return the range, or empty when the header is absent, malformed, not in bytes, or has several
     *         ranges (serve the whole file)
     */
    public static Optional<ByteRange> parse(String header, long size) throws UnsatisfiableException {
        if (header == null) {
            return Optional.empty();
        }
        var value = header.trim();
        if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
            return Optional.empty();
        }
        var spec = value.substring(6).trim();
        if (spec.contains(",")) {
            return Optional.empty();
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return Optional.empty();
        }
        var first = spec.substring(0, dash).trim();
        var last = spec.substring(dash + 1).trim();
        try {
            if (first.isEmpty()) {
                if (last.isEmpty()) {
                    return Optional.empty();
                }
                long suffix = Long.parseLong(last);
                if (suffix <= 0 || size == 0) {
                    throw new UnsatisfiableException();
                }
                return Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
            }
            long start = Long.parseLong(first);
            long end = last.isEmpty() ? Long.MAX_VALUE : Long.parseLong(last);
            if (start < 0 || end < start) {
                return Optional.empty();
            }
            if (start >= size) {
                throw new UnsatisfiableException();
            }
            return Optional.of(new ByteRange(start, Math.min(end, size - 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
