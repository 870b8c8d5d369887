package dev.bindery.product;

import dev.bindery.BinderyException;
import dev.bindery.access.AccessService;
import dev.bindery.access.Permission;
import dev.bindery.access.Resource;
import dev.bindery.product.ProductStore.ProductPackage;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Products (Bintray Enterprise): create, read, update and delete a subject's products, each a
 * group of {@code repo/package} of that subject.
 *
 * <p>Who may do what, as documented: the subject's administrators manage products; a product can
 * be read by members of its subject and by whoever may read one of its packages (anyone, for a
 * package in a public repository; an access key with an entitlement on it). A product nobody lets
 * the caller read answers 401 to anonymous callers and 404 to others; a product the caller can
 * read but not manage answers 403 to a change. Thread-safe.
 */
public final class ProductService {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final int MAX_NAME = 64;

    private final ProductStore store;
    private final SubjectService subjects;
    private final AccessService access;
    private final Clock clock;
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

    public ProductService(ProductStore store, SubjectService subjects, AccessService access, Clock clock) {
        this.store = store;
        this.subjects = subjects;
        this.access = access;
        this.clock = clock;
    }

    /** A product with the packages the caller may see and the versions of all its packages. */
    public record ProductView(Product product, List<String> packages, List<String> versions) {
    }

    public record CreateProductRequest(String name, String displayName, String desc, String websiteUrl,
                                       String vcsUrl, List<String> packages, Integer signUrlExpiry) {
    }

    /** Every field optional (null: unchanged), but at least one must be given. */
    public record UpdateProductRequest(String displayName, String desc, String websiteUrl, String vcsUrl,
                                       List<String> packages, Integer signUrlExpiry) {
    }

    /** A product the caller may read, with its owner and what the caller may do with it. */
    record Resolved(Subject owner, Product product, boolean admin) {
        String fullName() {
            return owner.name() + "/" + product.name();
        }
    }

    /** Runs {@code listener} after every change of a product (its packages included). */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    /** The products of {@code subjectName} the caller may read, by name. */
    public List<Product> products(Caller caller, String subjectName) {
        var owner = subjects.subject(subjectName);
        return store.products(owner.id()).stream()
                .filter(product -> mayRead(caller, owner, product, store.packages(product.id())))
                .toList();
    }

    public ProductView product(Caller caller, String subjectName, String productName) {
        var resolved = readable(caller, subjectName, productName);
        return view(caller, resolved);
    }

    public ProductView createProduct(Caller caller, String subjectName, CreateProductRequest request) {
        var owner = subjects.subject(subjectName);
        requireAdmin(caller, owner, null);
        var name = productName(request.name());
        if (store.product(owner.id(), name).isPresent()) {
            throw BinderyException.conflict("Product '" + owner.name() + "/" + name + "' already exists");
        }
        var packageIds = packageIds(owner, request.packages() == null ? List.of() : request.packages());
        var now = clock.instant();
        var product = store.insertProduct(new Product(0, owner.id(), name,
                text(request.displayName() == null || request.displayName().isBlank() ? name
                        : request.displayName(), "display_name", 256),
                text(request.desc(), "desc", 8192), text(request.websiteUrl(), "website_url", 1024),
                text(request.vcsUrl(), "vcs_url", 1024), expiry(request.signUrlExpiry()), now, now), packageIds);
        changed();
        return view(caller, new Resolved(owner, product, true));
    }

    public ProductView updateProduct(Caller caller, String subjectName, String productName,
                                     UpdateProductRequest request) {
        var resolved = administrable(caller, subjectName, productName, "update product");
        if (request.displayName() == null && request.desc() == null && request.websiteUrl() == null
                && request.vcsUrl() == null && request.packages() == null && request.signUrlExpiry() == null) {
            throw BinderyException.badRequest("At least one of the fields 'display_name', 'desc', 'website_url',"
                    + " 'vcs_url', 'packages', 'sign_url_expiry' must be specified");
        }
        var current = resolved.product();
        var packageIds = request.packages() == null ? null : packageIds(resolved.owner(), request.packages());
        var updated = new Product(current.id(), current.ownerId(), current.name(),
                request.displayName() == null ? current.displayName()
                        : text(request.displayName().isBlank() ? current.name() : request.displayName(),
                        "display_name", 256),
                request.desc() == null ? current.desc() : text(request.desc(), "desc", 8192),
                request.websiteUrl() == null ? current.websiteUrl() : text(request.websiteUrl(), "website_url", 1024),
                request.vcsUrl() == null ? current.vcsUrl() : text(request.vcsUrl(), "vcs_url", 1024),
                request.signUrlExpiry() == null ? current.signUrlExpiry() : expiry(request.signUrlExpiry()),
                current.created(), clock.instant());
        store.updateProduct(updated, packageIds);
        changed();
        return view(caller, new Resolved(resolved.owner(), updated, true));
    }

    public void deleteProduct(Caller caller, String subjectName, String productName) {
        var resolved = administrable(caller, subjectName, productName, "delete product");
        store.deleteProduct(resolved.product().id());
        changed();
    }

    /**
     * All of a product's packages, in the product's order, for a change made to each of them (Create
     * Product Readme): those the caller cannot see included, so that the change's own permission
     * check refuses rather than leaving them out.
     */
    public List<ProductPackage> allPackages(Caller caller, String subjectName, String productName) {
        return store.packages(readable(caller, subjectName, productName).product().id());
    }

