package dev.bindery.product;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Products, their packages, EULAs and signed EULAs (tables {@code product_*}). Holds no rules:
 * {@link ProductService} and {@link EulaService} decide. Times are epoch millis in the database.
 * Thread-safe.
 */
public final class ProductStore {

    private final Jdbi jdbi;

    public ProductStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A package of a product, named as the API names it: {@code repo/package}. */
    public record ProductPackage(long packageId, long repositoryId, String repo, boolean isPrivate, String pkg) {
        public String fullName() {
            return repo + "/" + pkg;
        }
    }

    /** One acceptance of a EULA, as the signed-EULA reports show it. */
    public record Signature(String product, String eula, String username, String version, Instant signed) {
    }

    /** A package of some product, with the product it belongs to, for the download check. */
    public record ProtectedPackage(long repositoryId, String pkg, long productId, String product, String owner) {
    }

    /** A EULA as the download check needs it: no content. */
    public record EulaRule(long id, long productId, String name, boolean isDefault, Set<String> versions) {
    }

    // --- products -----------------------------------------------------------------------------

    public List<Product> products(long ownerId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM product_product WHERE owner_id = :owner"
                        + " ORDER BY name")
                .bind("owner", ownerId).map(ProductStore::mapProduct).list());
    }

    public Optional<Product> product(long ownerId, String name) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM product_product"
                        + " WHERE owner_id = :owner AND name = :name")
                .bind("owner", ownerId).bind("name", name).map(ProductStore::mapProduct).findOne());
    }

    /** Inserts the product with its packages (ids, in order) and returns it with its id. */
    public Product insertProduct(Product product, List<Long> packageIds) {
        return jdbi.inTransaction(handle -> {
            long id = handle.createUpdate("INSERT INTO product_product (owner_id, name, display_name, description,"
                            + " website_url, vcs_url, sign_url_expiry, created, updated) VALUES (:owner, :name,"
                            + " :displayName, :desc, :websiteUrl, :vcsUrl, :signUrlExpiry, :created, :updated)")
                    .bind("owner", product.ownerId())
                    .bind("name", product.name())
                    .bindMap(productFields(product))
                    .bind("created", product.created().toEpochMilli())
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            putPackages(handle, id, packageIds);
            return handle.createQuery("SELECT * FROM product_product WHERE id = :id").bind("id", id)
                    .map(ProductStore::mapProduct).one();
        });
    }

    /** Updates the product's fields, and its packages unless {@code packageIds} is null. */
    public void updateProduct(Product product, List<Long> packageIds) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("UPDATE product_product SET display_name = :displayName, description = :desc,"
                            + " website_url = :websiteUrl, vcs_url = :vcsUrl, sign_url_expiry = :signUrlExpiry,"
                            + " updated = :updated WHERE id = :id")
                    .bind("id", product.id())
                    .bindMap(productFields(product))
                    .execute();
            if (packageIds != null) {
                handle.createUpdate("DELETE FROM product_package WHERE product_id = :id").bind("id", product.id())
                        .execute();
                putPackages(handle, product.id(), packageIds);
            }
        });
    }

    private static void putPackages(Handle handle, long productId, List<Long> packageIds) {
        var batch = handle.prepareBatch("INSERT INTO product_package (product_id, package_id, position)"
                + " VALUES (:product, :package, :position)");
        for (int i = 0; i < packageIds.size(); i++) {
            batch.bind("product", productId).bind("package", packageIds.get(i)).bind("position", i).add();
        }
        if (!packageIds.isEmpty()) {
            batch.execute();
        }
    }

    private static Map<String, Object> productFields(Product product) {
        var fields = new java.util.HashMap<String, Object>();
        fields.put("displayName", product.displayName());
        fields.put("desc", product.desc());
        fields.put("websiteUrl", product.websiteUrl());
        fields.put("vcsUrl", product.vcsUrl());
        fields.put("signUrlExpiry", product.signUrlExpiry());
        fields.put("updated", product.updated().toEpochMilli());
        return fields;
    }

    /** Deletes the product with its EULAs and signatures. */
    public void deleteProduct(long id) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("DELETE FROM product_signed_eula WHERE product_id = :id").bind("id", id).execute();
            handle.createUpdate("DELETE FROM product_eula_version WHERE product_id = :id").bind("id", id).execute();
            handle.createUpdate("DELETE FROM product_eula WHERE product_id = :id").bind("id", id).execute();
            handle.createUpdate("DELETE FROM product_package WHERE product_id = :id").bind("id", id).execute();
            handle.createUpdate("DELETE FROM product_product WHERE id = :id").bind("id", id).execute();
        });
    }

    public List<ProductPackage> packages(long productId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT p.id AS package_id, r.id AS repository_id,"
                        + " r.name AS repo, r.is_private, p.name AS pkg FROM product_package pp"
                        + " JOIN content_package p ON p.id = pp.package_id"
                        + " JOIN content_repository r ON r.id = p.repository_id"
                        + " WHERE pp.product_id = :id ORDER BY pp.position")
                .bind("id", productId)
                .map((rs, ctx) -> new ProductPackage(rs.getLong("package_id"), rs.getLong("repository_id"),
                        rs.getString("repo"), rs.getBoolean("is_private"), rs.getString("pkg")))
                .list());
    }

    /** The id of package {@code pkg} in repository {@code repo} of the owner, if there is one. */
    public Optional<Long> packageId(long ownerId, String repo, String pkg) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT p.id FROM content_package p"
                        + " JOIN content_repository r ON r.id = p.repository_id"
                        + " WHERE r.owner_id = :owner AND r.name = :repo AND p.name = :pkg")
                .bind("owner", ownerId).bind("repo", repo).bind("pkg", pkg)
                .mapTo(Long.class).findOne());
    }

    /** The version names of the product's packages, each once, oldest first. */
    public List<String> versions(long productId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT v.name, MIN(v.created) AS first_created"
                        + " FROM content_version v JOIN product_package pp ON pp.package_id = v.package_id"
                        + " WHERE pp.product_id = :id GROUP BY v.name ORDER BY first_created, v.name")
                .bind("id", productId).map((rs, ctx) -> rs.getString("name")).list());
    }

    /** The version names of the given packages, each once, oldest first. */
    public List<String> versionsOfPackages(List<Long> packageIds) {
        if (packageIds.isEmpty()) {
            return List.of();
        }
        return jdbi.withHandle(handle -> handle.createQuery("SELECT v.name, MIN(v.created) AS first_created"
                        + " FROM content_version v WHERE v.package_id IN (<ids>)"
                        + " GROUP BY v.name ORDER BY first_created, v.name")
                .bindList("ids", packageIds).map((rs, ctx) -> rs.getString("name")).list());
    }

    // --- EULAs --------------------------------------------------------------------------------

    public List<Eula> eulas(long productId) {
        return jdbi.withHandle(handle -> {
            var eulas = handle.createQuery("SELECT * FROM product_eula WHERE product_id = :id ORDER BY created, name")
                    .bind("id", productId).map((rs, ctx) -> mapEula(rs, List.of())).list();
            var versions = eulaVersions(handle, productId);
            return eulas.stream().map(eula -> eula.withVersions(versions.getOrDefault(eula.id(), List.of())))
                    .toList();
        });
    }

    public Optional<Eula> eula(long productId, String name) {
        return eulas(productId).stream().filter(eula -> eula.name().equals(name)).findFirst();
    }

    private static Map<Long, List<String>> eulaVersions(Handle handle, long productId) {
        var versions = new LinkedHashMap<Long, List<String>>();
        handle.createQuery("SELECT eula_id, version FROM product_eula_version WHERE product_id = :id"
                        + " ORDER BY eula_id, version")
                .bind("id", productId)
                .map((rs, ctx) -> Map.entry(rs.getLong("eula_id"), rs.getString("version")))
                .forEach(entry -> versions.computeIfAbsent(entry.getKey(), key -> new ArrayList<>())
                        .add(entry.getValue()));
        return versions;
    }

    /** The name of the EULA of the product other than {@code exceptEulaId} naming {@code version}, if any. */
    public Optional<String> eulaNaming(long productId, String version, long exceptEulaId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT e.name FROM product_eula_version ev"
                        + " JOIN product_eula e ON e.id = ev.eula_id"
                        + " WHERE ev.product_id = :product AND ev.version = :version AND ev.eula_id <> :except")
                .bind("product", productId).bind("version", version).bind("except", exceptEulaId)
                .mapTo(String.class).findFirst());
    }

    /** Inserts the EULA; when it is the default, the product's other EULAs stop being it. */
    public Eula insertEula(Eula eula) {
        return jdbi.inTransaction(handle -> {
            if (eula.isDefault()) {
                clearDefault(handle, eula.productId());
            }
            long id = handle.createUpdate("INSERT INTO product_eula (product_id, name, syntax, content, is_default,"
                            + " created, updated) VALUES (:product, :name, :syntax, :content, :isDefault, :created,"
                            + " :updated)")
                    .bind("product", eula.productId())
                    .bind("name", eula.name())
                    .bind("syntax", eula.syntax())
                    .bind("content", eula.content())
                    .bind("isDefault", eula.isDefault())
                    .bind("created", eula.created().toEpochMilli())
                    .bind("updated", eula.updated().toEpochMilli())
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            putEulaVersions(handle, id, eula.productId(), eula.versions());
            return new Eula(id, eula.productId(), eula.name(), eula.syntax(), eula.content(), eula.isDefault(),
                    eula.versions(), eula.created(), eula.updated());
        });
    }

    public void updateEula(Eula eula) {
        jdbi.useTransaction(handle -> {
            if (eula.isDefault()) {
                clearDefault(handle, eula.productId());
            }
            handle.createUpdate("UPDATE product_eula SET syntax = :syntax, content = :content,"
                            + " is_default = :isDefault, updated = :updated WHERE id = :id")
                    .bind("id", eula.id())
                    .bind("syntax", eula.syntax())
                    .bind("content", eula.content())
                    .bind("isDefault", eula.isDefault())
                    .bind("updated", eula.updated().toEpochMilli())
                    .execute();
            handle.createUpdate("DELETE FROM product_eula_version WHERE eula_id = :id").bind("id", eula.id())
                    .execute();
            putEulaVersions(handle, eula.id(), eula.productId(), eula.versions());
        });
    }

    private static void clearDefault(Handle handle, long productId) {
        handle.createUpdate("UPDATE product_eula SET is_default = FALSE WHERE product_id = :product")
                .bind("product", productId).execute();
    }

    private static void putEulaVersions(Handle handle, long eulaId, long productId, List<String> versions) {
        if (versions.isEmpty()) {
            return;
        }
        var batch = handle.prepareBatch("INSERT INTO product_eula_version (eula_id, product_id, version)"
                + " VALUES (:eula, :product, :version)");
        for (var version : versions) {
            batch.bind("eula", eulaId).bind("product", productId).bind("version", version).add();
        }
        batch.execute();
    }

    public void deleteEula(long id) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("DELETE FROM product_signed_eula WHERE eula_id = :id").bind("id", id).execute();
            handle.createUpdate("DELETE FROM product_eula_version WHERE eula_id = :id").bind("id", id).execute();
            handle.createUpdate("DELETE FROM product_eula WHERE id = :id").bind("id", id).execute();
        });
    }

    // --- signatures ---------------------------------------------------------------------------

    /** Records that the access key accepted the EULA for the version; a second acceptance changes nothing. */
    public void sign(long productId, long eulaId, long accessKeyId, String username, String version, Instant now) {
        jdbi.useTransaction(handle -> {
            int existing = handle.createQuery("SELECT COUNT(*) FROM product_signed_eula WHERE eula_id = :eula"
                            + " AND access_key_id = :key AND version = :version")
                    .bind("eula", eulaId).bind("key", accessKeyId).bind("version", version)
                    .mapTo(Integer.class).one();
            if (existing == 0) {
                handle.createUpdate("INSERT INTO product_signed_eula (product_id, eula_id, access_key_id, username,"
                                + " version, signed) VALUES (:product, :eula, :key, :username, :version, :signed)")
                        .bind("product", productId).bind("eula", eulaId).bind("key", accessKeyId)
                        .bind("username", username).bind("version", version).bind("signed", now.toEpochMilli())
                        .execute();
            }
        });
    }

    /** What the access key accepted: {@code eulaId + "/" + version} for each acceptance. */
    public Set<String> signaturesOf(long accessKeyId) {
        return jdbi.withHandle(handle -> new HashSet<>(handle.createQuery("SELECT eula_id, version"
                        + " FROM product_signed_eula WHERE access_key_id = :key")
                .bind("key", accessKeyId)
                .map((rs, ctx) -> rs.getLong("eula_id") + "/" + rs.getString("version"))
                .list()));
    }

    /**
     * Acceptances of EULAs of the owner's products, newest first; each filter is optional (null).
     *
     * @param productId one product, or null for all of the owner's products
     */
    public List<Signature> signatures(long ownerId, Long productId, Instant from, Instant to, String username,
                                      String eulaName) {
        var sql = new StringBuilder("SELECT p.name AS product, e.name AS eula, s.username, s.version, s.signed"
                + " FROM product_signed_eula s JOIN product_product p ON p.id = s.product_id"
                + " JOIN product_eula e ON e.id = s.eula_id WHERE p.owner_id = :owner");
        if (productId != null) {
            sql.append(" AND p.id = :product");
        }
        if (from != null) {
            sql.append(" AND s.signed >= :from");
        }
        if (to != null) {
            sql.append(" AND s.signed <= :to");
        }
        if (username != null) {
            sql.append(" AND s.username = :username");
        }
        if (eulaName != null) {
            sql.append(" AND e.name = :eulaName");
        }
        sql.append(" ORDER BY p.name, s.signed DESC, s.id DESC");
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery(sql.toString()).bind("owner", ownerId);
            if (productId != null) {
                query.bind("product", productId);
            }
            if (from != null) {
                query.bind("from", from.toEpochMilli());
            }
            if (to != null) {
                query.bind("to", to.toEpochMilli());
            }
            if (username != null) {
                query.bind("username", username);
            }
            if (eulaName != null) {
                query.bind("eulaName", eulaName);
            }
            return query.map((rs, ctx) -> new Signature(rs.getString("product"), rs.getString("eula"),
                    rs.getString("username"), rs.getString("version"),
                    Instant.ofEpochMilli(rs.getLong("signed")))).list();
        });
    }

    // --- the download check -------------------------------------------------------------------

    /** The packages of every product that has at least one EULA. */
    public List<ProtectedPackage> protectedPackages() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT p.repository_id, p.name AS pkg,"
                        + " pr.id AS product_id, pr.name AS product, s.name AS owner FROM product_package pp"
                        + " JOIN content_package p ON p.id = pp.package_id"
                        + " JOIN product_product pr ON pr.id = pp.product_id"
                        + " JOIN subject_subject s ON s.id = pr.owner_id"
                        + " WHERE EXISTS (SELECT 1 FROM product_eula e WHERE e.product_id = pr.id)")
                .map((rs, ctx) -> new ProtectedPackage(rs.getLong("repository_id"), rs.getString("pkg"),
                        rs.getLong("product_id"), rs.getString("product"), rs.getString("owner")))
                .list());
    }

    /** Every EULA with the versions it names, without content. */
    public List<EulaRule> eulaRules() {
        return jdbi.withHandle(handle -> {
            var versions = new java.util.HashMap<Long, Set<String>>();
            handle.createQuery("SELECT eula_id, version FROM product_eula_version")
                    .map((rs, ctx) -> Map.entry(rs.getLong("eula_id"), rs.getString("version")))
                    .forEach(entry -> versions.computeIfAbsent(entry.getKey(), key -> new HashSet<>())
                            .add(entry.getValue()));
            return handle.createQuery("SELECT id, product_id, name, is_default FROM product_eula ORDER BY created, id")
                    .map((rs, ctx) -> new EulaRule(rs.getLong("id"), rs.getLong("product_id"), rs.getString("name"),
                            rs.getBoolean("is_default"), Set.copyOf(versions.getOrDefault(rs.getLong("id"),
                            Set.of()))))
                    .list();
        });
    }

    private static Product mapProduct(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws SQLException {
        int expiry = rs.getInt("sign_url_expiry");
        Integer signUrlExpiry = rs.wasNull() ? null : expiry;
        return new Product(rs.getLong("id"), rs.getLong("owner_id"), rs.getString("name"),
                rs.getString("display_name"), rs.getString("description"), rs.getString("website_url"),
                rs.getString("vcs_url"), signUrlExpiry,
                Instant.ofEpochMilli(rs.getLong("created")), Instant.ofEpochMilli(rs.getLong("updated")));
    }

    private static Eula mapEula(ResultSet rs, List<String> versions) throws SQLException {
        return new Eula(rs.getLong("id"), rs.getLong("product_id"), rs.getString("name"), rs.getString("syntax"),
                rs.getString("content"), rs.getBoolean("is_default"), versions,
                Instant.ofEpochMilli(rs.getLong("created")), Instant.ofEpochMilli(rs.getLong("updated")));
    }
}
