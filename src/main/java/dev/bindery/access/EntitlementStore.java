package dev.bindery.access;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Entitlements and the access keys they name (tables {@code access_entitlement},
 * {@code access_entitlement_key}), and what product scopes need of the products (read from
 * {@code product_product} and {@code product_package}; the product domain depends on access, not the
 * reverse). Deleting a repository, package, version, product or key removes what depends on it
 * (foreign keys). Thread-safe.
 */
public final class EntitlementStore {

    private static final String SELECT = "SELECT e.id, e.owner_id, s.name AS owner_name, e.entitlement_id,"
            + " e.product_id, pr.name AS product_name,"
            + " e.repository_id, r.name AS repository_name, e.package_id, p.name AS package_name, e.version_id,"
            + " v.name AS version_name, e.path, e.access, e.tags, e.created"
            + " FROM access_entitlement e JOIN subject_subject s ON s.id = e.owner_id"
            + " LEFT JOIN product_product pr ON pr.id = e.product_id"
            + " LEFT JOIN content_repository r ON r.id = e.repository_id"
            + " LEFT JOIN content_package p ON p.id = e.package_id"
            + " LEFT JOIN content_version v ON v.id = e.version_id";

    private final Jdbi jdbi;

    public EntitlementStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A package of a product: its repository and name, as a {@link Resource} names it. */
    record ProductPackage(long repositoryId, String pkg) {
    }

