package dev.bindery.access;

import dev.bindery.BinderyException;
import dev.bindery.content.ContentService;
import dev.bindery.content.FilePath;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.content.Refs.VersionRef;
import dev.bindery.content.Repository;
import dev.bindery.subject.ApiKeys;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Entitlements: creating, reading, updating, deleting and searching them, for the admins of the
 * repository they are on. A scope is a repository (optionally a path in it), a package, a version or
 * a product (Bintray Enterprise: read access only, no path, for the subject's admins). The access
 * keys an entitlement names are keys of the scope's owner. Every change invalidates the
 * {@link EntitlementGrants}. Thread-safe.
 */
public final class EntitlementService {

    private static final Pattern ENTITLEMENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final EntitlementStore store;
    private final AccessKeyService keys;
    private final ContentService content;
    private final SubjectService subjects;
    private final AccessService access;
    private final EntitlementGrants grants;
    private final Clock clock;

    /**
     * Where an entitlement is: a repository, or a package ({@code pkg}) or version ({@code version})
     * in it; or, with {@code repo} null, the product {@code product} of {@code subject}.
     */
    public record Scope(RepoRef repo, String pkg, String version, String subject, String product) {

        public static Scope of(RepoRef repo) {
            return new Scope(repo, null, null, null, null);
        }

        public static Scope of(PackageRef pkg) {
            return new Scope(pkg.repoRef(), pkg.pkg(), null, null, null);
        }

        public static Scope of(VersionRef version) {
            return new Scope(version.packageRef().repoRef(), version.pkg(), version.version(), null, null);
        }

        public static Scope ofProduct(String subject, String product) {
            return new Scope(null, null, null, subject, product);
        }

        public boolean isProduct() {
            return product != null;
        }

        @Override
        public String toString() {
            if (isProduct()) {
                return subject + "/" + product;
            }
            return repo + (pkg == null ? "" : "/" + pkg) + (version == null ? "" : "/" + version);
        }
    }

    /**
     * What a create or update asks for; null fields are not given. An update takes {@code access},
     * the key and tag lists, and their {@code _add}/{@code _remove} forms; {@code id} and {@code path}
     * only count at creation.
     */
    public record EntitlementRequest(String id, String access, String path, List<String> accessKeys,
                                     List<String> accessKeysAdd, List<String> accessKeysRemove, List<String> tags,
                                     List<String> tagsAdd, List<String> tagsRemove) {
    }

    /**
     * Where a scope resolved to: the owner, and the product or the repository (the other null), and the
     * package and version ids (null when wider).
     */
    private record Resolved(Subject owner, Long productId, String productName, Repository repository,
                            Long packageId, String packageName, Long versionId, String versionName) {

        Resolved(Repository repository, Long packageId, String packageName, Long versionId, String versionName) {
            this(repository.owner(), null, null, repository, packageId, packageName, versionId, versionName);
        }
    }

    public EntitlementService(EntitlementStore store, AccessKeyService keys, ContentService content,
                              SubjectService subjects, AccessService access, EntitlementGrants grants, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.content = content;
        this.subjects = subjects;
        this.access = access;
        this.grants = grants;
        this.clock = clock;
    }

    public List<Entitlement> entitlements(Caller caller, Scope scope) {
        var resolved = resolve(caller, scope, "see the entitlements of '" + scope + "'");
        return store.ofOwner(resolved.owner().id()).stream()
                .filter(entitlement -> isAt(entitlement, resolved))
                .toList();
    }

    public Entitlement entitlement(Caller caller, Scope scope, String entitlementId) {
        var resolved = resolve(caller, scope, "see the entitlements of '" + scope + "'");
        return find(resolved, scope, entitlementId);
    }

    public Entitlement create(Caller caller, Scope scope, EntitlementRequest request) {
        var resolved = resolve(caller, scope, "create entitlements on '" + scope + "'");
        var owner = resolved.owner();
        var id = request.id() == null || request.id().isEmpty() ? ApiKeys.generate() : request.id();
        if (!ENTITLEMENT_ID.matcher(id).matches()) {
            throw BinderyException.badRequest("Field 'id' must be 1 to 128 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
        boolean readWrite = readWrite(request.access(), scope);
        var path = path(request.path(), scope);
        var named = distinct(request.accessKeys());
        var found = keys.existing(owner, named);
        var repository = resolved.repository();
        var entitlement = new Entitlement(0, owner.id(), owner.name(), id, resolved.productId(),
                resolved.productName(), repository == null ? 0 : repository.id(),
                repository == null ? null : repository.name(), resolved.packageId(), resolved.packageName(),
                resolved.versionId(), resolved.versionName(), path, readWrite, named,
                found.stream().map(AccessKey::id).toList(), distinct(request.tags()), clock.instant());
        if (!store.insert(entitlement)) {
            throw BinderyException.conflict("Entitlement '" + id + "' already exists for '" + owner.name() + "'");
        }
        grants.invalidate();
        return find(resolved, scope, id);
    }

    public Entitlement update(Caller caller, Scope scope, String entitlementId, EntitlementRequest request) {
        var resolved = resolve(caller, scope, "update entitlements on '" + scope + "'");
        var current = find(resolved, scope, entitlementId);
        boolean readWrite = request.access() == null ? current.readWrite() : readWrite(request.access(), scope);
        var named = new LinkedHashSet<>(request.accessKeys() == null ? current.accessKeys() : request.accessKeys());
        if (request.accessKeysAdd() != null) {
            named.addAll(request.accessKeysAdd());
        }
        if (request.accessKeysRemove() != null) {
            request.accessKeysRemove().forEach(named::remove);
        }
        var tags = new LinkedHashSet<>(request.tags() == null ? current.tags() : request.tags());
        if (request.tagsAdd() != null) {
            tags.addAll(request.tagsAdd());
        }
        if (request.tagsRemove() != null) {
            request.tagsRemove().forEach(tags::remove);
        }
        var found = keys.existing(resolved.owner(), named);
        store.update(new Entitlement(current.id(), current.ownerId(), current.ownerName(), current.entitlementId(),
                current.productId(), current.productName(), current.repositoryId(), current.repositoryName(),
                current.packageId(), current.packageName(), current.versionId(), current.versionName(), current.path(),
                readWrite, List.copyOf(named), found.stream().map(AccessKey::id).toList(), List.copyOf(tags),
                current.created()));
        grants.invalidate();
        return find(resolved, scope, entitlementId);
    }

    public void delete(Caller caller, Scope scope, String entitlementId) {
        var resolved = resolve(caller, scope, "delete entitlements on '" + scope + "'");
        store.delete(find(resolved, scope, entitlementId).id());
        grants.invalidate();
    }

    /**
     * Entitlement Search By Access Key / By Tag: the entitlements of the scope's subject naming the key
     * (when given) and carrying the tag (when given). The scope is {@code subject[/repo[/package[/version]]]};
     * without {@code deep}, only entitlements defined on that scope (for a subject: on its repositories);
     * with it, also those on narrower scopes under it (for a subject: its products too). With
     * {@code product}, the scope is the subject and the search is on that product (see
     * {@link #searchProduct}).
     */
    public List<Entitlement> search(Caller caller, String accessKey, String tag, String scope, String product,
                                    boolean deep) {
        if (isBlank(accessKey) && isBlank(tag)) {
            throw BinderyException.badRequest("Query parameter 'access_key' or 'tag' is required");
        }
        if (isBlank(scope)) {
            throw BinderyException.badRequest("Query parameter 'scope' is required: subject[/repo[/package[/version]]]");
        }
        var parts = scope.replaceAll("^/+|/+$", "").split("/+");
        if (parts.length > 4) {
            throw BinderyException.badRequest("Query parameter 'scope' must be subject[/repo[/package[/version]]]");
        }
        var owner = subjects.subject(parts[0]);
        access.requireSubjectAdmin(caller, owner, "search the entitlements of '" + owner.name() + "'");
        int level = parts.length - 1;
        if (!isBlank(product)) {
            return searchProduct(owner, accessKey, tag, product, level, deep);
        }
        return store.ofOwner(owner.id()).stream()
                .filter(entitlement -> isBlank(accessKey) || entitlement.accessKeys().contains(accessKey))
                .filter(entitlement -> isBlank(tag) || entitlement.tags().contains(tag))
                // Product scopes are under the subject, not under any of its repositories.
                .filter(entitlement -> !entitlement.isProductScope() || deep && level == 0)
                .filter(entitlement -> level < 1 || parts[1].equals(entitlement.repositoryName()))
                .filter(entitlement -> level < 2 || parts[2].equals(entitlement.packageName()))
                .filter(entitlement -> level < 3 || parts[3].equals(entitlement.versionName()))
                .filter(entitlement -> deep ? level(entitlement) >= level : level(entitlement) == Math.max(1, level))
                .toList();
    }

    /**
     * The search with {@code product}: the entitlements on the product; with {@code deep}, also those on
     * its packages and their versions. The scope must be the product's subject alone.
     */
    private List<Entitlement> searchProduct(Subject owner, String accessKey, String tag, String product, int level,
                                            boolean deep) {
        if (level > 0) {
            throw BinderyException.badRequest("Query parameter 'product' needs a 'scope' of just the subject,"
                    + " not a repository, package or version");
        }
        var productId = store.productId(owner.id(), product).orElseThrow(() -> productNotFound(owner, product));
        var packageIds = deep ? store.productPackageIds(productId) : Set.<Long>of();
        return store.ofOwner(owner.id()).stream()
                .filter(entitlement -> isBlank(accessKey) || entitlement.accessKeys().contains(accessKey))
                .filter(entitlement -> isBlank(tag) || entitlement.tags().contains(tag))
                .filter(entitlement -> productId.equals(entitlement.productId())
                        || entitlement.packageId() != null && packageIds.contains(entitlement.packageId()))
                .toList();
    }

    /** 1 for a repository scope, 2 for a package, 3 for a version. */
    private static int level(Entitlement entitlement) {
        return entitlement.versionId() != null ? 3 : entitlement.packageId() != null ? 2 : 1;
    }

    private Resolved resolve(Caller caller, Scope scope, String action) {
        if (scope.isProduct()) {
            var owner = subjects.subject(scope.subject());
            access.requireSubjectAdmin(caller, owner, action);
            var productId = store.productId(owner.id(), scope.product())
                    .orElseThrow(() -> productNotFound(owner, scope.product()));
            return new Resolved(owner, productId, scope.product(), null, null, null, null, null);
        }
        var repository = content.repository(caller, scope.repo()).repository();
        access.requireAdmin(caller, content.permissionOn(caller, repository),
                "Repository '" + scope.repo() + "' was not found", action);
        if (scope.version() != null) {
            var view = content.version(caller, new VersionRef(scope.repo().subject(), scope.repo().repo(), scope.pkg(),
                    scope.version()));
            return new Resolved(repository, view.pkg().id(), view.pkg().name(), view.version().id(),
                    view.version().name());
        }
        if (scope.pkg() != null) {
            var view = content.pkg(caller, new PackageRef(scope.repo().subject(), scope.repo().repo(), scope.pkg()));
            return new Resolved(repository, view.pkg().id(), view.pkg().name(), null, null);
        }
        return new Resolved(repository, null, null, null, null);
    }

    private static BinderyException productNotFound(Subject owner, String product) {
        var printable = product.replaceAll("\\p{Cntrl}", "?");
        return BinderyException.notFound("Product '" + owner.name() + "/"
                + (printable.length() > 80 ? printable.substring(0, 80) + "..." : printable) + "' was not found");
    }

    private static boolean isAt(Entitlement entitlement, Resolved resolved) {
        if (resolved.productId() != null) {
            return resolved.productId().equals(entitlement.productId());
        }
        return !entitlement.isProductScope() && entitlement.repositoryId() == resolved.repository().id()
                && java.util.Objects.equals(entitlement.packageId(), resolved.packageId())
                && java.util.Objects.equals(entitlement.versionId(), resolved.versionId());
    }

    private Entitlement find(Resolved resolved, Scope scope, String entitlementId) {
        return store.byName(resolved.owner().id(), entitlementId)
                .filter(entitlement -> isAt(entitlement, resolved))
                .orElseThrow(() -> BinderyException.notFound("Entitlement '" + entitlementId + "' was not found on '"
                        + scope + "'"));
    }

    /** On a product scope, access can only be {@code r} (and is when not given). */
    private static boolean readWrite(String access, Scope scope) {
        if (scope.isProduct()) {
            if (access == null || "r".equals(access)) {
                return false;
            }
            throw BinderyException.badRequest("Field 'access' can only be 'r' on a product scope");
        }
        if ("rw".equals(access)) {
            return true;
        }
        if ("r".equals(access)) {
            return false;
        }
        throw BinderyException.badRequest("Field 'access' must be 'r' or 'rw'");
    }

    /** A repository scope's path: relative, without '.' or '..' segments; null for the whole repository. */
    private static String path(String raw, Scope scope) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        if (scope.pkg() != null || scope.isProduct()) {
            throw BinderyException.badRequest("Field 'path' is only allowed on a repository scope");
        }
        if (raw.startsWith("/")) {
            throw BinderyException.badRequest("Field 'path' must be relative to the repository");
        }
        var path = FilePath.of(raw).value();
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static List<String> distinct(List<String> values) {
        return values == null ? List.of() : new ArrayList<>(new LinkedHashSet<>(values));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
