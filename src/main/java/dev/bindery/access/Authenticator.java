package dev.bindery.access;

import dev.bindery.BinderyException;
import dev.bindery.subject.Caller;
import dev.bindery.subject.SubjectService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns an {@code Authorization} header into a {@link Caller}. Verified credentials are cached
 * for a short while, keyed by a hash of the header (never the header itself), so repeated
 * requests cost one SHA-256 and a map lookup instead of a database round trip. The cache is
 * dropped whenever any API key or membership changes. Thread-safe.
 */
public final class Authenticator {

    private static final int MAX_CACHED = 10_000;

    private final SubjectService subjects;
    private final long ttlNanos;
    private final ConcurrentHashMap<String, Cached> verified = new ConcurrentHashMap<>();

    private record Cached(Caller caller, long expiresAtNanos) {
    }

    public Authenticator(SubjectService subjects, Duration ttl) {
        this.subjects = subjects;
        this.ttlNanos = ttl.toNanos();
        subjects.onCredentialsChanged(verified::clear);
    }

    /**
     * The caller the header identifies: anonymous when there is no header.
     *
     * @throws BinderyException unauthorized when credentials are present but wrong or malformed
     */
    public Caller authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Caller.ANONYMOUS;
        }
        var cacheKey = fingerprint(authorization);
        var cached = verified.get(cacheKey);
        long now = System.nanoTime();
        if (cached != null && now - cached.expiresAtNanos < 0) {
            return cached.caller;
        }
        var caller = verify(authorization);
        if (verified.size() >= MAX_CACHED) {
            verified.clear();
        }
        verified.put(cacheKey, new Cached(caller, now + ttlNanos));
        return caller;
    }

    private Caller verify(String authorization) {
        var space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).toLowerCase(Locale.ROOT).equals("basic")) {
            throw BinderyException.unauthorized("Unsupported authorization scheme; use HTTP Basic with user:apikey");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(space + 1).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw BinderyException.unauthorized("Malformed Basic credentials");
        }
        var colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw BinderyException.unauthorized("Malformed Basic credentials; expected user:apikey");
        }
        var user = decoded.substring(0, colon);
        var key = decoded.substring(colon + 1);
        return subjects.authenticate(user, key)
                .orElseThrow(() -> BinderyException.unauthorized("Wrong user name or API key"));
    }

    private static String fingerprint(String authorization) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(authorization.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
