package dev.bindery.web;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.List;

/**
 * The address a request really came from. {@code X-Forwarded-For} is believed only when the
 * connection comes from a configured trusted proxy, and then read from the right, skipping further
 * trusted proxies: the first address not ours is the client's. Anything else is forgeable.
 */
final class ClientAddress {

    private final List<IPAddress> trusted;

    ClientAddress(List<String> trustedProxies) {
        this.trusted = trustedProxies.stream()
                .map(String::trim)
                .filter(value -> !value.isEmpty())
                .map(value -> {
                    var address = new IPAddressString(value).getAddress();
                    if (address == null) {
                        throw new IllegalArgumentException("Not an address or CIDR block: " + value);
                    }
                    return address;
                })
                .toList();
    }

    String of(String remoteAddress, String forwardedFor) {
        if (forwardedFor == null || trusted.isEmpty() || !isTrusted(remoteAddress)) {
            return remoteAddress;
        }
        var hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            var hop = hops[i].trim();
            if (hop.isEmpty()) {
                continue;
            }
            if (!isTrusted(hop)) {
                return new IPAddressString(hop).getAddress() == null ? remoteAddress : hop;
            }
        }
        return remoteAddress;
    }

    /** Whether {@code remoteAddress} is a configured trusted proxy, whose forwarding headers are believed. */
    boolean isTrustedProxy(String remoteAddress) {
        return remoteAddress != null && !trusted.isEmpty() && isTrusted(remoteAddress);
    }

    private boolean isTrusted(String value) {
        var address = new IPAddressString(value).getAddress();
        if (address == null) {
            return false;
        }
        for (var block : trusted) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
