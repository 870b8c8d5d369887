package dev.bindery.access;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The rule for URLs the server calls out to (access key existence checks, download callbacks):
 * which addresses count as internal, so that a caller cannot make the server reach its own
 * network. Stateless.
 */
public final class OutgoingUrls {

    private OutgoingUrls() {
    }

    /**
     * Whether {@code address} is private, loopback, link-local, wildcard, multicast, IPv6 unique
     * local ({@code fc00::/7}), carrier-grade NAT ({@code 100.64.0.0/10}) or in {@code 0.0.0.0/8}.
     */
    public static boolean isInternal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        var bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            // fc00::/7, unique local addresses
            return (bytes[0] & 0xfe) == 0xfc;
        }
        // 100.64.0.0/10 (carrier-grade NAT) and 0.0.0.0/8
        return (bytes[0] == 100 && (bytes[1] & 0xc0) == 64) || bytes[0] == 0;
    }
}
