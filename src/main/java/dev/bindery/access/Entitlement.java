package dev.bindery.access;

import java.time.Instant;
import java.util.List;

/**
 * What some access keys may do in one scope of a subject's content: a repository (all of it, or
 * the files at and under {@code path}), a package, a version or a product (its packages, as they
 * are at the time of asking). With the names of what it is on, for rendering and for matching
 * without more lookups.
 *
 * @param entitlementId the id in the API (unique per subject)
 * @param productId     set for a product scope only, which then has no repository, package, version or path
 * @param repositoryId  0 (and {@code repositoryName} null) for a product scope
 * @param packageName   null for a repository scope
 * @param versionName   null for repository and package scopes
 * @param path          only for a repository scope; null for all of it
 * @param readWrite     {@code rw} (download, upload, delete) rather than {@code r} (download)
 * @param accessKeys    the key ids ({@code key1}, not {@code key1@subject})
 */
public record Entitlement(long id, long ownerId, String ownerName, String entitlementId, Long productId,
                         String productName, long repositoryId, String repositoryName, Long packageId,
                         String packageName, Long versionId, String versionName, String path, boolean readWrite,
                         List<String> accessKeys, List<Long> accessKeyIds, List<String> tags, Instant created) {

    public Entitlement {
        accessKeys = List.copyOf(accessKeys);
        accessKeyIds = List.copyOf(accessKeyIds);
        tags = List.copyOf(tags);
    }

    public String access() {
        return readWrite ? "rw" : "r";
    }

    public Permission permission() {
        return readWrite ? Permission.PUBLISH : Permission.READ;
    }

    public boolean isProductScope() {
        return productId != null;
    }

    /**
     * Whether it grants anything on {@code resource} (of its repository): see {@link EntitlementGrants}.
     * False for a product scope, whose packages only the grants know.
     */
    public boolean covers(Resource resource) {
        if (isProductScope() || resource.repositoryId() != repositoryId) {
            return false;
        }
        if (versionName != null) {
            return versionName.equals(resource.version()) && packageName.equals(resource.pkg());
        }
        if (packageName != null) {
            return packageName.equals(resource.pkg());
        }
        if (path != null) {
            var asked = resource.path();
            return asked != null && (asked.equals(path) || asked.startsWith(path + "/"));
        }
        return true;
    }
}
