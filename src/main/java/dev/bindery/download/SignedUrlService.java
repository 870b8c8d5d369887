package dev.bindery.download;

import dev.bindery.BinderyException;
import dev.bindery.access.AccessService;
import dev.bindery.access.Permission;
import dev.bindery.access.UrlSigner;
import dev.bindery.content.ContentService;
import dev.bindery.content.ContentStore;
import dev.bindery.content.FileEntry;
import dev.bindery.content.FilePath;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.content.Repository;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Credential;
import dev.bindery.subject.SubjectService;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * URL Signing and Dynamic Download: anonymous, expiring download URLs of one file, signed with the
 * repository owner's key ({@link UrlSigner}).
 *
 * <p>A signed URL is {@code /dl/:subject/:repo/:file_path?expiry=E[&callback_id=..&callback_email=..
 * &callback_url=..&callback_method=..]&signature=S}. The signature (Ed25519, base64url) covers the
 * subject, repository, path, expiry and every callback parameter, so a download verifies it from
 * the URL alone, with no record of the URL kept anywhere. With {@code encrypt=true} the callback
 * parameters do not show: the URL is {@code ?expiry=E&id=ID&signature=S}, where {@code ID} is
 * base64url of {@code IV1 | AES-256-CBC(server key, K) | IV2 | AES-256-CBC(K, query)}, {@code K}
 * being the SHA-256 of the secret returned in {@code X-Bintray-Secret}, {@code query} the URL's
 * parameters in clear ({@code expiry=E&callback_id=...}), and the server key derived from the
 * owner's signing key (so the server can read them back without storing anything). Thread-safe.
 */
public final class SignedUrlService {

    public static final Duration DEFAULT_VALIDITY = Duration.ofHours(24);
    /** Dynamic Download redirects to a URL valid this long, as Bintray did. */
    public static final Duration DYNAMIC_VALIDITY = Duration.ofSeconds(15);
    public static final String LATEST = "$latest";

