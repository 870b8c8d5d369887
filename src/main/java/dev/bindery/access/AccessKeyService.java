package dev.bindery.access;

import dev.bindery.BinderyException;
import dev.bindery.subject.ApiKeys;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Credential;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Access keys: creating, reading, updating and deleting them for the admins of their subject;
 * verifying {@code key@subject:password} (the {@link Authenticator#accessKeys} hook) and admitting
 * verified keys on every request (the {@link Authenticator#admission} hook: expiry, white and black
 * CIDRs, the existence check). What a key may reach is decided by its entitlements
 * ({@link EntitlementGrants}).
 *
 * <p>The existence check calls the key's URL when a key authenticates and the last answer is older
 * than {@code cache_for_secs}: a 404 deletes the key and refuses the request; a 2xx keeps it; any
 * other answer, a timeout or a connection failure keeps it too (a flaky callback must not lock
 * everybody out) and is logged without the URL's secrets. The answer is cached per key, so only
 * one request per period waits for the callback. To put a password into the URL, the password a
 * key last authenticated with is kept in memory (only for keys whose URL asks for it). Unless the
 * server allows private callbacks, a URL whose host is a private, loopback or link-local address is
 * refused (400) when set and not called (the key is kept) when it resolves to one later. Keys,
 * verdicts and those passwords live in memory per node. Thread-safe.
 */
public final class AccessKeyService {

    private static final Logger LOG = LoggerFactory.getLogger(AccessKeyService.class);
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int MIN_CACHE_FOR_SECS = 60;
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    private final AccessKeyStore store;
    private final SubjectService subjects;
    private final AccessService access;
    private final Clock clock;
    private volatile HttpClient http;
    private final Runnable credentialsChanged;
    private final boolean allowPrivateTargets;
    private final ConcurrentHashMap<Long, Live> live = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
    private final ConcurrentHashMap<Long, Long> checkedAt = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, String> secrets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Object> checkLocks = new ConcurrentHashMap<>();
    private final List<Runnable> keyListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * A key as admission needs it, with its CIDRs parsed, as loaded at {@code generation}: a key change
     * during the load leaves it outdated, so it is loaded again.
     */
    private record Live(AccessKey key, Cidrs cidrs, long generation) {
        Live(AccessKey key, long generation) {
            this(key, Cidrs.of(key.whiteCidrs(), key.blackCidrs()), generation);
        }
    }

    /**
     * What a create or update asks for; null fields are not given (for an update: unchanged).
     *
     * @param password       null or empty: generate one
     * @param expirySet      whether {@code expiry} was given (null then removes it)
     * @param existenceCheckSet whether {@code existenceCheck} was given (null then removes it)
     */
    public record KeyRequest(String id, String password, Instant expiry, boolean expirySet,
                             AccessKey.ExistenceCheck existenceCheck, boolean existenceCheckSet,
                             List<String> whiteCidrs, List<String> blackCidrs, Boolean apiOnly) {
    }

    /** A key with the password it was just given, or null when it was not changed. */
    public record KeyWithPassword(AccessKey key, String username, String password) {
    }

    /**
     * @param credentialsChanged what drops cached credentials (the authenticator's), called when a key
     *                           changes or goes
     */
    public AccessKeyService(AccessKeyStore store, SubjectService subjects, AccessService access, Clock clock,
                            Runnable credentialsChanged, boolean allowPrivateTargets) {
        this.store = store;
        this.subjects = subjects;
        this.access = access;
        this.clock = clock;
        this.credentialsChanged = credentialsChanged;
        this.allowPrivateTargets = allowPrivateTargets;
    }

    /** Registers the verifier and the per-request admission with {@code authenticator}. */
    public void register(Authenticator authenticator) {
        authenticator.accessKeys(this::verify);
        authenticator.admission(this::admit);
    }

    /** Runs {@code listener} after a key is deleted (entitlements lose it). */
    public void onKeysChanged(Runnable listener) {
        keyListeners.add(listener);
    }

    // --- management ---------------------------------------------------------------------------

    public List<AccessKey> keys(Caller caller, Subject owner) {
        requireAdmin(caller, owner, "see the access keys of '" + owner.name() + "'");
        return store.keysOf(owner.id());
    }

    public AccessKey key(Caller caller, Subject owner, String keyId) {
        requireAdmin(caller, owner, "see the access keys of '" + owner.name() + "'");
        return find(owner, keyId);
    }

    /** The keys of {@code owner} named {@code keyIds}; a 400 naming those it does not have. */
    public List<AccessKey> existing(Subject owner, java.util.Collection<String> keyIds) {
        var found = store.keys(owner.id(), keyIds);
        var missing = new java.util.TreeSet<>(keyIds);
        found.forEach(key -> missing.remove(key.keyId()));
        if (!missing.isEmpty()) {
            throw BinderyException.badRequest("Unknown access keys of '" + owner.name() + "': "
                    + String.join(", ", missing));
        }
        return found;
    }

    public KeyWithPassword create(Caller caller, Subject owner, KeyRequest request) {
        requireAdmin(caller, owner, "create access keys for '" + owner.name() + "'");
        if (request.id() == null || !KEY_ID.matcher(request.id()).matches()) {
            throw BinderyException.badRequest("Field 'id' is required: 1 to 64 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
        var white = request.whiteCidrs() == null ? List.<String>of() : request.whiteCidrs();
        var black = request.blackCidrs() == null ? List.<String>of() : request.blackCidrs();
        Cidrs.validate(white, "white_cidrs");
        Cidrs.validate(black, "black_cidrs");
        var check = request.existenceCheck();
        validate(check);
        var password = request.password() == null || request.password().isEmpty()
                ? ApiKeys.generate() : request.password();
        var key = new AccessKey(0, owner.id(), request.id(), ApiKeys.hash(password), request.expiry(), white, black,
                request.apiOnly() == null || request.apiOnly(), check, clock.instant());
        var stored = store.insert(key).orElseThrow(() -> BinderyException.conflict(
                "Access key '" + request.id() + "' already exists for '" + owner.name() + "'"));
        return new KeyWithPassword(stored, username(stored, owner), password);
    }

    /** Changes what the request gives; the password in the answer only when it was set or regenerated. */
    public KeyWithPassword update(Caller caller, Subject owner, String keyId, KeyRequest request) {
        requireAdmin(caller, owner, "update access keys of '" + owner.name() + "'");
        var key = find(owner, keyId);
        var white = request.whiteCidrs() == null ? key.whiteCidrs() : request.whiteCidrs();
        var black = request.blackCidrs() == null ? key.blackCidrs() : request.blackCidrs();
        Cidrs.validate(white, "white_cidrs");
        Cidrs.validate(black, "black_cidrs");
        var check = request.existenceCheckSet() ? request.existenceCheck() : key.existenceCheck();
        validate(check);
        String password = null;
        var hash = key.passwordHash();
        if (request.password() != null) {
            password = request.password().isEmpty() ? ApiKeys.generate() : request.password();
            hash = ApiKeys.hash(password);
        }
        var updated = new AccessKey(key.id(), key.ownerId(), key.keyId(), hash,
                request.expirySet() ? request.expiry() : key.expiry(), white, black,
                request.apiOnly() == null ? key.apiOnly() : request.apiOnly(), check, key.created());
        store.update(updated);
        forget(key.id());
        return new KeyWithPassword(updated, username(updated, owner), password);
    }

    public void delete(Caller caller, Subject owner, String keyId) {
        requireAdmin(caller, owner, "delete access keys of '" + owner.name() + "'");
        var key = find(owner, keyId);
        store.delete(key.id());
        forget(key.id());
    }

    private AccessKey find(Subject owner, String keyId) {
        return store.key(owner.id(), keyId).orElseThrow(() -> BinderyException.notFound(
                "Access key '" + keyId + "' was not found for '" + owner.name() + "'"));
    }

    private void requireAdmin(Caller caller, Subject owner, String action) {
        access.requireSubjectAdmin(caller, owner, action);
    }

    private void validate(AccessKey.ExistenceCheck check) {
        if (check == null) {
            return;
        }
        if (check.cacheForSecs() < MIN_CACHE_FOR_SECS) {
            throw BinderyException.badRequest("Field 'existence_check.cache_for_secs' must be at least "
                    + MIN_CACHE_FOR_SECS + " seconds");
        }
        URI uri;
        try {
            uri = URI.create(substitute(check.url(), "user", "secret"));
        } catch (IllegalArgumentException | NullPointerException e) {
            uri = null;
        }
        var scheme = uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw BinderyException.badRequest("Field 'existence_check.url' must be an absolute http or https URL");
        }
        var internal = internalAddress(uri.getHost());
        if (internal != null) {
            throw BinderyException.badRequest("Field 'existence_check.url' must not point at a private, loopback or"
                    + " link-local address (" + internal + ")");
        }
    }

    /** The first private, loopback or link-local address {@code host} resolves to, unless those are allowed; else null. */
    private String internalAddress(String host) {
        if (allowPrivateTargets) {
            return null;
        }
        try {
            for (var address : InetAddress.getAllByName(host)) {
                if (OutgoingUrls.isInternal(address)) {
                    return address.getHostAddress();
                }
            }
        } catch (UnknownHostException e) {
            // Not resolvable now: calling it fails later, which keeps the key.
        }
        return null;
    }

    /** Drops what is remembered about a key and every cached credential, so the change counts at once. */
    private void forget(long keyId) {
        generation.incrementAndGet();
        live.remove(keyId);
        checkedAt.remove(keyId);
        secrets.remove(keyId);
        credentialsChanged.run();
        keyListeners.forEach(Runnable::run);
    }

    private static String username(AccessKey key, Subject owner) {
        return key.keyId() + "@" + owner.name();
    }

    // --- authentication -----------------------------------------------------------------------

    /** The {@link Authenticator.Verifier} of access keys: {@code key@subject} and its password. */
    Optional<Caller> verify(String username, String password) {
        var at = username.indexOf('@');
        if (at <= 0 || at == username.length() - 1) {
            return Optional.empty();
        }
        var owner = subjects.findSubject(username.substring(at + 1));
        if (owner.isEmpty()) {
            return Optional.empty();
        }
        long loadedAt = generation.get();
        var key = store.key(owner.get().id(), username.substring(0, at));
        if (key.isEmpty() || !ApiKeys.matches(password, key.get().passwordHash())) {
            return Optional.empty();
        }
        var stored = key.get();
        // Refreshed at each verification, so changes made on another node count once cached credentials expire.
        live.put(stored.id(), new Live(stored, loadedAt));
        if (stored.existenceCheck() != null && stored.existenceCheck().url().contains(":password")) {
            secrets.put(stored.id(), password);
        }
        return Optional.of(Caller.of(new Credential.AccessKey(stored.id(), stored.keyId(), owner.get(),
                stored.apiOnly())));
    }

    /** The {@link Authenticator.Admission} of access keys: runs on every request, cached credential or not. */
    void admit(Caller caller, String clientIp) {
        var credential = caller.accessKey().orElse(null);
        if (credential == null) {
            return;
        }
        var current = live.get(credential.id());
        if (current == null || current.generation() != generation.get()) {
            long loadedAt = generation.get();
            current = store.byId(credential.id()).map(key -> new Live(key, loadedAt)).orElse(null);
            if (current == null) {
                live.remove(credential.id());
                throw BinderyException.unauthorized("Access key '" + credential.username() + "' does not exist");
            }
            live.put(credential.id(), current);
        }
        var key = current.key();
        if (key.expiry() != null && !clock.instant().isBefore(key.expiry())) {
            throw BinderyException.unauthorized("Access key '" + credential.username() + "' has expired");
        }
        if (!current.cidrs().admits(clientIp)) {
            throw BinderyException.forbidden("Access key '" + credential.username()
                    + "' may not be used from this address");
        }
        if (key.existenceCheck() != null) {
            checkExistence(key, credential.username());
        }
    }

    private void checkExistence(AccessKey key, String username) {
        long periodMillis = key.existenceCheck().cacheForSecs() * 1000L;
        if (fresh(key.id(), periodMillis)) {
            return;
        }
        synchronized (checkLocks.computeIfAbsent(key.id(), id -> new Object())) {
            // Another request may have asked while this one waited.
            if (fresh(key.id(), periodMillis)) {
                return;
            }
            if (callExists(key, username)) {
                checkedAt.put(key.id(), clock.millis());
                return;
            }
        }
        LOG.info("Access key '{}' was deleted: its existence check answered 404", username);
        store.delete(key.id());
        forget(key.id());
        checkLocks.remove(key.id());
        throw BinderyException.unauthorized("Access key '" + username + "' does not exist any more");
    }

    private boolean fresh(long keyId, long periodMillis) {
        var at = checkedAt.get(keyId);
        return at != null && clock.millis() - at < periodMillis;
    }

    /** False only when the callback answered 404; everything else keeps the key. */
    private boolean callExists(AccessKey key, String username) {
        var template = key.existenceCheck().url();
        var password = secrets.get(key.id());
        if (template.contains(":password") && password == null) {
            // Only after a restart of the cache without a fresh login; ask again at the next one.
            return true;
        }
        try {
            var uri = URI.create(substitute(template, username, password == null ? "" : password));
            if (internalAddress(uri.getHost()) != null) {
                LOG.warn("Existence check of access key '{}' not made: its host is a private address; keeping the key",
                        username);
                return true;
            }
            var request = HttpRequest.newBuilder(uri)
                    .timeout(CHECK_TIMEOUT).GET().build();
            int status = http().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 404) {
                return false;
            }
            if (status < 200 || status > 299) {
                LOG.warn("Existence check of access key '{}' answered {}; keeping the key", username, status);
            }
            return true;
        } catch (IOException | IllegalArgumentException e) {
            // The exception's message may hold the URL, and with it the password: name its class only.
            LOG.warn("Existence check of access key '{}' failed ({}); keeping the key", username,
                    e.getClass().getSimpleName());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** The client of existence checks, made at the first one: most servers never need its thread. */
    private HttpClient http() {
        var client = http;
        if (client == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().connectTimeout(CHECK_TIMEOUT)
                            .followRedirects(HttpClient.Redirect.NEVER).build();
                }
                client = http;
            }
        }
        return client;
    }

    private static String substitute(String template, String username, String password) {
        return template.replace(":username", URLEncoder.encode(username, StandardCharsets.UTF_8))
                .replace(":password", URLEncoder.encode(password, StandardCharsets.UTF_8));
    }
}
