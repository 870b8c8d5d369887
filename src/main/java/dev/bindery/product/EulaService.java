package dev.bindery.product;

import dev.bindery.BinderyException;
import dev.bindery.Names;
import dev.bindery.content.FileEntry;
import dev.bindery.product.ProductStore.EulaRule;
import dev.bindery.product.ProductStore.Signature;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Credential;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * EULAs of products, their acceptance by access keys, and the download check that enforces them
 * ("EULA-Protected Product Version download").
 *
 * <p>Which EULA protects a version of a product: the EULA naming the version in its
 * {@code versions}, else the product's default EULA, else none. A version is named by at most one
 * EULA of its product (409 otherwise), and a product has at most one default (making one the
 * default takes it from the other).
 *
 * <p>Only access keys are held to EULAs: a download by one, of a file of a package in a product,
 * of a version protected by a EULA the key has not accepted for that version, is refused with 403
 * and the URL where to accept it. The check is answered from memory: the products' packages and
 * EULA rules are cached (reloaded after a change here or in content, and every few seconds so
 * other nodes' changes show up), and so is what each access key accepted. Callers that are not
 * access keys cost one type check. Thread-safe.
 */
public final class EulaService {

    public static final Set<String> SYNTAXES = Set.of("markdown", "asciidoc", "plain_text");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final int MAX_NAME = 128;
    private static final int MAX_CONTENT = 1_000_000;
    private static final int MAX_CACHED_KEYS = 100_000;
    // Host headers end up in a message; anything beyond a host name, address and port is dropped.
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,255}");

    private final ProductService products;
    private final ProductStore store;
    private final Clock clock;
    private final long ttlNanos;
    private final AtomicLong generation = new AtomicLong();
    private volatile Rules rules;
    private final ConcurrentHashMap<Long, Accepted> accepted = new ConcurrentHashMap<>();

    public EulaService(ProductService products, Clock clock, Duration cacheTtl) {
        this.products = products;
        this.store = products.store();
        this.clock = clock;
        this.ttlNanos = cacheTtl.toNanos();
        products.onChange(this::invalidate);
    }

    /** Create or update a EULA; for an update every field is optional (null: unchanged). */
    public record EulaRequest(String name, String syntax, String content, Boolean isDefault, List<String> versions) {
    }

    /** A EULA a version of a product asks an access key to accept. */
    public record Pending(String owner, String product, String version, Eula eula) {
    }

    private record PackageKey(long repositoryId, String pkg) {
    }

    /** A product's EULAs as the download check needs them. */
    private record ProductRules(long productId, String product, String owner, Map<String, EulaRule> byVersion,
                                EulaRule defaultEula) {
        EulaRule ruleFor(String version) {
            var named = byVersion.get(version);
            return named != null ? named : defaultEula;
        }
    }

    private record Rules(Map<PackageKey, List<ProductRules>> byPackage, long expiresAtNanos) {
    }

    private record Accepted(Set<String> signatures, long expiresAtNanos) {
    }

    /** Drops the cached rules and acceptances, e.g. after content changed. */
    public void invalidate() {
        generation.incrementAndGet();
        rules = null;
        accepted.clear();
    }

    // --- EULAs --------------------------------------------------------------------------------

    /** The product's EULAs, to whoever may read the product. */
    public List<Eula> eulas(Caller caller, String subject, String product) {
        var resolved = products.readable(caller, subject, product);
        return store.eulas(resolved.product().id());
    }

    /** One EULA with its content, to the subject's administrators. */
    public Eula eula(Caller caller, String subject, String product, String name) {
        var resolved = products.administrable(caller, subject, product, "read the EULAs of");
        return find(resolved, name);
    }

    public Eula createEula(Caller caller, String subject, String product, EulaRequest request) {
        var resolved = products.administrable(caller, subject, product, "create EULAs of");
        var productId = resolved.product().id();
        var name = eulaName(request.name());
        if (store.eula(productId, name).isPresent()) {
            throw BinderyException.conflict("EULA '" + name + "' of product '" + resolved.fullName()
                    + "' already exists");
        }
        var versions = versions(request.versions(), productId, 0);
        var now = clock.instant();
        var eula = store.insertEula(new Eula(0, productId, name, syntax(request.syntax(), "markdown"),
                content(request.content(), ""), Boolean.TRUE.equals(request.isDefault()), versions, now, now));
        invalidate();
        return eula;
    }

    public Eula updateEula(Caller caller, String subject, String product, String name, EulaRequest request) {
        var resolved = products.administrable(caller, subject, product, "update EULAs of");
        var current = find(resolved, name);
        if (request.syntax() == null && request.content() == null && request.isDefault() == null
                && request.versions() == null) {
            throw BinderyException.badRequest("At least one of the fields 'syntax', 'content', 'default',"
                    + " 'versions' must be specified");
        }
        var updated = new Eula(current.id(), current.productId(), current.name(),
                syntax(request.syntax(), current.syntax()), content(request.content(), current.content()),
                request.isDefault() == null ? current.isDefault() : request.isDefault(),
                request.versions() == null ? current.versions()
                        : versions(request.versions(), current.productId(), current.id()),
                current.created(), clock.instant());
        store.updateEula(updated);
        invalidate();
        return updated;
    }

    public void deleteEula(Caller caller, String subject, String product, String name) {
        var resolved = products.administrable(caller, subject, product, "delete EULAs of");
        store.deleteEula(find(resolved, name).id());
        invalidate();
    }

    /** Get EULA by File Path: the EULA protecting the file's version, to the subject's administrators. */
    public Eula fileEula(Caller caller, String subject, FileEntry file) {
        var owner = products.subject(subject);
        products.requireAdmin(caller, owner, null);
        for (var product : rules().byPackage().getOrDefault(new PackageKey(file.repositoryId(), file.pkg()),
                List.of())) {
            var rule = product.ruleFor(file.version());
            if (rule != null) {
                var eula = store.eulas(product.productId()).stream().filter(e -> e.id() == rule.id()).findFirst();
                if (eula.isPresent()) {
                    return eula.get();
                }
            }
        }
        throw BinderyException.notFound("File '" + file.path() + "' is not protected by a EULA");
    }

    private Eula find(ProductService.Resolved resolved, String name) {
        return store.eula(resolved.product().id(), name).orElseThrow(() -> BinderyException.notFound(
                "EULA '" + ProductService.abbreviate(name) + "' of product '" + resolved.fullName()
                        + "' was not found"));
    }

    // --- acceptance ---------------------------------------------------------------------------

    /**
     * The EULA protecting {@code version} of the product, for the access key to read before it
     * accepts it. Fails with 404 for an unknown version or one no EULA protects.
     */
    public Pending pending(Caller caller, String subject, String product, String version) {
        requireAccessKey(caller);
        var resolved = products.readable(caller, subject, product);
        if (!store.versions(resolved.product().id()).contains(version)) {
            throw BinderyException.notFound("Version '" + ProductService.abbreviate(version) + "' of product '"
                    + resolved.fullName() + "' was not found");
        }
        var eula = protecting(resolved.product().id(), version).orElseThrow(() -> BinderyException.notFound(
                "Version '" + version + "' of product '" + resolved.fullName() + "' has no EULA to accept"));
        return new Pending(resolved.owner().name(), resolved.product().name(), version, eula);
    }

    /** Accepts the EULA protecting {@code version} of the product as the calling access key. */
    public Pending acceptVersion(Caller caller, String subject, String product, String version) {
        var pending = pending(caller, subject, product, version);
        sign(requireAccessKey(caller), pending.eula(), List.of(version));
        return pending;
    }

    /**
     * Accepts EULA {@code eulaName} as the calling access key, for {@code version}, or when it is
     * null for every version of the product the EULA protects now.
     *
     * @return the versions accepted
     */
    public List<String> acceptEula(Caller caller, String subject, String product, String eulaName,
                                   String version) {
        var key = requireAccessKey(caller);
        var resolved = products.readable(caller, subject, product);
        var eula = find(resolved, eulaName);
        var productVersions = store.versions(resolved.product().id());
        List<String> versions;
        if (version != null) {
            Names.version(version);
            var protecting = protecting(resolved.product().id(), version);
            if (protecting.isEmpty() || protecting.get().id() != eula.id()) {
                throw BinderyException.badRequest("EULA '" + eula.name() + "' does not apply to version '"
                        + version + "' of product '" + resolved.fullName() + "'");
            }
            versions = List.of(version);
        } else {
            versions = productVersions.stream()
                    .filter(v -> protecting(resolved.product().id(), v).map(e -> e.id() == eula.id()).orElse(false))
                    .toList();
            if (versions.isEmpty()) {
                throw BinderyException.badRequest("EULA '" + eula.name() + "' applies to no version of product '"
                        + resolved.fullName() + "'; name one in 'version'");
            }
        }
        sign(key, eula, versions);
        return versions;
    }

    private void sign(Credential.AccessKey key, Eula eula, List<String> versions) {
        var now = clock.instant();
        for (var version : versions) {
            store.sign(eula.productId(), eula.id(), key.id(), key.username(), version, now);
        }
        generation.incrementAndGet();
        accepted.remove(key.id());
    }

    private Optional<Eula> protecting(long productId, String version) {
        var eulas = store.eulas(productId);
        return eulas.stream().filter(eula -> eula.versions().contains(version)).findFirst()
                .or(() -> eulas.stream().filter(Eula::isDefault).findFirst());
    }

    private static Credential.AccessKey requireAccessKey(Caller caller) {
        return caller.accessKey().orElseThrow(() -> caller.isAnonymous()
                ? caller.refusal("")
                : BinderyException.forbidden("Only access keys accept EULAs; '" + caller.name()
                        + "' is not an access key"));
    }

    /**
     * Signed EULAs of one product, or of all the subject's products when {@code product} is null,
     * to the subject's administrators: product name to its acceptances, newest first.
     */
    public Map<String, List<Signature>> signedEulas(Caller caller, String subject, String product, Instant from,
                                                    Instant to, String username, String eulaName) {
        Long productId = null;
        var owner = products.subject(subject);
        var result = new LinkedHashMap<String, List<Signature>>();
        if (product != null) {
            var resolved = products.administrable(caller, subject, product, "see the signed EULAs of");
            productId = resolved.product().id();
            result.put(resolved.product().name(), new ArrayList<>());
        } else {
            products.requireAdmin(caller, owner, "signed EULAs");
        }
        for (var signature : store.signatures(owner.id(), productId, from, to, username, eulaName)) {
            result.computeIfAbsent(signature.product(), name -> new ArrayList<>()).add(signature);
        }
        return result;
    }

    // --- the download check -------------------------------------------------------------------

    /**
     * Refuses an access key's download of {@code file} while the key has not accepted the EULA
     * protecting the file's version; does nothing for other callers.
     *
     * @param host the request's host (and port), for the acceptance URL in the message
     * @throws BinderyException 403 naming the URL where to accept the EULA
     */
    public void checkDownload(Caller caller, FileEntry file, String host) {
        var key = caller.accessKey().orElse(null);
        if (key == null || file.pkg() == null) {
            return;
        }
        var protecting = rules().byPackage().get(new PackageKey(file.repositoryId(), file.pkg()));
        if (protecting == null) {
            return;
        }
        for (var product : protecting) {
            var rule = product.ruleFor(file.version());
            if (rule != null && !acceptedBy(key.id()).contains(rule.id() + "/" + file.version())) {
                throw BinderyException.forbidden("To download the resource " + file.path()
                        + " you need to accept its EULA at: http://" + safeHost(host) + "/" + product.owner()
                        + "/product/" + product.product() + "/" + file.version() + "/accept_eula?username="
                        + key.username());
            }
        }
    }

    private static String safeHost(String host) {
        return host != null && HOST.matcher(host).matches() ? host : "localhost";
    }

    private Rules rules() {
        long now = System.nanoTime();
        var current = rules;
        if (current != null && now - current.expiresAtNanos() < 0) {
            return current;
        }
        long loadedAt = generation.get();
        var byProduct = new HashMap<Long, List<EulaRule>>();
        for (var rule : store.eulaRules()) {
            byProduct.computeIfAbsent(rule.productId(), id -> new ArrayList<>()).add(rule);
        }
        var byPackage = new HashMap<PackageKey, List<ProductRules>>();
        var productRules = new HashMap<Long, ProductRules>();
        for (var pkg : store.protectedPackages()) {
            var product = productRules.computeIfAbsent(pkg.productId(), id -> {
                var byVersion = new HashMap<String, EulaRule>();
                EulaRule defaultEula = null;
                for (var rule : byProduct.getOrDefault(id, List.of())) {
                    rule.versions().forEach(version -> byVersion.putIfAbsent(version, rule));
                    if (rule.isDefault() && defaultEula == null) {
                        defaultEula = rule;
                    }
                }
                return new ProductRules(id, pkg.product(), pkg.owner(), Map.copyOf(byVersion), defaultEula);
            });
            byPackage.computeIfAbsent(new PackageKey(pkg.repositoryId(), pkg.pkg()), key -> new ArrayList<>())
                    .add(product);
        }
        var loaded = new Rules(Map.copyOf(byPackage), now + ttlNanos);
        if (generation.get() == loadedAt) {
            rules = loaded;
        }
        return loaded;
    }

    private Set<String> acceptedBy(long accessKeyId) {
        long now = System.nanoTime();
        var hit = accepted.get(accessKeyId);
        if (hit != null && now - hit.expiresAtNanos() < 0) {
            return hit.signatures();
        }
        long loadedAt = generation.get();
        var signatures = Set.copyOf(store.signaturesOf(accessKeyId));
        if (accepted.size() >= MAX_CACHED_KEYS) {
            accepted.clear();
        }
        accepted.put(accessKeyId, new Accepted(signatures, now + ttlNanos));
        if (generation.get() != loadedAt) {
            accepted.remove(accessKeyId);
        }
        return signatures;
    }

    // --- validation ---------------------------------------------------------------------------

    private static String eulaName(String name) {
        if (name == null || name.isEmpty()) {
            throw BinderyException.badRequest("EULA name is missing");
        }
        if (name.length() > MAX_NAME) {
            throw BinderyException.badRequest("EULA name '" + ProductService.abbreviate(name) + "' is longer than "
                    + MAX_NAME + " characters");
        }
        if (!NAME.matcher(name).matches()) {
            throw BinderyException.badRequest("EULA name '" + ProductService.abbreviate(name)
                    + "' may only contain letters, digits, '.', '_' and '-', and must start with a letter or digit");
        }
        return name;
    }

    private static String syntax(String syntax, String otherwise) {
        if (syntax == null) {
            return otherwise;
        }
        if (!SYNTAXES.contains(syntax)) {
            throw BinderyException.badRequest("Field 'syntax' must be one of markdown, asciidoc, plain_text, not '"
                    + ProductService.abbreviate(syntax) + "'");
        }
        return syntax;
    }

    private static String content(String content, String otherwise) {
        if (content == null) {
            return otherwise;
        }
        if (content.length() > MAX_CONTENT) {
            throw BinderyException.badRequest("Field 'content' is longer than " + MAX_CONTENT + " characters");
        }
        return content;
    }

    /** Checked version names, each once; none may be named by another EULA of the product. */
    private List<String> versions(List<String> versions, long productId, long eulaId) {
        if (versions == null) {
            return List.of();
        }
        var checked = new LinkedHashSet<String>();
        for (var version : versions) {
            if (version == null) {
                throw BinderyException.badRequest("Field 'versions' must not hold null");
            }
            Names.version(version);
            var other = store.eulaNaming(productId, version, eulaId);
            if (other.isPresent()) {
                throw BinderyException.conflict("Version '" + version + "' is already covered by EULA '"
                        + other.get() + "'");
            }
            checked.add(version);
        }
        return List.copyOf(checked);
    }
}
