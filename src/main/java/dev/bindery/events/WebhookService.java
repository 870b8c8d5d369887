package dev.bindery.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.BinderyException;
import dev.bindery.access.AccessService;
import dev.bindery.access.OutgoingUrls;
import dev.bindery.access.Permission;
import dev.bindery.content.ContentService;
import dev.bindery.content.ContentStore;
import dev.bindery.content.Pkg;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.content.Refs.VersionRef;
import dev.bindery.content.Repository;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Webhooks (Get, Register, Test and Delete a Webhook): who may manage them, which URLs they may
 * call, and what a call carries.
 *
 * <p>A call of a hook for version {@code v} of package {@code p} sends the documented JSON
 * ({@code package}, {@code version}, {@code released}, {@code release_notes}) with header
 * {@code X-Bintray-Hook-Hmac}: the Base64 HMAC-SHA256 of the package name. Bintray keyed it with the
 * registering subject's API key; Bindery keeps only the hex SHA-256 of API keys, so the key is that
 * hex string (for an organization or an access key, its owner's). URLs are http(s) only and not
 * private, loopback or link-local unless {@code allowPrivateTargets}: checked at registration and
 * again before each call. Thread-safe.
 */
public final class WebhookService {

    /** Hooks per subject ("By default a user can register up to 10 webhook callbacks"). */
    public static final int LIMIT = 10;
    /** Consecutive failures that deactivate a hook. */
    public static final int MAX_FAILURES = 7;
    private static final Set<String> METHODS = Set.of("POST", "PUT", "GET");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Register a Webhook's documented "ISO8601 (yyyy-MM-dd'T'HH:mm:ss.SSSZ)". */
    private static final DateTimeFormatter RELEASED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
            .withZone(ZoneOffset.UTC);

    private final WebhookStore store;
    private final SubjectService subjects;
    private final ContentStore content;
    private final AccessService access;
    private final Clock clock;
    private final boolean allowPrivateTargets;
    private volatile WebhookSink testSink;

    public WebhookService(WebhookStore store, SubjectService subjects, ContentStore content, AccessService access,
                          Clock clock, boolean allowPrivateTargets, java.time.Duration timeout) {
        this.store = store;
        this.subjects = subjects;
        this.content = content;
        this.access = access;
        this.clock = clock;
        this.allowPrivateTargets = allowPrivateTargets;
        this.testSink = new WebhookSink.Http(timeout, this::refusal);
    }

    /** The body of Register a Webhook and (optionally) Test a Webhook; {@code method} defaults to post. */
    public record HookRequest(String url, String method) {
        public static final HookRequest NONE = new HookRequest(null, null);
    }

    /** The outcome of a registration, for the {@code X-Bintray-WebHookLimit-*} headers. */
    public record Registration(int limit, int remaining) {
    }

    // --- management ---------------------------------------------------------------------------

    /** Get Webhooks: the hooks of {@code subject}'s repositories the caller may read ({@code repo} may be null). */
    public List<Webhook> list(Caller caller, String subject, String repo) {
        access.requireAuthenticated(caller);
        var owner = subjects.findSubject(subject)
                .orElseThrow(() -> BinderyException.notFound("Subject '" + subject + "' was not found"));
        if (repo != null) {
            var notFound = "Repository '" + subject + "/" + repo + "' was not found";
            var repository = content.repository(owner.id(), repo)
                    .orElseThrow(() -> BinderyException.notFound(notFound));
            access.requireRead(caller, access.permission(caller, ContentService.resource(repository)), notFound);
            return store.list(subject, repo);
        }
        var visible = new ArrayList<Webhook>();
        for (var hook : store.list(subject, null)) {
            var repository = content.repository(owner.id(), hook.repo());
            if (repository.isPresent()
                    && access.permission(caller, ContentService.resource(repository.get())).atLeast(Permission.READ)) {
                visible.add(hook);
            }
        }
        return visible;
    }

    /** Register a Webhook, or replace and re-activate the package's hook. 400 past {@link #LIMIT}. */
    public Registration register(Caller caller, PackageRef ref, HookRequest request) {
        requirePublish(caller, ref);
        if (request == null || request.url() == null || request.url().isBlank()) {
            throw BinderyException.badRequest("Field 'url' is required");
        }
        var method = method(request.method());
        checkTarget(request.url());
        int count = store.upsert(new Webhook(ref.subject(), ref.repo(), ref.pkg(), request.url(), method,
                caller.name(), 0, true), LIMIT, clock.millis());
        if (count < 0) {
            throw BinderyException.badRequest("Subject '" + ref.subject() + "' already has the maximum of " + LIMIT
                    + " webhooks");
        }
        return new Registration(LIMIT, LIMIT - count);
    }

    /** Delete a Webhook. */
    public void delete(Caller caller, PackageRef ref) {
        requirePublish(caller, ref);
        if (!store.delete(ref.subject(), ref.repo(), ref.pkg())) {
            throw BinderyException.notFound("Package '" + ref + "' has no webhook");
        }
    }

    /**
     * Test a Webhook: calls it now, once, for the version, with the request's URL and method if given,
     * else the registered hook's. Returns the payload sent; 400 if the receiver did not answer 2xx.
     * Does not count towards the hook's failures.
     */
    public Map<String, String> test(Caller caller, VersionRef ref, HookRequest request) {
        var pkg = requirePublish(caller, ref.packageRef());
        var version = content.version(pkg.id(), ref.version()).orElseThrow(() -> BinderyException.notFound(
                "Version '" + ref + "' was not found"));
        var registered = store.find(ref.subject(), ref.repo(), ref.pkg());
        var given = request == null ? HookRequest.NONE : request;
        String url = given.url() != null && !given.url().isBlank() ? given.url()
                : registered.map(Webhook::url).orElseThrow(() -> BinderyException.badRequest(
                "Package '" + ref.packageRef() + "' has no webhook and the request names no 'url'"));
        checkTarget(url);
        var method = given.method() != null ? method(given.method())
                : registered.map(Webhook::method).orElse("POST");
        var hook = new Webhook(ref.subject(), ref.repo(), ref.pkg(), url, method, caller.name(), 0, true);
        var released = version.released() != null ? version.released()
                : version.published() != null ? version.published() : version.created();
        var payload = payload(ref.pkg(), ref.version(), released, version.desc());
        try {
            testSink.send(call(hook, payload));
        } catch (IOException e) {
            throw BinderyException.badRequest("Webhook call failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BinderyException.badRequest("Webhook call interrupted");
        }
        return payload;
    }

    private Pkg requirePublish(Caller caller, PackageRef ref) {
        access.requireAuthenticated(caller);
        var notFound = "Repository '" + ref.repoRef() + "' was not found";
        Repository repository = subjects.findSubject(ref.subject())
                .flatMap(owner -> content.repository(owner.id(), ref.repo()))
                .orElseThrow(() -> BinderyException.notFound(notFound));
        var resource = ContentService.resource(repository);
        var permission = access.permission(caller, resource);
        var pkg = content.pkg(repository.id(), ref.pkg());
        if (!permission.atLeast(Permission.PUBLISH) && pkg.isPresent()) {
            // "or package read/write entitlement"
            var onPackage = access.permission(caller, resource.pkg(ref.pkg()));
            permission = onPackage.atLeast(permission) ? onPackage : permission;
        }
        access.requirePublish(caller, permission, notFound, "manage webhooks of '" + ref + "'");
        return pkg.orElseThrow(() -> BinderyException.notFound("Package '" + ref + "' was not found"));
    }

    private static String method(String given) {
        var method = given == null || given.isBlank() ? "POST" : given.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw BinderyException.badRequest("Field 'method' must be post, put or get");
        }
        return method;
    }

    // --- calls --------------------------------------------------------------------------------

    /** Fails with 400 unless {@code url} (which may hold %r and %p) may be called. */
    void checkTarget(String url) {
        var uri = parse(url.replace("%r", "r").replace("%p", "p"));
        var refused = refusal(uri);
        if (refused != null) {
            throw BinderyException.badRequest("Field 'url' " + refused);
        }
    }

    private static URI parse(String url) {
        return OutgoingUrls.parse(url, "url");
    }

    /** Why {@code uri}'s host may not be called, or null if it may. */
    String refusal(URI uri) {
        return OutgoingUrls.refusal(uri, allowPrivateTargets);
    }

    /** The documented body of a hook call. */
    static Map<String, String> payload(String pkg, String version, Instant released, String releaseNotes) {
        var payload = new LinkedHashMap<String, String>();
        payload.put("package", pkg);
        payload.put("version", version);
        payload.put("released", released == null ? null : RELEASED.format(released));
        payload.put("release_notes", releaseNotes == null ? "" : releaseNotes);
        return payload;
    }

    /** The call of {@code hook} for a published version (at {@code released}). */
    WebhookSink.Call call(Webhook hook, String version, Instant released) {
        String notes = null;
        var owner = subjects.findSubject(hook.owner());
        if (owner.isPresent()) {
            notes = content.repository(owner.get().id(), hook.repo())
                    .flatMap(repository -> content.pkg(repository.id(), hook.pkg()))
                    .flatMap(pkg -> content.version(pkg.id(), version))
                    .map(dev.bindery.content.Version::desc).orElse(null);
        }
        return call(hook, payload(hook.pkg(), version, released, notes));
    }

    private WebhookSink.Call call(Webhook hook, Map<String, String> payload) {
        var url = hook.url().replace("%r", encode(hook.repo())).replace("%p", encode(hook.pkg()));
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Webhook URL " + url + " is not valid", e);
        }
        byte[] body = hook.method().equals("GET") ? null : json(payload);
        var hmac = signingKey(hook).map(key -> hmac(key, hook.pkg())).orElse(null);
        return new WebhookSink.Call(uri, hook.method(), body, hmac);
    }

    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The hex SHA-256 of the registering user's API key; for an access key or organization, its owner's. */
    private Optional<String> signingKey(Webhook hook) {
        var by = hook.registeredBy();
        var name = by.contains("@") ? by.substring(by.lastIndexOf('@') + 1) : by;
        var subject = subjects.findSubject(name).or(() -> subjects.findSubject(hook.owner()));
        return subject.flatMap(subjects::callbackSigningKey);
    }


    /** The receiver's side, for tests and documentation: Base64 HMAC-SHA256 of {@code message}. */
    public static String hmac(String key, String message) {
        return OutgoingUrls.hmacBase64("HmacSHA256", key, message);
    }

    private static byte[] json(Object payload) {
        try {
            return JSON.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
