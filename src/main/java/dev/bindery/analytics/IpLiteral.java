package dev.bindery.analytics;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses IP address literals without ever resolving a name: {@code InetAddress.getByName} would
 * send anything that is not a literal to DNS, which an ingest pipeline must never do.
 */
final class IpLiteral {

    /** Longest literal worth parsing: a full IPv6 address with an IPv4 tail, in brackets. */
    static final int MAX_LENGTH = 47;

    private IpLiteral() {
    }

    /**
     * The address {@code text} spells, or null if it is not a plain IPv4 dotted quad or IPv6 literal.
     * IPv4-mapped IPv6 addresses ({@code ::ffff:1.2.3.4}) come back as IPv4. Brackets around an IPv6
     * literal are allowed; zone ids ({@code fe80::1%eth0}) are not.
     */
    static InetAddress parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            return null;
        }
        if (text.charAt(0) == '[' && text.charAt(text.length() - 1) == ']') {
            text = text.substring(1, text.length() - 1);
        }
        var bytes = text.indexOf(':') >= 0 ? parseIpv6(text) : parseIpv4(text, 0, text.length());
        if (bytes == null) {
            return null;
        }
        try {
            // With a byte array no name is resolved; a 16-byte IPv4-mapped address becomes Inet4Address.
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * The plain IPv4 dotted quad {@code text} spells, as an unsigned 32-bit number, or -1 if it is
     * not one (IPv6 and bracketed literals included): the geolocation fast path, without an
     * {@link InetAddress}.
     */
    static long parseIpv4(String text) {
        if (text == null || text.isEmpty() || text.length() > 15) {
            return -1;
        }
        // The same rules as parseIpv4(text, from, to), without an array: this runs for every download.
        long address = 0;
        int parts = 0;
        int start = 0;
        int length = text.length();
        for (int i = 0; i <= length; i++) {
            if (i < length && text.charAt(i) != '.') {
                continue;
            }
            int digits = i - start;
            if (parts == 4 || digits < 1 || digits > 3 || (digits > 1 && text.charAt(start) == '0')) {
                return -1;
            }
            int value = 0;
            for (int j = start; j < i; j++) {
                char c = text.charAt(j);
                if (c < '0' || c > '9') {
                    return -1;
                }
                value = value * 10 + (c - '0');
            }
            if (value > 255) {
                return -1;
            }
            address = address << 8 | value;
            parts++;
            start = i + 1;
        }
        return parts == 4 ? address : -1;
    }

    /** {@link #isPublic} for an IPv4 address given as {@link #parseIpv4(String)} returns it. */
    static boolean isPublicIpv4(long address) {
        int first = (int) (address >>> 24);
        int second = (int) (address >>> 16) & 0xff;
        return first != 0 && first != 10 && first != 127 && first < 224
                && !(first == 169 && second == 254) && !(first == 172 && (second & 0xf0) == 16)
                && !(first == 192 && second == 168) && !(first == 100 && (second & 0xc0) == 64);
    }

    /**
     * Whether a geolocation database could know the address: false for unspecified, loopback,
     * link-local, private (RFC 1918, carrier-grade NAT, IPv6 unique local), multicast and the
     * reserved IPv4 range 240.0.0.0/4.
     */
    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        var bytes = address.getAddress();
        int first = bytes[0] & 0xff;
        if (address instanceof Inet4Address) {
            boolean carrierGradeNat = first == 100 && (bytes[1] & 0xc0) == 64;
            return first != 0 && first < 240 && !carrierGradeNat;
        }
        boolean uniqueLocal = (first & 0xfe) == 0xfc;
        return !uniqueLocal;
    }

    /** Four decimal numbers 0-255 without leading zeros (which some parsers read as octal). */
    private static byte[] parseIpv4(String text, int from, int to) {
        var bytes = new byte[4];
        int part = 0;
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i < to && text.charAt(i) != '.') {
                continue;
            }
            int length = i - start;
            if (part == 4 || length < 1 || length > 3 || (length > 1 && text.charAt(start) == '0')) {
                return null;
            }
            int value = 0;
            for (int j = start; j < i; j++) {
                char c = text.charAt(j);
                if (c < '0' || c > '9') {
                    return null;
                }
                value = value * 10 + (c - '0');
            }
            if (value > 255) {
                return null;
            }
            bytes[part++] = (byte) value;
            start = i + 1;
        }
        return part == 4 ? bytes : null;
    }

    /** Up to eight groups of 1-4 hex digits, at most one {@code ::}, optionally an IPv4 tail. */
    private static byte[] parseIpv6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        var head = new int[8];
        var tail = new int[8];
        int headCount;
        int tailCount = 0;
        if (gap < 0) {
            headCount = parseGroups(text, 0, text.length(), head, true);
        } else {
            headCount = parseGroups(text, 0, gap, head, false);
            tailCount = parseGroups(text, gap + 2, text.length(), tail, true);
        }
        if (headCount < 0 || tailCount < 0) {
            return null;
        }
        int total = headCount + tailCount;
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        var bytes = new byte[16];
        for (int i = 0; i < headCount; i++) {
            bytes[2 * i] = (byte) (head[i] >> 8);
            bytes[2 * i + 1] = (byte) head[i];
        }
        int offset = 8 - tailCount;
        for (int i = 0; i < tailCount; i++) {
            bytes[2 * (offset + i)] = (byte) (tail[i] >> 8);
            bytes[2 * (offset + i) + 1] = (byte) tail[i];
        }
        return bytes;
    }

    /**
     * Colon-separated hex groups of {@code text[from, to)} into {@code groups}; the last may be an
     * IPv4 dotted quad (two groups) when {@code mayEndWithIpv4}. Returns the group count, or -1.
     */
    private static int parseGroups(String text, int from, int to, int[] groups, boolean mayEndWithIpv4) {
        if (from == to) {
            return 0;
        }
        int count = 0;
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i < to && text.charAt(i) != ':') {
                continue;
            }
            boolean last = i == to;
            if (last && mayEndWithIpv4 && text.indexOf('.', start) >= 0 && text.indexOf('.', start) < to) {
                var ipv4 = parseIpv4(text, start, to);
                if (ipv4 == null || count > 6) {
                    return -1;
                }
                groups[count++] = ((ipv4[0] & 0xff) << 8) | (ipv4[1] & 0xff);
                groups[count++] = ((ipv4[2] & 0xff) << 8) | (ipv4[3] & 0xff);
                return count;
            }
            int length = i - start;
            if (count == 8 || length < 1 || length > 4) {
                return -1;
            }
            int value = 0;
            for (int j = start; j < i; j++) {
                int digit = hexDigit(text.charAt(j));
                if (digit < 0) {
                    return -1;
                }
                value = (value << 4) | digit;
            }
            groups[count++] = value;
            start = i + 1;
        }
        return count;
    }

    /** ASCII only: {@code Character.digit} would also take other scripts' digits. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
