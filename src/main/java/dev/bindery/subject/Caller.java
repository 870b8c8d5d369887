package dev.bindery.subject;

import dev.bindery.BinderyException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who is making a request: anonymous, an authenticated user with the organizations they belong to
 * (loaded once at authentication, so permission checks need no database), an access key, or the
 * holder of a signed URL. What an access key or a signed URL may do is decided by
 * {@code dev.bindery.access.AccessService} from the {@link Credential}.
 *
 * @param user       null for anonymous callers, access keys and signed URLs
 * @param credential how the caller authenticated
 * @param address    the client's IP address, when the request is known (for the events it causes); else null
 */
public record Caller(Subject user, Map<Long, MemberType> memberships, Set<String> orgNames, Credential credential,
                     String address) {

    public static final Caller ANONYMOUS = new Caller(null, Map.of(), Set.of());

    public Caller {
        memberships = Map.copyOf(memberships);
        orgNames = Set.copyOf(orgNames);
        credential = credential == null ? Credential.NONE : credential;
    }

    /** A user authenticated with their API key (or nobody, for a null user). */
    public Caller(Subject user, Map<Long, MemberType> memberships, Set<String> orgNames) {
        this(user, memberships, orgNames, Credential.NONE, null);
    }

    public Caller(Subject user, Map<Long, MemberType> memberships, Set<String> orgNames, Credential credential) {
        this(user, memberships, orgNames, credential, null);
    }

    /** The same caller, making a request from {@code clientAddress}. */
    public Caller at(String clientAddress) {
        return new Caller(user, memberships, orgNames, credential, clientAddress);
    }

    /** An access key: not a user, no memberships. */
    public static Caller of(Credential.AccessKey key) {
        return new Caller(null, Map.of(), Set.of(), key);
    }

    /** The holder of a signed URL: anonymous but for the one file. */
    public static Caller of(Credential.SignedUrl url) {
        return new Caller(null, Map.of(), Set.of(), url);
    }

    /** This user, with their rights capped by a bearer token. */
    public Caller with(Credential.Token token) {
        return new Caller(user, memberships, orgNames, token, address);
    }

    /** Whether no user or access key is behind the request (signed URL holders are anonymous). */
    public boolean isAnonymous() {
        return user == null && !(credential instanceof Credential.AccessKey);
    }

    public Optional<Credential.AccessKey> accessKey() {
        return credential instanceof Credential.AccessKey key ? Optional.of(key) : Optional.empty();
    }

    /** Whether a site administrator is behind the request with full rights (not a token scoped below admin). */
    public boolean isSiteAdmin() {
        return user != null && user.siteAdmin() && hasFullRights();
    }

    /**
     * Whether the credential carries the user's full rights: an API key, or a bearer token of scope
     * admin. A token scoped lower administers nothing ({@link #administers}, {@link #isSiteAdmin}),
     * so checks made outside {@code AccessService.permission} cannot exceed its scope either.
     */
    public boolean hasFullRights() {
        return !(credential instanceof Credential.Token token) || token.scope() == Credential.Scope.ADMIN;
    }

    /** The same user with their full rights, ignoring a token's scope: for computing what the scope then caps. */
    public Caller uncapped() {
        return credential instanceof Credential.Token
                ? new Caller(user, memberships, orgNames, Credential.NONE, address) : this;
    }

    /** The user's name, {@code key@subject} for an access key, or {@code anonymous}. */
    public String name() {
        if (credential instanceof Credential.AccessKey key) {
            return key.username();
        }
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

    /**
     * The user behind a change to their own account (following, say): a user's credentials with
     * full rights; an access key, a signed URL or a token scoped below admin changes no account.
     *
     * @param what what the caller tries to do, for the message ("follow packages")
     */
    public Subject accountHolder(String what) {
        if (user == null) {
            throw BinderyException.unauthorized("Log in to " + what);
        }
        if (!hasFullRights()) {
            throw BinderyException.forbidden("A token scoped below admin may not " + what + " for its user");
        }
        return user;
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
        if (user == null || !hasFullRights()) {
            return false;
        }
        if (user.siteAdmin() || user.id() == subject.id()) {
            return true;
        }
        var type = memberships.get(subject.id());
        return type != null && type.isAdmin();
    }
}
