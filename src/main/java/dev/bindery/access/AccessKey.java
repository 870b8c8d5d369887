package dev.bindery.access;

import java.time.Instant;
import java.util.List;

/**
 * A stored access key of a subject (user or organization): {@code keyId@owner} in HTTP Basic.
 *
 * @param passwordHash   hex SHA-256 of the password
 * @param expiry         when it stops working, or null for never
 * @param existenceCheck the callback telling whether its source identity still exists, or null
 * @param apiOnly        false when it may also log in to the web UI
 */
public record AccessKey(long id, long ownerId, String keyId, String passwordHash, Instant expiry,
                        List<String> whiteCidrs, List<String> blackCidrs, boolean apiOnly,
                        ExistenceCheck existenceCheck, Instant created) {

    public AccessKey {
        whiteCidrs = List.copyOf(whiteCidrs);
        blackCidrs = List.copyOf(blackCidrs);
    }

    /**
     * Bintray's existence check: {@code url} may hold {@code :username} and {@code :password}
     * tokens; a 404 from it removes the key; its answer counts for {@code cacheForSecs} (>= 60).
     */
    public record ExistenceCheck(String url, int cacheForSecs) {
    }

    public AccessKey withPasswordHash(String hash) {
        return new AccessKey(id, ownerId, keyId, hash, expiry, whiteCidrs, blackCidrs, apiOnly, existenceCheck,
                created);
    }
}
