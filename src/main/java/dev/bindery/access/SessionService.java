package dev.bindery.access;

import dev.bindery.BinderyException;
import dev.bindery.access.SessionStore.StoredSession;
import dev.bindery.access.SlidingWindowLimiter.Charge;
import dev.bindery.access.SlidingWindowLimiter.Window;
import dev.bindery.events.EventService;
import dev.bindery.subject.Caller;
import dev.bindery.subject.MemberType;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Web UI sessions: a user logs in with their name and API key, checked by the same
 * {@link Authenticator} as the API's HTTP Basic (so a wrong key records a {@code login_failure}
 * event as it does there), and gets a session: 256 random bits, of which only the SHA-256 is stored,
 * shared by every node through the database. A session ends {@link #IDLE} after its last use,
 * {@link #ABSOLUTE} after the log-in at the latest, at log-out, or when the user's API key changes
 * (except the session that changed it, see {@link #keyReplaced}).
 *
 * <p>Access keys ({@code key@subject}) cannot log in: the pages and the account page are a user's,
 * and Bintray's non-{@code api_only} keys logged in to a UI of entitlements this UI does not have.
 *
 * <p>Failed log-ins are throttled per client address ({@value #FAILURES_PER_ADDRESS}) and per user
 * name ({@value #FAILURES_PER_NAME}) within {@link #FAILURE_WINDOW}: past that, log-ins from that
 * address or for that name are refused with 429 until the window has room, even with the right key.
 * Counts are per node, in memory. Thread-safe.
 */
public final class SessionService {

    public static final Duration IDLE = Duration.ofHours(12);
    public static final Duration ABSOLUTE = Duration.ofDays(7);
    /** How stale a session's last-seen time may get before a request writes it: one write per session per period. */
    static final Duration TOUCH_EVERY = Duration.ofMinutes(5);
    public static final int FAILURES_PER_ADDRESS = 20;
    public static final int FAILURES_PER_NAME = 10;
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(10);
    private static final Duration PURGE_EVERY = Duration.ofMinutes(10);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_BLOCKED = 100_000;

    private final SessionStore store;
    private final SubjectService subjects;
    private final Authenticator authenticator;
    private final EventService events;
    private final Clock clock;
    private final SlidingWindowLimiter failures;
    /** Throttle key to epoch millis until which log-ins are refused. */
    private final ConcurrentHashMap<String, Long> blockedUntil = new ConcurrentHashMap<>();
    private final AtomicLong lastPurge = new AtomicLong();

    /**
     * A session just opened.
     *
     * @param id the secret for the cookie; never stored or logged
     */
    public record NewSession(String id, Caller caller) {
    }

    /** A live session: its user's caller (full rights, as with the API key) and its CSRF token. */
    public record Session(String idHash, Caller caller, String csrfToken) {
    }

    public SessionService(SessionStore store, SubjectService subjects, Authenticator authenticator,
                          EventService events, Clock clock) {
        this.store = store;
        this.subjects = subjects;
        this.authenticator = authenticator;
        this.events = events;
        this.clock = clock;
        this.failures = new SlidingWindowLimiter(clock);
    }

    /**
     * Checks the user name and API key and opens a session; records {@code login_success}.
     *
     * @param clientIp the client's address (after trusted proxies), for the event and throttling
     * @throws BinderyException unauthorized for a wrong name or key (a {@code login_failure} is recorded),
     *                          forbidden for an access key, too many requests after too many failures
     */
    public NewSession logIn(String userName, String apiKey, String clientIp) {
        var name = userName == null ? "" : userName.strip();
        var key = apiKey == null ? "" : apiKey.strip();
        var ip = clientIp == null ? "unknown" : clientIp;
        checkThrottle(List.of("ip:" + ip, "name:" + name));
        if (name.isEmpty() || key.isEmpty() || name.indexOf(':') >= 0 || name.length() > 256) {
            failed(name, ip);
            throw BinderyException.unauthorized("Wrong user name or API key");
        }
        var authorization = "Basic " + Base64.getEncoder().encodeToString(
                (name + ":" + key).getBytes(StandardCharsets.UTF_8));
        Caller caller;
        try {
            // The API's own check: a wrong key is recorded as a login_failure by the authenticator's listener.
            caller = authenticator.authenticate(authorization, clientIp);
        } catch (BinderyException e) {
            failed(name, ip);
            throw BinderyException.unauthorized("Wrong user name or API key");
        }
        if (caller.user() == null || caller.accessKey().isPresent()) {
            // A right access key, but access keys are for the API and downloads only.
            events.loginFailed(sha256Hex("ui-access-key:" + authorization), name, clientIp);
            throw BinderyException.forbidden("Access keys cannot log in to the web UI; log in with your user name"
                    + " and API key");
        }
        purgeExpiredNowAndThen();
        var id = newId();
        var now = clock.instant();
        store.insert(new StoredSession(sha256Hex(id), caller.user().id(), keyTag(caller.user()), now, now));
        events.loginSucceeded(caller.user().name(), clientIp);
        return new NewSession(id, caller.at(clientIp));
    }

    /**
     * The live session with this id, or empty when there is none or it expired (then it is deleted).
     * Loads the user's memberships anew, so a membership change shows on the next request.
     */
    public Optional<Session> session(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) {
            return Optional.empty();
        }
        var hash = sha256Hex(id);
        var found = store.byHash(hash);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        var stored = found.get();
        var now = clock.instant();
        if (!now.isBefore(stored.lastSeen().plus(IDLE)) || !now.isBefore(stored.created().plus(ABSOLUTE))) {
            store.delete(hash);
            return Optional.empty();
        }
        Subject user;
        try {
            user = subjects.byId(stored.userId());
        } catch (BinderyException e) {
            return Optional.empty(); // deleted meanwhile (the row went with it)
        }
        if (!MessageDigest.isEqual(keyTag(user).getBytes(StandardCharsets.UTF_8),
                stored.keyTag().getBytes(StandardCharsets.UTF_8))) {
            // The API key it was opened with was replaced (by the API, the CLI or another session).
            store.delete(hash);
            return Optional.empty();
        }
        if (!now.isBefore(stored.lastSeen().plus(TOUCH_EVERY))) {
            store.touch(hash, now);
        }
        var memberships = new HashMap<Long, MemberType>();
        var orgNames = new HashSet<String>();
        for (var member : subjects.memberships(user)) {
            memberships.put(member.orgId(), member.type());
            orgNames.add(member.orgName());
        }
        return Optional.of(new Session(hash, new Caller(user, memberships, orgNames), csrfToken(id)));
    }

    /** Ends the session with this id, if any. */
    public void logOut(String id) {
        if (id != null && !id.isEmpty() && id.length() <= 128) {
            store.delete(sha256Hex(id));
        }
    }

    /**
     * After {@code user} got a new API key in session {@code keep}: keeps that session (now bound to
     * the new key) and ends every other one of theirs. Sessions end with their key anyway; this
     * removes their rows at once.
     */
    public void keyReplaced(Subject user, Session keep) {
        var current = subjects.byId(user.id());
        store.retag(keep.idHash(), keyTag(current));
        store.deleteOthers(user.id(), keep.idHash());
    }

    /**
     * What binds a session to the API key it was opened with: derived from the key's stored hash,
     * so the sessions table holds nothing that checks a key.
     */
    private static String keyTag(Subject user) {
        return sha256Hex("bindery-session-key\0" + user.apiKeyHash());
    }

    /**
     * The session's CSRF token: derived from the secret id (so nothing more is stored), and not from
     * what is stored (so the table does not give it away); knowing the token reveals nothing of the id.
     */
    static String csrfToken(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256("bindery-csrf\0" + id));
    }

    /** Whether {@code presented} is the session's CSRF token, in time independent of where they differ. */
    public static boolean csrfMatches(Session session, String presented) {
        return presented != null && MessageDigest.isEqual(session.csrfToken().getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    /** A new random 256-bit secret, URL-safe Base64: session ids and the log-in form's token. */
    public static String newId() {
        var bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private void checkThrottle(List<String> keys) {
        long now = clock.millis();
        for (var key : keys) {
            var until = blockedUntil.get(key);
            if (until != null && until > now) {
                long seconds = Math.max(1, (until - now + 999) / 1000);
                throw BinderyException.tooManyRequests("Too many failed log-ins; try again in " + seconds + " seconds");
            }
        }
    }

    private void failed(String name, String ip) {
        long now = clock.millis();
        count(new Charge("ip:" + ip, "address", List.of(new Window(FAILURES_PER_ADDRESS, FAILURE_WINDOW))), now);
        count(new Charge("name:" + name, "user", List.of(new Window(FAILURES_PER_NAME, FAILURE_WINDOW))), now);
    }

    /** Counts one failure; when the window is already full, refuses the key until it has room. */
    private void count(Charge charge, long now) {
        failures.acquire(List.of(charge)).ifPresent(refusal -> {
            if (blockedUntil.size() >= MAX_BLOCKED) {
                blockedUntil.values().removeIf(until -> until <= now);
            }
            blockedUntil.put(charge.key(), now + refusal.retryAfter().toMillis());
        });
    }

    private void purgeExpiredNowAndThen() {
        long now = clock.millis();
        long last = lastPurge.get();
        if (now - last >= PURGE_EVERY.toMillis() && lastPurge.compareAndSet(last, now)) {
            var instant = clock.instant();
            store.deleteExpired(instant.minus(IDLE), instant.minus(ABSOLUTE));
        }
    }

    private static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
