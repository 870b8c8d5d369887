package dev.bindery.access;

import dev.bindery.BinderyException;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Credential;
import dev.bindery.subject.Subject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;

/**
 * Every permission decision, in one place. A caller's permission on a repository follows from who
 * owns it and whether it is private:
 *
 * <ul>
 *   <li>site administrators, the owning user, and owners/admins of the owning organization: admin;</li>
 *   <li>other members of the owning organization: read;</li>
 *   <li>everybody else: read on public repositories, nothing on private ones;</li>
 *   <li>raised by what a {@link GrantSource} grants: team permissions, entitlements of access keys,
 *       signed URLs;</li>
 *   <li>capped by the scope of the bearer token the caller used, if any.</li>
 * </ul>
 *
 * The {@code require*} methods turn a missing permission into the status Bintray answered: 401
 * when credentials would help an anonymous caller, 404 when the resource must stay hidden from an
 * authenticated outsider, 403 when the caller can see it but not do this. Thread-safe.
 */
public final class AccessService {

    private final List<GrantSource> sources = new CopyOnWriteArrayList<>();
    private final List<BiPredicate<Caller, Subject>> repositoryCreators = new CopyOnWriteArrayList<>();
    private final List<BiFunction<Caller, Subject, String>> businessUnits = new CopyOnWriteArrayList<>();

    /** Adds a kind of grant; done while wiring, before requests arrive. */
    public void addGrantSource(GrantSource source) {
        sources.add(source);
    }

    /** The caller's permission on {@code resource}: a repository, or a package, version or file in it. */
    public Permission permission(Caller caller, Resource resource) {
        Permission permission;
        // What the user may do, then capped by a token's scope below.
        if (caller.uncapped().administers(resource.owner())) {
            permission = Permission.ADMIN;
        } else if (caller.belongsTo(resource.owner())) {
            permission = Permission.READ;
        } else {
            permission = resource.isPrivate() ? Permission.NONE : Permission.READ;
        }
        for (var source : sources) {
            if (permission == Permission.ADMIN) {
                break;
            }
            var granted = source.grant(caller, resource);
            if (granted.atLeast(permission)) {
                permission = granted;
            }
        }
        if (caller.credential() instanceof Credential.Token token) {
            var cap = Permission.valueOf(token.scope().name());
            if (!cap.atLeast(permission)) {
                permission = cap;
            }
        }
        return permission;
    }

    /** Fails unless the caller may see the resource; {@code notFoundMessage} is what hidden resources answer. */
    public void requireRead(Caller caller, Permission permission, String notFoundMessage) {
        require(caller, permission, Permission.READ, notFoundMessage, null);
    }

    public void requirePublish(Caller caller, Permission permission, String notFoundMessage, String action) {
        require(caller, permission, Permission.PUBLISH, notFoundMessage, action);
    }

    public void requireAdmin(Caller caller, Permission permission, String notFoundMessage, String action) {
        require(caller, permission, Permission.ADMIN, notFoundMessage, action);
    }

    private static void require(Caller caller, Permission actual, Permission needed, String notFoundMessage,
                                String action) {
        if (actual.atLeast(needed)) {
            return;
        }
        if (!caller.isAnonymous() && actual == Permission.NONE) {
            throw BinderyException.notFound(notFoundMessage);
        }
        throw caller.refusal("User '" + caller.name() + "' is not allowed to " + action);
    }

    /** Fails with 401 for anonymous callers, for resources documented as "Authenticated user is required". */
    public void requireAuthenticated(Caller caller) {
        if (caller.isAnonymous()) {
            throw caller.refusal("Authentication required");
        }
    }

    /**
     * Adds who may create and update repositories of a subject besides its administrators (members of
     * a team allowed to create repositories); done while wiring.
     */
    public void addRepositoryCreators(BiPredicate<Caller, Subject> creators) {
        repositoryCreators.add(creators);
    }

    /**
     * Whether the caller may create repositories of {@code owner} and update them: its administrators,
     * and those a registered creator predicate allows (not with a token scoped below admin).
     */
    public boolean mayCreateRepositories(Caller caller, Subject owner) {
        if (caller.administers(owner)) {
            return true;
        }
        if (caller.credential() instanceof Credential.Token token && token.scope() != Credential.Scope.ADMIN) {
            return false;
        }
        return caller.user() != null && repositoryCreators.stream().anyMatch(creators -> creators.test(caller, owner));
    }

    /** Adds where default business units of new repositories come from (a creating team's); done while wiring. */
    public void addBusinessUnitDefaults(BiFunction<Caller, Subject, String> defaults) {
        businessUnits.add(defaults);
    }

    /** The business unit a repository the caller creates for {@code owner} gets when it names none, or null. */
    public String defaultBusinessUnit(Caller caller, Subject owner) {
        return businessUnits.stream().map(defaults -> defaults.apply(caller, owner)).filter(unit -> unit != null)
                .findFirst().orElse(null);
    }

    /** Fails unless {@link #mayCreateRepositories} allows the caller. */
    public void requireRepositoryCreation(Caller caller, Subject owner, String action) {
        if (!mayCreateRepositories(caller, owner)) {
            throw caller.refusal("User '" + caller.name() + "' is not allowed to " + action);
        }
    }

    /** Fails unless the caller administers {@code subject} (creating repositories, seeing quotas). */
    public void requireSubjectAdmin(Caller caller, Subject subject, String action) {
        if (!caller.administers(subject)) {
            throw caller.refusal("User '" + caller.name() + "' is not allowed to " + action);
        }
    }
}
