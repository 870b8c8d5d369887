package dev.bindery.subject;

import dev.bindery.BinderyException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who is making a request: anonymous, or an authenticated user with the organizations they
 * belong to (loaded once at authentication, so permission checks need no database).
 *
 * @param user null for anonymous callers
 */
public record Caller(Subject user, Map<Long, MemberType> memberships, Set<String> orgNames) {

    public static final Caller ANONYMOUS = new Caller(null, Map.of(), Set.of());

    public Caller {
        memberships = Map.copyOf(memberships);
        orgNames = Set.copyOf(orgNames);
    }

    public boolean isAnonymous() {
        return user == null;
    }

    public boolean isSiteAdmin() {
        return user != null && user.siteAdmin();
    }

    /** The user's name, or {@code anonymous}. */
    public String name() {
        return user == null ? "anonymous" : user.name();
    }

    /** Whether the caller is {@code subject} itself or a member of it (for organizations). */
    public boolean belongsTo(Subject subject) {
        return user != null && (user.id() == subject.id() || memberships.containsKey(subject.id()));
    }

    /**
     * What to answer a caller who may not do something: 401 (credentials would help) for anonymous
     * callers, else 403 with {@code forbiddenMessage}.
     */
    public BinderyException refusal(String forbiddenMessage) {
        return isAnonymous()
                ? BinderyException.unauthorized("This resource requires authentication")
                : BinderyException.forbidden(forbiddenMessage);
    }

    /** Whether {@code subjectName} is the caller or one of their organizations. */
    public boolean belongsToName(String subjectName) {
        return user != null && (user.name().equals(subjectName) || orgNames.contains(subjectName));
    }

    public Optional<MemberType> membershipIn(Subject org) {
        return Optional.ofNullable(memberships.get(org.id()));
    }

    /** Whether the caller may administer {@code subject}: it is them, they own or admin the org, or they are a site admin. */
    public boolean administers(Subject subject) {
        if (user == null) {
            return false;
        }
        if (user.siteAdmin() || user.id() == subject.id()) {
            return true;
        }
        var type = memberships.get(subject.id());
        return type != null && type.isAdmin();
    }
}