    /** The id of the product {@code name} of an owner. */
    public Optional<Long> productId(long ownerId, String name) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id FROM product_product"
                        + " WHERE owner_id = :owner AND name = :name")
                .bind("owner", ownerId).bind("name", name).mapTo(Long.class).findFirst());
    }

    /** The packages of every product that has entitlements, by product id, for the in-memory grants. */
    Map<Long, Set<ProductPackage>> productPackages() {
        var map = new HashMap<Long, Set<ProductPackage>>();
        jdbi.useHandle(handle -> handle.createQuery("SELECT pp.product_id, p.repository_id, p.name"
                        + " FROM product_package pp JOIN content_package p ON p.id = pp.package_id"
                        + " WHERE pp.product_id IN (SELECT product_id FROM access_entitlement"
                        + " WHERE product_id IS NOT NULL)")
                .map((rs, ctx) -> Map.entry(rs.getLong(1), new ProductPackage(rs.getLong(2), rs.getString(3))))
                .forEach(row -> map.computeIfAbsent(row.getKey(), id -> new HashSet<>()).add(row.getValue())));
        return map;
    }

    /** The ids of the packages of a product. */
    public Set<Long> productPackageIds(long productId) {
        return jdbi.withHandle(handle -> new HashSet<>(handle.createQuery("SELECT package_id FROM product_package"
                        + " WHERE product_id = :product")
                .bind("product", productId).mapTo(Long.class).list()));
    }

    /** Every entitlement, for the in-memory grants. */
    public List<Entitlement> all() {
        return jdbi.withHandle(handle -> withKeys(handle, handle.createQuery(SELECT + " ORDER BY e.id")
                .map((rs, ctx) -> map(rs)).list()));
    }

    /** The entitlements of one owner, for searches. */
    public List<Entitlement> ofOwner(long ownerId) {
        return jdbi.withHandle(handle -> withKeys(handle, handle.createQuery(SELECT
                        + " WHERE e.owner_id = :owner ORDER BY e.entitlement_id")
                .bind("owner", ownerId).map((rs, ctx) -> map(rs)).list()));
    }

    public Optional<Entitlement> byName(long ownerId, String entitlementId) {
        return jdbi.withHandle(handle -> withKeys(handle, handle.createQuery(SELECT
                        + " WHERE e.owner_id = :owner AND e.entitlement_id = :name")
                .bind("owner", ownerId).bind("name", entitlementId).map((rs, ctx) -> map(rs)).list()))
                .stream().findFirst();
    }

    /** Stores a new entitlement with its keys; false when the owner has one by that id already. */
    public boolean insert(Entitlement entitlement) {
        return jdbi.inTransaction(handle -> {
            if (handle.createQuery("SELECT COUNT(*) FROM access_entitlement WHERE owner_id = :owner"
                            + " AND entitlement_id = :name")
                    .bind("owner", entitlement.ownerId()).bind("name", entitlement.entitlementId())
                    .mapTo(Integer.class).one() > 0) {
                return false;
            }
            long id = handle.createUpdate("INSERT INTO access_entitlement (owner_id, entitlement_id, product_id,"
                            + " repository_id, package_id, version_id, path, access, tags, created) VALUES (:owner,"
                            + " :name, :product, :repo, :pkg, :version, :path, :access, :tags, :created)")
                    .bind("owner", entitlement.ownerId())
                    .bind("name", entitlement.entitlementId())
                    .bind("product", entitlement.productId())
                    .bind("repo", entitlement.isProductScope() ? null : (Long) entitlement.repositoryId())
                    .bind("pkg", entitlement.packageId())
                    .bind("version", entitlement.versionId())
                    .bind("path", entitlement.path())
                    .bind("access", entitlement.access())
                    .bind("tags", AccessKeyStore.toJson(entitlement.tags()))
                    .bind("created", entitlement.created().toEpochMilli())
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            insertKeys(handle, id, entitlement.accessKeyIds());
            return true;
        });
    }

    /** Replaces access, tags and keys. */
    public void update(Entitlement entitlement) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("UPDATE access_entitlement SET access = :access, tags = :tags WHERE id = :id")
                    .bind("access", entitlement.access())
                    .bind("tags", AccessKeyStore.toJson(entitlement.tags()))
                    .bind("id", entitlement.id())
                    .execute();
            handle.createUpdate("DELETE FROM access_entitlement_key WHERE entitlement_id = :id")
                    .bind("id", entitlement.id()).execute();
            insertKeys(handle, entitlement.id(), entitlement.accessKeyIds());
        });
    }

    public boolean delete(long id) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM access_entitlement WHERE id = :id")
                .bind("id", id).execute() > 0);
    }

    private static void insertKeys(Handle handle, long entitlementId, List<Long> keyIds) {
        for (var keyId : keyIds) {
            handle.createUpdate("INSERT INTO access_entitlement_key (entitlement_id, access_key_id)"
                            + " VALUES (:entitlement, :key)")
                    .bind("entitlement", entitlementId).bind("key", keyId).execute();
        }
    }

    private record KeyRow(long entitlementId, long keyId, String name) {
    }

    private static List<Entitlement> withKeys(Handle handle, List<Entitlement> entitlements) {
        if (entitlements.isEmpty()) {
            return entitlements;
        }
        var byEntitlement = new HashMap<Long, List<KeyRow>>();
        var ids = entitlements.stream().map(Entitlement::id).toList();
        handle.createQuery("SELECT ek.entitlement_id, k.id, k.key_id FROM access_entitlement_key ek"
                        + " JOIN access_key k ON k.id = ek.access_key_id WHERE ek.entitlement_id IN (<ids>)"
                        + " ORDER BY k.key_id")
                .bindList("ids", ids)
                .map((rs, ctx) -> new KeyRow(rs.getLong(1), rs.getLong(2), rs.getString(3)))
                .forEach(row -> byEntitlement.computeIfAbsent(row.entitlementId(), id -> new ArrayList<>()).add(row));
        var result = new ArrayList<Entitlement>(entitlements.size());
        for (var entitlement : entitlements) {
            var rows = byEntitlement.getOrDefault(entitlement.id(), List.of());
            result.add(new Entitlement(entitlement.id(), entitlement.ownerId(), entitlement.ownerName(),
                    entitlement.entitlementId(), entitlement.productId(), entitlement.productName(),
                    entitlement.repositoryId(), entitlement.repositoryName(),
                    entitlement.packageId(), entitlement.packageName(), entitlement.versionId(),
                    entitlement.versionName(), entitlement.path(), entitlement.readWrite(),
                    rows.stream().map(KeyRow::name).toList(), rows.stream().map(KeyRow::keyId).toList(),
                    entitlement.tags(), entitlement.created()));
        }
        return result;
    }

    private static Entitlement map(ResultSet rs) throws SQLException {
        long pkg = rs.getLong("package_id");
        Long packageId = rs.wasNull() ? null : pkg;
        long version = rs.getLong("version_id");
        Long versionId = rs.wasNull() ? null : version;
        long product = rs.getLong("product_id");
        Long productId = rs.wasNull() ? null : product;
        return new Entitlement(rs.getLong("id"), rs.getLong("owner_id"), rs.getString("owner_name"),
                rs.getString("entitlement_id"), productId, rs.getString("product_name"),
                rs.getLong("repository_id"), rs.getString("repository_name"),
                packageId, rs.getString("package_name"), versionId, rs.getString("version_name"), rs.getString("path"),
                "rw".equals(rs.getString("access")), List.of(), List.of(),
                AccessKeyStore.fromJson(rs.getString("tags")), Instant.ofEpochMilli(rs.getLong("created")));
    }

    static Map<Long, List<Entitlement>> byKey(List<Entitlement> entitlements) {
        var map = new HashMap<Long, List<Entitlement>>();
        for (var entitlement : entitlements) {
            for (var keyId : entitlement.accessKeyIds()) {
                map.computeIfAbsent(keyId, id -> new ArrayList<>()).add(entitlement);
            }
        }
        return map;
    }
}
