package dev.bindery.access;

import dev.bindery.BinderyException;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Subject;

/**
 * Every permission decision, in one place. A caller's permission on a repository follows from who
 * owns it and whether it is private:
 *
 * <ul>
 *   <li>site administrators, the owning user, and owners/admins of the owning organization: admin;</li>
 *   <li>other members of the owning organization: read;</li>
 *   <li>everybody else: read on public repositories, nothing on private ones.</li>
 * </ul>
 *
 * The {@code require*} methods turn a missing permission into the status Bintray answered: 401
 * when credentials would help an anonymous caller, 404 when the resource must stay hidden from an
 * authenticated outsider, 403 when the caller can see it but not do this. Stateless and thread-safe.
 */
public final class AccessService {

    public Permission permission(Caller caller, Subject owner, boolean isPrivate) {
        if (caller.administers(owner)) {
            return Permission.ADMIN;
        }
        if (caller.belongsTo(owner)) {
            return Permission.READ;
        }
        return isPrivate ? Permission.NONE : Permission.READ;
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

    /** Fails unless the caller administers {@code subject} (creating repositories, seeing quotas). */
    public void requireSubjectAdmin(Caller caller, Subject subject, String action) {
        if (!caller.administers(subject)) {
            throw caller.refusal("User '" + caller.name() + "' is not allowed to " + action);
        }
    }
}
