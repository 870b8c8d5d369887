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
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Turns an {@code Authorization} header into a {@link Caller}: HTTP Basic with {@code user:apikey},
 * HTTP Basic with an access key ({@code key@subject:password}, checked by {@link #accessKeys}), or
 * {@code Bearer <token>} (checked by {@link #tokens}). Verified credentials are cached for a short
 * while, keyed by a hash of the header (never the header itself), so repeated requests cost one
 * SHA-256 and a map lookup instead of a database round trip. The cache is dropped whenever any
 * credential or membership changes ({@link #credentialsChanged}). What may change per request
 * (the client's address against an access key's CIDRs, an expiry passing) is checked on every
 * request by the {@link Admission}, cached or not. Thread-safe.
 */
public final class Authenticator {

    private static final int MAX_CACHED = 10_000;

    private final SubjectService subjects;
    private final long ttlNanos;
    private final ConcurrentHashMap<String, Cached> verified = new ConcurrentHashMap<>();
    private volatile Verifier accessKeys = (username, secret) -> Optional.empty();
    private volatile Verifier tokens = (username, secret) -> Optional.empty();
    private final List<Admission> admissions = new CopyOnWriteArrayList<>();
    private volatile Failures failures = (fingerprint, presentedAs, clientIp) -> { };

    private record Cached(Caller caller, long expiresAtNanos) {
    }

    /** Checks one kind of credential; empty when it is wrong. */
    @FunctionalInterface
    public interface Verifier {
        /**
         * @param username {@code key@subject} for access keys, null for tokens
         * @param secret   the access key's password, or the token
         */
        Optional<Caller> verify(String username, String secret);
    }

    /** Checks a verified caller on each request; throws a 401 or 403 to refuse it. */
    @FunctionalInterface
    public interface Admission {
        void admit(Caller caller, String clientIp);
    }

    /** Told about each presented credential found wrong (never cached); for {@code login_failure} events. */
    @FunctionalInterface
    public interface Failures {
        /**
         * @param fingerprint a SHA-256 of the whole header: tells credentials apart without holding the secret
         * @param presentedAs the user name or {@code key@subject} of HTTP Basic, or null (bearer, malformed)
         * @param clientIp    the client's address, or null if unknown
         */
        void failed(String fingerprint, String presentedAs, String clientIp);
    }

    public Authenticator(SubjectService subjects, Duration ttl) {
        this.subjects = subjects;
        this.ttlNanos = ttl.toNanos();
        subjects.onCredentialsChanged(this::credentialsChanged);
    }

    /** Verifies access keys ({@code key@subject:password} in HTTP Basic). Set while wiring. */
    public void accessKeys(Verifier verifier) {
        this.accessKeys = verifier;
    }

    /** Verifies bearer tokens. Set while wiring. */
    public void tokens(Verifier verifier) {
        this.tokens = verifier;
    }

    /** Adds a per-request check of callers (CIDRs, expiry); all added checks run, in order. Set while wiring. */
    public void admission(Admission admission) {
        this.admissions.add(admission);
    }

    /** Tells {@code listener} about wrong credentials; it must be quick and must not throw. Set while wiring. */
    public void onFailure(Failures listener) {
        this.failures = listener;
    }

    /** Forgets every verified credential: call after any key, token or membership changes. */
    public void credentialsChanged() {
        verified.clear();
    }

    /** Like {@link #authenticate(String, String)} for a caller whose address does not matter. */
    public Caller authenticate(String authorization) {
        return authenticate(authorization, null);
    }

    /**
     * The caller the header identifies: anonymous when there is no header.
     *
     * @param clientIp the client's address (after trusted proxies), or null if unknown
     * @throws BinderyException unauthorized when credentials are present but wrong or malformed;
     *                          unauthorized or forbidden when the {@link Admission} refuses them
     */
    public Caller authenticate(String authorization, String clientIp) {
        if (authorization == null || authorization.isBlank()) {
            return Caller.ANONYMOUS;
        }
        var cacheKey = fingerprint(authorization);
        var cached = verified.get(cacheKey);
        long now = System.nanoTime();
        Caller caller;
        if (cached != null && now - cached.expiresAtNanos < 0) {
            caller = cached.caller;
        } else {
            try {
                caller = verify(authorization);
            } catch (BinderyException e) {
                failures.failed(cacheKey, presentedAs(authorization), clientIp);
                throw e;
            }
            if (verified.size() >= MAX_CACHED) {
                verified.clear();
            }
            verified.put(cacheKey, new Cached(caller, now + ttlNanos));
        }
        for (var admission : admissions) {
            admission.admit(caller, clientIp);
        }
        return caller;
    }

    private Caller verify(String authorization) {
        var space = authorization.indexOf(' ');
        var scheme = space < 0 ? "" : authorization.substring(0, space).toLowerCase(Locale.ROOT);
        if (scheme.equals("bearer")) {
            return tokens.verify(null, authorization.substring(space + 1).trim())
                    .orElseThrow(() -> BinderyException.unauthorized("Unknown, expired or revoked token"));
        }
        if (!scheme.equals("basic")) {
            throw BinderyException.unauthorized("Unsupported authorization scheme; use HTTP Basic with user:apikey"
                    + " or Bearer with a token");
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
        if (user.indexOf('@') > 0) {
            return accessKeys.verify(user, key)
                    .orElseThrow(() -> BinderyException.unauthorized("Wrong access key or password"));
        }
        return subjects.authenticate(user, key)
                .orElseThrow(() -> BinderyException.unauthorized("Wrong user name or API key"));
    }

    /** The user name (or {@code key@subject}) of HTTP Basic credentials, or null: never the secret. */
    private static String presentedAs(String authorization) {
        var space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("basic")) {
            return null;
        }
        try {
            var decoded = new String(Base64.getDecoder().decode(authorization.substring(space + 1).trim()),
                    StandardCharsets.UTF_8);
            var colon = decoded.indexOf(':');
            return colon <= 0 || colon > 256 ? null : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
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
