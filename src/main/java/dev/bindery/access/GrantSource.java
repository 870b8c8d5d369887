package dev.bindery.access;

import dev.bindery.subject.Caller;

/**
 * One kind of grant beyond ownership and membership: team permissions, entitlements of access
 * keys, signed URLs. {@link AccessService} takes the highest permission any source grants. A
 * source answers from memory (it caches what it loaded and drops the cache when its data changes),
 * since it is asked on every request. Thread-safe.
 */
@FunctionalInterface
public interface GrantSource {

    /** What this source grants {@code caller} on {@code resource}; {@link Permission#NONE} if nothing. */
    Permission grant(Caller caller, Resource resource);
}
