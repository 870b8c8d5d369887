package dev.bindery.access;

import dev.bindery.BinderyException;
import dev.bindery.access.TokenStore.StoredToken;
import dev.bindery.subject.ApiKeys;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Credential;
import dev.bindery.subject.MemberType;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users' bearer tokens, SourceForge's pre-negotiated tokens: created by the user (shown once),
 * listed without their secret, revoked. A token authenticates as its user with rights capped at
 * its scope ({@link Credential.Token}), through {@code Authorization: Bearer <token>} or an
 * {@code access_token} parameter.
 *
 * <p>Tokens are 256 random bits, stored as SHA-256 and compared in constant time; they are never
 * logged. Verification goes through the {@link Authenticator}'s cache; {@link #admit} runs on every
 * request, cached or not, and refuses expired tokens and tokens revoked since they were verified
 * (on this node at once, on other nodes within {@link #FLUSH_PERIOD}). It also notes when the token
 * was used: last-used times are kept in memory and written in one batch every {@link #FLUSH_PERIOD}
 * and on {@link #close}, never one database write per request. Thread-safe.
 */
public final class TokenService implements AutoCloseable {

    /** How often last-used times are written and other nodes' revocations are picked up. */
    public static final Duration FLUSH_PERIOD = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "bdt_";
    private static final int MAX_NAME = 128;

    private final TokenStore store;
    private final SubjectService subjects;
    private final Authenticator authenticator;
    private final Clock clock;
    /** Tokens verified on this node and not revoked: id to expiry in epoch millis (Long.MAX_VALUE for never). */
    private final ConcurrentHashMap<Long, Long> active = new ConcurrentHashMap<>();
    /** Tokens revoked on this node, so a verification racing with the revocation cannot revive them. */
    private final Set<Long> revoked = ConcurrentHashMap.newKeySet();
    /** Last-used times not yet written: id to epoch millis. */
    private final ConcurrentHashMap<Long, Long> pendingLastUsed = new ConcurrentHashMap<>();
    private final ScheduledExecutorService flusher;

    /** A token just created: {@code token} is the secret, shown this once. */
    public record CreatedToken(String token, StoredToken stored) {
    }

    /** What a user asks for; {@code expiry} in epoch millis, null for never. */
    public record CreateTokenRequest(String name, Long expiry, String scope) {
    }

    public TokenService(TokenStore store, SubjectService subjects, Authenticator authenticator, Clock clock) {
        this.store = store;
        this.subjects = subjects;
        this.authenticator = authenticator;
        this.clock = clock;
        this.flusher = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("bindery-token-flush").factory());
        flusher.scheduleWithFixedDelay(this::flushQuietly, FLUSH_PERIOD.toMillis(), FLUSH_PERIOD.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    // --- management ---------------------------------------------------------------------------

    public CreatedToken create(Caller caller, String userName, CreateTokenRequest request) {
        var user = manageable(caller, userName);
        var name = request.name() == null ? "" : request.name().trim();
        if (name.isEmpty()) {
            throw BinderyException.badRequest("Field 'name' is required");
        }
        if (name.length() > MAX_NAME) {
            throw BinderyException.badRequest("Field 'name' must be at most " + MAX_NAME + " characters");
        }
        var scope = scope(request.scope());
        var now = clock.instant();
        Instant expiry = null;
        if (request.expiry() != null) {
            if (request.expiry() <= now.toEpochMilli()) {
                throw BinderyException.badRequest("Field 'expiry' must be in the future (epoch milliseconds)");
            }
            expiry = Instant.ofEpochMilli(request.expiry());
        }
        if (store.byName(user.id(), name).isPresent()) {
            throw BinderyException.conflict("User '" + user.name() + "' already has a token named '" + name + "'");
        }
        var token = generate();
        StoredToken stored;
        try {
            stored = store.insert(new StoredToken(0, user.id(), name, scope, ApiKeys.hash(token), expiry, now, null));
        } catch (RuntimeException e) {
            // A concurrent create with the same name won the unique constraint.
            if (store.byName(user.id(), name).isPresent()) {
                throw BinderyException.conflict("User '" + user.name() + "' already has a token named '" + name + "'");
            }
            throw e;
        }
        return new CreatedToken(token, stored);
    }

    /**
     * The user's tokens, without secrets. Last-used times are as last written: up to
     * {@link #FLUSH_PERIOD} behind, the same on every node.
     */
    public List<StoredToken> list(Caller caller, String userName) {
        var user = manageable(caller, userName);
        return store.byUser(user.id());
    }

    public StoredToken get(Caller caller, String userName, long id) {
        var user = manageable(caller, userName);
        return store.byId(user.id(), id).orElseThrow(() -> tokenNotFound(userName, id));
    }

    /** Revokes the token: refused from the next request on, on this node. */
    public void revoke(Caller caller, String userName, long id) {
        var user = manageable(caller, userName);
        revoked.add(id);
        if (!store.delete(user.id(), id)) {
            revoked.remove(id);
            throw tokenNotFound(userName, id);
        }
        active.remove(id);
        pendingLastUsed.remove(id);
        authenticator.credentialsChanged();
    }

    private static BinderyException tokenNotFound(String userName, long id) {
        return BinderyException.notFound("Token " + id + " of user '" + userName + "' was not found");
    }

    /**
     * The user whose tokens the caller may manage: only the user themself (with their API key or an
     * admin-scoped token) or a site administrator.
     */
    private Subject manageable(Caller caller, String userName) {
        if (caller.isAnonymous()) {
            throw caller.refusal("Authentication required");
        }
        var user = subjects.user(userName);
        boolean self = caller.user() != null && caller.user().id() == user.id();
        if (!self && !caller.isSiteAdmin()) {
            throw BinderyException.forbidden("Only " + userName + " may manage their tokens");
        }
        if (caller.credential() instanceof Credential.Token token && token.scope() != Credential.Scope.ADMIN) {
            throw BinderyException.forbidden("A token with scope '" + token.scope().name().toLowerCase(Locale.ROOT)
                    + "' may not manage tokens; use an API key or an admin-scoped token");
        }
        return user;
    }

    private static Credential.Scope scope(String value) {
        if (value == null || value.isBlank()) {
            throw BinderyException.badRequest("Field 'scope' is required: one of read, publish, admin");
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "read" -> Credential.Scope.READ;
            case "publish" -> Credential.Scope.PUBLISH;
            case "admin" -> Credential.Scope.ADMIN;
            default -> throw BinderyException.badRequest("Field 'scope' must be one of read, publish, admin, not '"
                    + value + "'");
        };
    }

    /** A new token: a recognizable prefix and 256 random bits, URL-safe (it may travel as a parameter). */
    private static String generate() {
        var bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    // --- authentication -----------------------------------------------------------------------

    /**
     * The caller a bearer token stands for: its user, capped at the token's scope. Empty when the
     * token is unknown, revoked or expired. For {@link Authenticator#tokens}.
     */
    public Optional<Caller> verify(String token) {
        if (token == null || token.isEmpty() || token.length() > 256) {
            return Optional.empty();
        }
        var hash = ApiKeys.hash(token);
        var found = store.byHash(hash);
        // The lookup is by hash, which reveals nothing about the token; compare in constant time anyway.
        if (found.isEmpty() || !ApiKeys.matches(token, found.get().hash())) {
            return Optional.empty();
        }
        var stored = found.get();
        long now = clock.millis();
        if (stored.expiry() != null && now >= stored.expiry().toEpochMilli()) {
            return Optional.empty();
        }
        Subject user;
        try {
            user = subjects.byId(stored.userId());
        } catch (BinderyException e) {
            return Optional.empty(); // the user was deleted (with their tokens) meanwhile
        }
        var memberships = new HashMap<Long, MemberType>();
        var orgNames = new HashSet<String>();
        for (var member : subjects.memberships(user)) {
            memberships.put(member.orgId(), member.type());
            orgNames.add(member.orgName());
        }
        active.put(stored.id(), stored.expiry() == null ? Long.MAX_VALUE : stored.expiry().toEpochMilli());
        if (revoked.contains(stored.id())) {
            active.remove(stored.id());
            return Optional.empty();
        }
        return Optional.of(new Caller(user, memberships, orgNames).with(new Credential.Token(stored.id(),
                stored.scope())));
    }

    /**
     * Checks a token's caller on every request: refuses it once expired or revoked, and notes it was
     * used. Other callers pass. For {@link Authenticator#admission}.
     */
    public void admit(Caller caller, String clientIp) {
        if (!(caller.credential() instanceof Credential.Token token)) {
            return;
        }
        var expiry = active.get(token.id());
        if (expiry == null) {
            throw BinderyException.unauthorized("Unknown, expired or revoked token");
        }
        long now = clock.millis();
        if (now >= expiry) {
            throw BinderyException.unauthorized("The token has expired");
        }
        pendingLastUsed.merge(token.id(), now, Math::max);
    }

    // --- last used, revocations of other nodes ------------------------------------------------

    /** Writes pending last-used times in one batch and drops tokens revoked on other nodes. */
    public void flush() {
        var batch = new HashMap<Long, Long>(pendingLastUsed);
        if (!batch.isEmpty()) {
            store.updateLastUsed(batch);
            // Only what was written: a newer time that arrived meanwhile waits for the next flush.
            batch.forEach(pendingLastUsed::remove);
        }
        long now = clock.millis();
        active.values().removeIf(expiry -> expiry <= now);
        if (!active.isEmpty()) {
            var known = active.keySet();
            var existing = store.existing(Set.copyOf(known));
            boolean changed = false;
            for (var id : Set.copyOf(known)) {
                if (!existing.contains(id)) {
                    changed |= active.remove(id) != null;
                    pendingLastUsed.remove(id);
                }
            }
            if (changed) {
                authenticator.credentialsChanged();
            }
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("Writing tokens' last-used times failed; retrying in {} s", FLUSH_PERIOD.toSeconds(), e);
        }
    }

    /** Stops the periodic flush and writes what is pending. Call before the database closes. */
    @Override
    public void close() {
        flusher.shutdownNow();
        try {
            flusher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushQuietly();
    }
}
