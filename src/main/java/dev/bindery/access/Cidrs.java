package dev.bindery.access;

import dev.bindery.BinderyException;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An access key's address ranges: a white list (a client must be in one of them, when there are
 * any) and a black list (a client must be in none). IPv4 and IPv6 blocks in CIDR notation; a bare
 * address is a block of one ({@code /32}, {@code /128}); host bits below the prefix are ignored
 * ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}). An IPv4 client connected over IPv6 as an IPv4-mapped
 * address ({@code ::ffff:10.0.0.1}) matches IPv4 blocks. Immutable, thread-safe.
 */
public final class Cidrs {

    // Plain addresses and prefixes only: no wildcards, ranges or inet_aton shorthands the library would accept.
    private static final Pattern SHAPE = Pattern.compile("[0-9A-Fa-f:.]+(/[0-9]{1,3})?");

    private final List<IPAddress> white;
    private final List<IPAddress> black;

    private Cidrs(List<IPAddress> white, List<IPAddress> black) {
        this.white = white;
        this.black = black;
    }

    /**
     * Parses both lists.
     *
     * @throws BinderyException bad request naming the first value that is not a block
     */
    public static Cidrs of(List<String> white, List<String> black) {
        return new Cidrs(parse(white, "white_cidrs"), parse(black, "black_cidrs"));
    }

    /** Checks the values are CIDR blocks; the field name goes into the 400's message. */
    public static void validate(List<String> values, String field) {
        parse(values, field);
    }

    private static List<IPAddress> parse(List<String> values, String field) {
        if (values == null) {
            return List.of();
        }
        return values.stream().map(value -> block(value, field)).toList();
    }

    private static IPAddress block(String value, String field) {
        var address = value == null || !SHAPE.matcher(value.trim()).matches() ? null
                : new IPAddressString(value.trim()).getAddress();
        if (address == null) {
            throw BinderyException.badRequest("Invalid CIDR '" + value + "' in '" + field + "'");
        }
        return address.isPrefixed() ? address.toPrefixBlock() : address;
    }

    /** Whether a client at {@code clientIp} may use the key; an unknown or unparsable address only when no list restricts. */
    public boolean admits(String clientIp) {
        if (white.isEmpty() && black.isEmpty()) {
            return true;
        }
        var client = clientIp == null ? null : new IPAddressString(clientIp.trim()).getAddress();
        if (client == null) {
            return false;
        }
        if (client.isIPv6() && client.toIPv6().isIPv4Mapped()) {
            client = client.toIPv6().getEmbeddedIPv4Address();
        }
        if (!white.isEmpty() && !matchesAny(white, client)) {
            return false;
        }
        return !matchesAny(black, client);
    }

    private static boolean matchesAny(List<IPAddress> blocks, IPAddress client) {
        for (var block : blocks) {
            if (block.getIPVersion() == client.getIPVersion() && block.contains(client)) {
                return true;
            }
        }
        return false;
    }
}
