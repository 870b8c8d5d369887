package dev.bindery.access;

import dev.bindery.BinderyException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The rule for URLs the server calls out to (access key existence checks, download callbacks,
 * webhooks): http(s) only, and which addresses count as internal, so that a caller cannot make the
 * server reach its own network. Stateless.
 */
public final class OutgoingUrls {

    /** The longest URL accepted. */
    public static final int MAX_LENGTH = 2048;

    private OutgoingUrls() {
    }

    /**
     * {@code url} as an http or https URL with a host.
     *
     * @param field the request field it came from, named in the 400
     */
    public static URI parse(String url, String field) {
        if (url.length() > MAX_LENGTH) {
            throw BinderyException.badRequest("Field '" + field + "' must be at most " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw BinderyException.badRequest("Field '" + field + "' is not a valid URL: " + e.getMessage());
        }
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw BinderyException.badRequest("Field '" + field + "' must be an http or https URL with a host");
        }
        return uri;
    }

    /**
     * Why {@code uri} may not be called, or null if it may: not http(s), a host that does not resolve,
     * or (unless {@code allowInternal}) one that resolves to an internal address. Checked again right
     * before each call, since a name may resolve differently later.
     */
    public static String refusal(URI uri, boolean allowInternal) {
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            return "must be an http or https URL with a host";
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            return "names a host that does not resolve: '" + uri.getHost() + "'";
        }
        if (allowInternal) {
            return null;
        }
        for (var address : addresses) {
            if (isInternal(address)) {
                return "must not point at a private, loopback or link-local address (" + address.getHostAddress() + ")";
            }
        }
        return null;
    }

    /** Base64 of the HMAC ({@code HmacMD5}, {@code HmacSHA256}...) of {@code message} under {@code key}. */
    public static String hmacBase64(String algorithm, String key, String message) {
        try {
            var mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
            return Base64.getEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot compute " + algorithm, e);
        }
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