    // --- for EulaService and the routes -------------------------------------------------------

    /** The product, if the caller may read it; else 404 (401 for anonymous callers). */
    Resolved readable(Caller caller, String subjectName, String productName) {
        var owner = subjects.subject(subjectName);
        var product = store.product(owner.id(), productName)
                .orElseThrow(() -> notFound(owner, productName));
        var packages = store.packages(product.id());
        if (!mayRead(caller, owner, product, packages)) {
            if (caller.isAnonymous()) {
                throw caller.refusal("");
            }
            throw notFound(owner, productName);
        }
        return new Resolved(owner, product, caller.administers(owner));
    }

    /** The product, if the caller administers its subject; 403 if they may only read it. */
    Resolved administrable(Caller caller, String subjectName, String productName, String action) {
        var owner = subjects.subject(subjectName);
        if (caller.isAnonymous()) {
            throw caller.refusal("");
        }
        if (caller.administers(owner)) {
            return new Resolved(owner, store.product(owner.id(), productName)
                    .orElseThrow(() -> notFound(owner, productName)), true);
        }
        var resolved = readable(caller, subjectName, productName);
        throw BinderyException.forbidden("User '" + caller.name() + "' is not allowed to " + action + " '"
                + resolved.fullName() + "'");
    }

    /** Fails unless the caller administers the subject: 401 anonymous, 403 otherwise. */
    void requireAdmin(Caller caller, Subject owner, String what) {
        access.requireSubjectAdmin(caller, owner, "manage products of '" + owner.name() + "'"
                + (what == null ? "" : " (" + what + ")"));
    }

    Subject subject(String name) {
        return subjects.subject(name);
    }

    ProductStore store() {
        return store;
    }

    private boolean mayRead(Caller caller, Subject owner, Product product, List<ProductPackage> packages) {
        if (caller.isSiteAdmin() || caller.belongsTo(owner)) {
            return true;
        }
        return packages.stream().anyMatch(pkg -> mayRead(caller, owner, pkg));
    }

    private boolean mayRead(Caller caller, Subject owner, ProductPackage pkg) {
        var resource = Resource.repository(pkg.repositoryId(), owner, pkg.repo(), pkg.isPrivate()).pkg(pkg.pkg());
        return access.permission(caller, resource).atLeast(Permission.READ);
    }

    private ProductView view(Caller caller, Resolved resolved) {
        boolean member = caller.isSiteAdmin() || caller.belongsTo(resolved.owner());
        var all = store.packages(resolved.product().id());
        var visible = all.stream().filter(pkg -> member || mayRead(caller, resolved.owner(), pkg)).toList();
        // Versions of packages the caller cannot see stay hidden with them.
        var versions = visible.size() == all.size() ? store.versions(resolved.product().id())
                : store.versionsOfPackages(visible.stream().map(ProductPackage::packageId).toList());
        return new ProductView(resolved.product(), visible.stream().map(ProductPackage::fullName).toList(), versions);
    }

    /** Ids of the packages named {@code repo/package}; each must exist in a repository of the owner. */
    private List<Long> packageIds(Subject owner, List<String> names) {
        var ids = new LinkedHashSet<Long>();
        for (var name : names) {
            if (name == null || name.isBlank()) {
                throw BinderyException.badRequest("Field 'packages' must hold 'repo/package' names, not empty ones");
            }
            var parts = name.split("/", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw BinderyException.badRequest("Package '" + abbreviate(name)
                        + "' must be given as 'repo/package'");
            }
            ids.add(store.packageId(owner.id(), parts[0], parts[1]).orElseThrow(() -> BinderyException.badRequest(
                    "Package '" + abbreviate(name) + "' was not found in a repository of '" + owner.name() + "'")));
        }
        return new ArrayList<>(ids);
    }

    private static String productName(String name) {
        if (name == null || name.isEmpty()) {
            throw BinderyException.badRequest("Product name is missing");
        }
        if (name.length() > MAX_NAME) {
            throw BinderyException.badRequest("Product name '" + abbreviate(name) + "' is longer than "
                    + MAX_NAME + " characters");
        }
        if (!NAME.matcher(name).matches()) {
            throw BinderyException.badRequest("Product name '" + abbreviate(name)
                    + "' may only contain letters, digits, '.', '_' and '-', and must start with a letter or digit");
        }
        return name;
    }

    private static String text(String value, String field, int maxLength) {
        if (value != null && value.length() > maxLength) {
            throw BinderyException.badRequest("Field '" + field + "' is longer than " + maxLength + " characters");
        }
        return value;
    }

    private static Integer expiry(Integer minutes) {
        if (minutes != null && minutes < 0) {
            throw BinderyException.badRequest("Field 'sign_url_expiry' must not be negative, not " + minutes);
        }
        return minutes;
    }

    static String abbreviate(String name) {
        var printable = name.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
    }

    private static BinderyException notFound(Subject owner, String productName) {
        return BinderyException.notFound("Product '" + owner.name() + "/" + abbreviate(productName)
                + "' was not found");
    }

    private void changed() {
        changeListeners.forEach(Runnable::run);
    }
}
