package dev.bindery.access;

import dev.bindery.subject.Caller;
import dev.bindery.subject.Subject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What teams grant: a member of a team with a permission on a repository gets that permission on
 * it (and on everything in it), and members of a team allowed to create repositories may create
 * and update the owner's repositories. Members of an organization's teams count only while they
 * are members of the organization.
 *
 * <p>Answers from memory: each user's grants are loaded once and kept until {@link #invalidate}
 * (called on every change of teams, their members or permissions, and of organization
 * memberships). Thread-safe.
 */
public final class TeamGrants implements GrantSource {

    private static final int MAX_CACHED_USERS = 100_000;

    private final TeamStore store;
    private final ConcurrentHashMap<Long, TeamStore.UserGrants> byUser = new ConcurrentHashMap<>();
    // Bumped on every change: a load that overlapped a change must not cache what it read before it.
    private final AtomicLong generation = new AtomicLong();

    public TeamGrants(TeamStore store) {
        this.store = store;
    }

    /** Forgets every cached grant; call after any change to teams, team members or team permissions. */
    public void invalidate() {
        generation.incrementAndGet();
        byUser.clear();
    }

    @Override
    public Permission grant(Caller caller, Resource resource) {
        if (caller.user() == null || !countsFor(caller, resource.owner())) {
            return Permission.NONE;
        }
        return grantsOf(caller.user().id()).byRepository().getOrDefault(resource.repositoryId(), Permission.NONE);
    }

    /** Whether a team of {@code owner} allows the caller to create (and update) its repositories. */
    public boolean mayCreateRepositories(Caller caller, Subject owner) {
        return caller.user() != null && countsFor(caller, owner)
                && grantsOf(caller.user().id()).repositoryCreationOwners().containsKey(owner.id());
    }

    /** The business unit of a team of {@code owner} the caller may create repositories with, or null. */
    public String businessUnit(Caller caller, Subject owner) {
        if (caller.user() == null || !countsFor(caller, owner)) {
            return null;
        }
        var unit = grantsOf(caller.user().id()).repositoryCreationOwners().get(owner.id());
        return unit == null || unit.isEmpty() ? null : unit;
    }

    private static boolean countsFor(Caller caller, Subject owner) {
        return !owner.isOrg() || caller.belongsTo(owner);
    }

    private TeamStore.UserGrants grantsOf(long userId) {
        var cached = byUser.get(userId);
        if (cached != null) {
            return cached;
        }
        long loadedAt = generation.get();
        var loaded = store.grantsOf(userId);
        if (byUser.size() >= MAX_CACHED_USERS) {
            byUser.clear();
        }
        byUser.put(userId, loaded);
        if (generation.get() != loadedAt) {
            byUser.remove(userId);
        }
        return loaded;
    }
}
