package dev.bindery.access;

import dev.bindery.subject.Caller;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link GrantSource} of entitlements: an access key gets read ({@code r}) or publish
 * ({@code rw}: download, upload, delete) on what its entitlements cover. A repository scope without
 * a path covers the repository and everything in it; with a path, the files at that path or under
 * it ({@code path + "/"}); a package scope covers the package, its versions and files; a version
 * scope the version and its files; a product scope (always {@code r}) each package the product
 * has at the time, with its versions and files. Narrower scopes grant nothing on the repository as
 * a whole.
 *
 * <p>Answers from memory: every entitlement, and the packages of the products they are on, is
 * loaded at the first question after a change ({@link #invalidate}: an entitlement, key or product
 * changed, or content that may have been deleted),
 * and at the latest after {@link #MAX_AGE}, so changes made on another node count too. Thread-safe.
 */
public final class EntitlementGrants implements GrantSource {

    /** How long loaded entitlements are trusted without a local change. */
    static final java.time.Duration MAX_AGE = java.time.Duration.ofSeconds(30);

    private final EntitlementStore store;
    private final AtomicLong generation = new AtomicLong();
    private volatile Snapshot snapshot;

    /** The entitlements by access key and the packages of products by id, as loaded at {@code generation}. */
    private record Snapshot(long generation, long loadedNanos, Map<Long, List<Entitlement>> byKey,
                            Map<Long, Set<EntitlementStore.ProductPackage>> productPackages) {
        boolean isCurrent(long wanted) {
            return generation == wanted && System.nanoTime() - loadedNanos < MAX_AGE.toNanos();
        }
    }

    public EntitlementGrants(EntitlementStore store) {
        this.store = store;
    }

    /** Forgets what was loaded; the next question loads it again. */
    public void invalidate() {
        generation.incrementAndGet();
    }

    @Override
    public Permission grant(Caller caller, Resource resource) {
        var key = caller.accessKey().orElse(null);
        if (key == null) {
            return Permission.NONE;
        }
        var loaded = snapshot();
        var granted = Permission.NONE;
        for (var entitlement : loaded.byKey().getOrDefault(key.id(), List.of())) {
            if (entitlement.permission().atLeast(granted) && covers(loaded, entitlement, resource)) {
                granted = entitlement.permission();
            }
        }
        return granted;
    }

    private static boolean covers(Snapshot loaded, Entitlement entitlement, Resource resource) {
        if (!entitlement.isProductScope()) {
            return entitlement.covers(resource);
        }
        return resource.pkg() != null && loaded.productPackages().getOrDefault(entitlement.productId(), Set.of())
                .contains(new EntitlementStore.ProductPackage(resource.repositoryId(), resource.pkg()));
    }

    private Snapshot snapshot() {
        var current = snapshot;
        if (current != null && current.isCurrent(generation.get())) {
            return current;
        }
        synchronized (this) {
            // The generation is read before loading: a change during the load makes the next question load again.
            long wanted = generation.get();
            current = snapshot;
            if (current != null && current.isCurrent(wanted)) {
                return current;
            }
            long loadedNanos = System.nanoTime();
            var loaded = new Snapshot(wanted, loadedNanos, EntitlementStore.byKey(store.all()),
                    store.productPackages());
            snapshot = loaded;
            return loaded;
        }
    }
}