    private static final String VERSION = "bindery-signed-url-v1";
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "HEAD");
    private static final Pattern CALLBACK_ID = Pattern.compile("[A-Za-z0-9._@+~-]{1,128}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,189}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final long TARGET_TTL_NANOS = Duration.ofSeconds(5).toNanos();
    private static final int MAX_CACHED = 10_000;

    private final UrlSigner signer;
    private final SubjectService subjects;
    private final ContentStore store;
    private final ContentService content;
    private final AccessService access;
    private final CallbackSender callbacks;
    private final Clock clock;
    private final String baseUrl;
    private final ConcurrentHashMap<RepoRef, CachedTarget> targets = new ConcurrentHashMap<>();

    /**
     * What a URL is signed with and for.
     *
     * @param expiry       epoch millis, or null
     * @param validForSecs seconds from now, or null (at most one of expiry and validForSecs)
     */
    public record SignRequest(Long expiry, Long validForSecs, String callbackId, String callbackEmail,
                              String callbackUrl, String callbackMethod, String secret) {
        public static final SignRequest NONE = new SignRequest(null, null, null, null, null, null, null);
    }

    /**
     * A signed URL.
     *
     * @param path   {@code /dl/:subject/:repo/:file_path}, percent-encoded
     * @param query  what follows the {@code ?}
     * @param secret the secret of an encrypted URL, null otherwise
     */
    public record Signed(String path, String query, String secret) {
        public String pathAndQuery() {
            return path + "?" + query;
        }
    }

    /** The callback parameters of a signed URL; each may be null. */
    public record Callbacks(String id, String email, String url, String method) {
        static final Callbacks NONE = new Callbacks(null, null, null, null);
    }

    /** A download URL whose signature held: who the caller is, and whom to tell about the download. */
    public record Verified(Credential.SignedUrl credential, Callbacks callbacks) {
        /** The user of download events and logs: {@code anonymous:callback_id}, as Bintray logged it. */
        public String userName() {
            return credential.callbackId() == null ? "anonymous" : "anonymous:" + credential.callbackId();
        }
    }

    private record Target(long ownerId, long repositoryId, long loadedAtNanos) {
    }

    private record CachedTarget(Optional<Target> target) {
    }

    public SignedUrlService(UrlSigner signer, SubjectService subjects, ContentStore store, ContentService content,
                            AccessService access, CallbackSender callbacks, Clock clock, String baseUrl) {
        this.baseUrl = baseUrl;
        this.signer = signer;
        this.subjects = subjects;
        this.store = store;
        this.content = content;
        this.access = access;
        this.callbacks = callbacks;
        this.clock = clock;
        content.onChange(targets::clear);
    }

    /** The configured public base URL of generated links, or null to take the request's. */
    public String baseUrl() {
        return baseUrl;
    }

    // --- signing ------------------------------------------------------------------------------

    /**
     * URL Signing: a signed URL of the file at {@code path}, for a caller who may publish in the
     * repository (or holds a read/write entitlement on the file).
     *
     * @throws BinderyException 400 for invalid parameters, 401/403/404 for callers who may not
     */
    public Signed sign(Caller caller, RepoRef ref, FilePath path, SignRequest request, boolean encrypt) {
        access.requireAuthenticated(caller);
        var notFound = "Repository '" + ref + "' was not found";
        var repository = subjects.findSubject(ref.subject()).flatMap(owner -> store.repository(owner.id(), ref.repo()))
                .orElseThrow(() -> BinderyException.notFound(notFound));
        var resource = ContentService.resource(repository);
        var file = store.file(repository.id(), path.value());
        var permission = access.permission(caller, resource);
        if (!permission.atLeast(Permission.PUBLISH) && file.isPresent()) {
            var onFile = access.permission(caller, resource.file(file.get().pkg(), file.get().version(), path.value()));
            permission = onFile.atLeast(permission) ? onFile : permission;
        }
        access.requirePublish(caller, permission, notFound, "sign URLs in '" + ref + "'");
        if (file.isEmpty()) {
            throw BinderyException.notFound("File '" + path + "' was not found in '" + ref + "'");
        }
        long expiry = expiry(request);
        var callbackSpec = callbacks(request);
        String secret = null;
        if (encrypt) {
            secret = request.secret() == null || request.secret().isEmpty() ? generateSecret() : request.secret();
            if (secret.length() > 256) {
                throw BinderyException.badRequest("Field 'secret' must be at most 256 characters");
            }
        }
        return signed(repository, path, expiry, callbackSpec, secret);
    }

    /**
     * Dynamic Download: the file at {@code rawPath}, where {@code $latest} stands for the latest
     * published version of {@code pkg}, as a URL signed for {@link #DYNAMIC_VALIDITY}. The caller
     * needs read access to the file.
     */
    public Signed dynamicDownload(Caller caller, RepoRef ref, String rawPath, String pkg) {
        var resolvedPath = rawPath;
        if (rawPath.contains(LATEST)) {
            if (pkg == null || pkg.isBlank()) {
                throw BinderyException.badRequest("A path with $latest needs the package: give the bt_package query"
                        + " or matrix parameter, or the X-Bintray-Package header");
            }
            var latest = content.pkg(caller, new PackageRef(ref.subject(), ref.repo(), pkg)).latestVersion();
            if (latest == null) {
                throw BinderyException.notFound("Package '" + ref + "/" + pkg + "' has no published version");
            }
            resolvedPath = rawPath.replace(LATEST, latest);
        }
        var path = FilePath.of(resolvedPath);
        var file = content.file(caller, ref, path);
        var repository = store.repositoryById(file.repositoryId()).orElseThrow(() ->
                BinderyException.notFound("Repository '" + ref + "' was not found"));
        return signed(repository, path, clock.millis() + DYNAMIC_VALIDITY.toMillis(), Callbacks.NONE, null);
    }

    /** Re-generates the subject's URL signing key, revoking every URL it signed. Subject admins only. */
    public void regenerateKey(Caller caller, String subjectName) {
        access.requireAuthenticated(caller);
        var subject = subjects.subject(subjectName);
        access.requireSubjectAdmin(caller, subject, "re-generate the URL signing key of '" + subjectName + "'");
        signer.regenerate(subject.id());
        targets.clear();
    }

    private Signed signed(Repository repository, FilePath path, long expiry, Callbacks spec, String secret) {
        var subject = repository.owner().name();
        var repo = repository.name();
        var ownerId = repository.owner().id();
        var urlPath = "/dl/" + encodePath(subject) + "/" + encodePath(repo) + "/" + encodePath(path.value());
        var clearQuery = clearQuery(expiry, spec);
        String query;
        if (secret != null) {
            var id = encrypt(signer.wrapKey(ownerId, true).orElseThrow(), secret, clearQuery);
            var message = message(subject, repo, path.value(), expiry, null, id);
            query = "expiry=" + expiry + "&id=" + id + "&signature=" + B64URL.encodeToString(signer.sign(ownerId, message));
        } else {
            var message = message(subject, repo, path.value(), expiry, spec, null);
            query = clearQuery + "&signature=" + B64URL.encodeToString(signer.sign(ownerId, message));
        }
        return new Signed(urlPath, query, secret);
    }

    private long expiry(SignRequest request) {
        long now = clock.millis();
        if (request.expiry() != null && request.validForSecs() != null) {
            throw BinderyException.badRequest("Fields 'expiry' and 'valid_for_secs' are mutually exclusive");
        }
        if (request.validForSecs() != null) {
            if (request.validForSecs() <= 0 || request.validForSecs() > Long.MAX_VALUE / 2000) {
                throw BinderyException.badRequest("Field 'valid_for_secs' must be a positive number of seconds");
            }
            return now + request.validForSecs() * 1000;
        }
        if (request.expiry() != null) {
            if (request.expiry() <= now) {
                throw BinderyException.badRequest("Field 'expiry' must be in the future (Unix epoch milliseconds), not "
                        + request.expiry());
            }
            return request.expiry();
        }
        return now + DEFAULT_VALIDITY.toMillis();
    }

    private Callbacks callbacks(SignRequest request) {
        var id = request.callbackId();
        if (id != null && !CALLBACK_ID.matcher(id).matches()) {
            throw BinderyException.badRequest("Field 'callback_id' must be 1 to 128 letters, digits or ._@+~- characters");
        }
        var email = request.callbackEmail();
        if (email != null) {
            if (id == null) {
                throw BinderyException.badRequest("Field 'callback_email' requires a 'callback_id'");
            }
            if (!EMAIL.matcher(email).matches()) {
                throw BinderyException.badRequest("Field 'callback_email' is not an email address: '" + email + "'");
            }
        }
        var url = request.callbackUrl();
        if (url != null) {
            callbacks.checkTarget(url);
        }
        var method = request.callbackMethod();
        if (method != null) {
            method = method.trim().toUpperCase(Locale.ROOT);
            if (!METHODS.contains(method)) {
                throw BinderyException.badRequest("Field 'callback_method' must be one of GET, POST, PUT, HEAD, not '"
                        + request.callbackMethod() + "'");
            }
        }
        return new Callbacks(id, email, url, method);
    }

    private static String generateSecret() {
        var bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return B64URL.encodeToString(bytes);
    }

    // --- verifying ----------------------------------------------------------------------------

    /**
     * Checks the signed URL a download query carries; empty when the query has no {@code signature}
     * (a plain download). Needs no database once the owner's key and the repository are cached.
     *
     * @throws BinderyException 403 when the URL was tampered with, is for another file, was revoked
     *                          or expired (an unknown repository too)
     */
    public Optional<Verified> verify(RepoRef ref, FilePath path, String rawQuery) {
        if (rawQuery == null || !rawQuery.contains("signature=")) {
            return Optional.empty();
        }
        var params = parseQuery(rawQuery);
        var signatureText = params.get("signature");
        if (signatureText == null) {
            return Optional.empty();
        }
        // An unknown repository answers like a wrong signature: nothing is learned from a forged URL.
        var target = target(ref).orElseThrow(() -> BinderyException.forbidden(
                "Signed URL is not valid: the signature does not match this file"));
        long expiry = parseExpiry(params.get("expiry"));
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(signatureText);
        } catch (IllegalArgumentException e) {
            throw BinderyException.forbidden("Signed URL is not valid: its signature is not base64url");
        }
        var id = params.get("id");
        var spec = new Callbacks(params.get("callback_id"), params.get("callback_email"), params.get("callback_url"),
                params.get("callback_method"));
        if (id != null && !spec.equals(Callbacks.NONE)) {
            throw BinderyException.forbidden("Signed URL is not valid: an encrypted URL carries no callback parameters");
        }
        var message = id != null ? message(ref.subject(), ref.repo(), path.value(), expiry, null, id)
                : message(ref.subject(), ref.repo(), path.value(), expiry, spec, null);
        if (!signer.verify(target.ownerId(), message, signature)) {
            throw BinderyException.forbidden("Signed URL is not valid: the signature does not match this file, expiry"
                    + " and parameters, or the URL signing key was re-generated");
        }
        if (clock.millis() >= expiry) {
            throw BinderyException.forbidden("Signed URL expired at " + Instant.ofEpochMilli(expiry));
        }
        if (id != null) {
            spec = decrypted(target.ownerId(), id, expiry);
        }
        return Optional.of(new Verified(new Credential.SignedUrl(target.repositoryId(), path.value(), spec.id()), spec));
    }

    /** After a completed download through a signed URL: calls its callback URL in the background. */
    public void downloaded(Verified verified, FileEntry file, String clientIp) {
        var spec = verified.callbacks();
        if (spec.url() != null) {
            callbacks.callUrl(spec, file, clientIp);
        }
        if (spec.email() != null) {
            callbacks.mail(spec, file, clientIp);
        }
    }

    private Callbacks decrypted(long ownerId, String id, long expiry) {
        var wrapKey = signer.wrapKey(ownerId, false).orElseThrow(() ->
                BinderyException.forbidden("Signed URL is not valid: the URL signing key was re-generated"));
        String clear;
        try {
            clear = decrypt(wrapKey, id);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw BinderyException.forbidden("Signed URL is not valid: its encrypted parameters cannot be read");
        }
        var params = parseQuery(clear);
        if (parseExpiry(params.get("expiry")) != expiry) {
            throw BinderyException.forbidden("Signed URL is not valid: its encrypted expiry differs");
        }
        return new Callbacks(params.get("callback_id"), params.get("callback_email"), params.get("callback_url"),
                params.get("callback_method"));
    }

    private static long parseExpiry(String value) {
        if (value == null) {
            throw BinderyException.forbidden("Signed URL is not valid: it has no expiry");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw BinderyException.forbidden("Signed URL is not valid: its expiry is not a number");
        }
    }

    /** Query parameters, decoded; a parameter given twice makes the URL invalid, since it would be ambiguous. */
    private static Map<String, String> parseQuery(String rawQuery) {
        var params = new HashMap<String, String>();
        for (var pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw BinderyException.forbidden("Signed URL is not valid: its query is not validly encoded");
            }
            if (params.put(name, value) != null) {
                throw BinderyException.forbidden("Signed URL is not valid: parameter '" + name + "' is given twice");
            }
        }
        return params;
    }

    private Optional<Target> target(RepoRef ref) {
        var hit = targets.get(ref);
        long now = System.nanoTime();
        if (hit != null && hit.target().map(t -> now - t.loadedAtNanos() < TARGET_TTL_NANOS).orElse(false)) {
            return hit.target();
        }
        var loaded = subjects.findSubject(ref.subject())
                .flatMap(owner -> store.repository(owner.id(), ref.repo()))
                .map(repository -> new Target(repository.owner().id(), repository.id(), now));
        if (targets.size() >= MAX_CACHED) {
            targets.clear();
        }
        // Only hits are cached: a bogus URL must not fill the cache.
        loaded.ifPresent(found -> targets.put(ref, new CachedTarget(loaded)));
        return loaded;
    }

    // --- encoding -----------------------------------------------------------------------------

    /** The parameters as the URL shows them in clear (and an encrypted URL carries encrypted). */
    private static String clearQuery(long expiry, Callbacks spec) {
        var query = new StringBuilder("expiry=").append(expiry);
        append(query, "callback_id", spec.id());
        append(query, "callback_email", spec.email());
        append(query, "callback_url", spec.url());
        append(query, "callback_method", spec.method());
        return query.toString();
    }

    private static void append(StringBuilder query, String name, String value) {
        if (value != null) {
            query.append('&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    /**
     * What the signature covers: every field length-prefixed (so no field's text can move into
     * another), null distinct from empty.
     */
    private static byte[] message(String subject, String repo, String path, long expiry, Callbacks spec, String id) {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            field(out, VERSION);
            field(out, subject);
            field(out, repo);
            field(out, path);
            field(out, Long.toString(expiry));
            if (id != null) {
                field(out, "encrypted");
                field(out, id);
            } else {
                field(out, "clear");
                field(out, spec.id());
                field(out, spec.email());
                field(out, spec.url());
                field(out, spec.method());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void field(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        var bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** The AES-256 key of a secret: its SHA-256. */
    static byte[] secretKey(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encrypt(byte[] wrapKey, String secret, String clearQuery) {
        try {
            var key = secretKey(secret);
            var wrapIv = randomIv();
            var wrapped = aes(Cipher.ENCRYPT_MODE, wrapKey, wrapIv).doFinal(key);
            var iv = randomIv();
            var payload = aes(Cipher.ENCRYPT_MODE, key, iv).doFinal(clearQuery.getBytes(StandardCharsets.UTF_8));
            return B64URL.encodeToString(ByteBuffer.allocate(16 + wrapped.length + 16 + payload.length)
                    .put(wrapIv).put(wrapped).put(iv).put(payload).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot encrypt with AES-256-CBC", e);
        }
    }

    private static String decrypt(byte[] wrapKey, String id) throws GeneralSecurityException {
        var bytes = Base64.getUrlDecoder().decode(id);
        if (bytes.length < 16 + 48 + 16 + 16) {
            throw new GeneralSecurityException("too short");
        }
        var key = aes(Cipher.DECRYPT_MODE, wrapKey, Arrays.copyOfRange(bytes, 0, 16))
                .doFinal(Arrays.copyOfRange(bytes, 16, 64));
        var clear = aes(Cipher.DECRYPT_MODE, key, Arrays.copyOfRange(bytes, 64, 80))
                .doFinal(Arrays.copyOfRange(bytes, 80, bytes.length));
        return new String(clear, StandardCharsets.UTF_8);
    }

    private static byte[] randomIv() {
        var iv = new byte[16];
        RANDOM.nextBytes(iv);
        return iv;
    }

    private static Cipher aes(int mode, byte[] key, byte[] iv) throws GeneralSecurityException {
        var cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(mode, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        return cipher;
    }

    /** Percent-encodes a path (its slashes kept) so it survives as a URL path. */
    static String encodePath(String path) {
        var out = new StringBuilder();
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~!$'()*+,:@=&/".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }
}
